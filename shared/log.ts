/**
 * Structured logs in Cloud Logging's JSON format (one line per entry, `severity` + `message`).
 * Callers pass explicit fields; request bodies, headers and secret data are never passed in.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** Where finished lines go: standard output in production, a list in tests. */
export type LogSink = (line: string) => void;

export const stdoutSink: LogSink = (l) => {
  process.stdout.write(l + '\n');
};

export function jsonLogger(
  component: string,
  write: LogSink = stdoutSink,
  context: () => Readonly<Record<string, unknown>> | undefined = () => undefined,
): Logger {
  const emit =
    (severity: string) =>
    (message: string, fields: Record<string, unknown> = {}): void =>
      write(JSON.stringify({ severity, component, message, ...context(), ...fields }));
  return { info: emit('INFO'), warn: emit('WARNING'), error: emit('ERROR') };
}

export const silentLogger: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * The loggers of one instance. Every line logged while an invocation runs (`within`) carries that
 * invocation's fields — the event or execution id — whichever component logs it, without passing
 * the id down by hand.
 */
export interface Logs {
  logger(component: string): Logger;
  within<T>(fields: Readonly<Record<string, unknown>>, run: () => T): T;
}

export function jsonLogs(sink: LogSink = stdoutSink): Logs {
  const invocation = new AsyncLocalStorage<Readonly<Record<string, unknown>>>();
  return {
    logger: (component) => jsonLogger(component, sink, () => invocation.getStore()),
    within: (fields, run) => invocation.run(fields, run),
  };
}
