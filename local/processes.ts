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
      const s = connect({ host, port }, () => { s.destroy(); resolve(true); });
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
    child.once('exit', () => { clearTimeout(timer); resolve(); });
    child.kill('SIGTERM');
  });
}

/** The compiled function host (beside this file in dist/, or in dist/ when this runs from source). */
function functionHost(): string {
  const beside = join(__dirname, 'function-host.js');
  return existsSync(beside) ? beside : join(__dirname, '..', 'dist', 'local', 'function-host.js');
}

/**
 * Serves one target as Cloud Functions runs it (functions-framework's loader and server): the
 * package's `main` is loaded from `sourceDir` and `--target` picks the function. It listens on
 * 127.0.0.1 only.
 */
export async function startFunction(opts: {
  target: string; port: number; sourceDir: string; env: Record<string, string>; logDir: string; signature?: 'http' | 'cloudevent';
}): Promise<FunctionProcess> {
  const args = [functionHost(), `--target=${opts.target}`, `--port=${opts.port}`, `--source=${opts.sourceDir}`,
    ...(opts.signature ? [`--signature-type=${opts.signature}`] : [])];
  const log = createWriteStream(join(opts.logDir, `${opts.target}.log`), { flags: 'a' });
  const child = spawn(process.execPath, args, { env: { ...process.env, ...opts.env, PORT: String(opts.port) }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`function ${opts.target} exited with code ${String(code)}; see ${join(opts.logDir, `${opts.target}.log`)}`))));
  await Promise.race([waitForPort(opts.port, 180_000), exited]); // cold starts are slow on a loaded machine
  exited.catch(() => undefined);
  return { target: opts.target, port: opts.port, url: `http://127.0.0.1:${opts.port}`, stop: () => stopChild(child) };
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
