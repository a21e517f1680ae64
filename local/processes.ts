/**
 * Child processes of the local stack: functions-framework servers (on 127.0.0.1 only, through
 * local/function-host.ts), with logs to files and clean shutdown.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';

export interface FunctionProcess {
  readonly target: string;
  readonly port: number;
  readonly url: string;
  stop(): Promise<void>;
}

/** Resolves once something accepts TCP connections on host:port, or rejects after `timeoutMs`. */
export async function waitForPort(port: number, timeoutMs: number, host = '127.0.0.1'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect({ host, port }, () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listening on ${host}:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** The compiled function host (beside this file in dist/, or in dist/ when this runs from source). */
function functionHost(): string {
  const beside = join(__dirname, 'function-host.js');
  return existsSync(beside) ? beside : join(__dirname, '..', 'dist', 'local', 'function-host.js');
}

/**
 * Serves one target with the functions-framework CLI, exactly as Cloud Functions runs it: the
 * package's `main` is loaded from `sourceDir` and `--target` picks the function; it listens on
 * 127.0.0.1 only (local/function-host.ts). A process that
 * dies after it served is started again on the same port (after 0.5 s, doubling to 10 s while it
 * keeps dying within a minute), as Cloud Functions replaces a crashed instance.
 */
export async function startFunction(opts: {
  target: string;
  port: number;
  sourceDir: string;
  env: Record<string, string>;
  logDir: string;
  signature?: 'http' | 'cloudevent';
  onRestart?: (target: string, code: number | null, signal: string | null) => void;
}): Promise<FunctionProcess & { readonly pid: () => number | undefined; readonly restarts: () => number }> {
  const guard = join(__dirname, 'orphan-guard.js');
  const args = [
    ...(existsSync(guard) ? ['-r', guard] : []),
    functionHost(),
    `--target=${opts.target}`,
    `--port=${opts.port}`,
    `--source=${opts.sourceDir}`,
    ...(opts.signature ? [`--signature-type=${opts.signature}`] : []),
  ];
  const logFile = join(opts.logDir, `${opts.target}.log`);
  const log = createWriteStream(logFile, { flags: 'a' });
  let child: ChildProcess;
  let stopping = false;
  let restarts = 0;
  let backoffMs = 500;
  let lastStart = Date.now();
  const spawnOne = (): ChildProcess => {
    const c = spawn(process.execPath, args, { env: { ...process.env, ...opts.env, PORT: String(opts.port) }, stdio: ['pipe', 'pipe', 'pipe'] });
    c.stdout?.pipe(log, { end: false });
    c.stderr?.pipe(log, { end: false });
    lastStart = Date.now();
    return c;
  };
  const watch = (c: ChildProcess): void => {
    c.once('exit', (code, signal) => {
      if (stopping) return;
      restarts++;
      backoffMs = Date.now() - lastStart > 60_000 ? 500 : Math.min(backoffMs * 2, 10_000);
      log.write(`\n[skyfed] function ${opts.target} exited (${signal ?? `code ${String(code)}`}); starting it again in ${backoffMs} ms\n`);
      opts.onRestart?.(opts.target, code, signal);
      setTimeout(() => {
        if (!stopping) {
          child = spawnOne();
          watch(child);
        }
      }, backoffMs).unref();
    });
  };
  child = spawnOne();
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`function ${opts.target} exited with code ${String(code)}; see ${logFile}`))),
  );
  await Promise.race([waitForPort(opts.port, 180_000), exited]);
  exited.catch(() => undefined);
  watch(child);
  return {
    target: opts.target,
    port: opts.port,
    url: `http://127.0.0.1:${opts.port}`,
    pid: () => child.pid,
    restarts: () => restarts,
    stop: async () => {
      stopping = true;
      await stopChild(child);
      log.end();
    },
  };
}

export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}
