/**
 * Structured logs in Cloud Logging's JSON format (one line per entry, `severity` + `message`).
 * Callers pass explicit fields; request bodies, headers and secret data are never passed in.
 */
export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export function jsonLogger(component: string, write: (line: string) => void = (l) => process.stdout.write(l + '\n')): Logger {
  const emit = (severity: string) => (message: string, fields: Record<string, unknown> = {}): void =>
    write(JSON.stringify({ severity, component, message, ...fields }));
  return { info: emit('INFO'), warn: emit('WARNING'), error: emit('ERROR') };
}

export const silentLogger: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
