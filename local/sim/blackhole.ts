/**
 * A TCP black hole on a loopback address: a listening socket whose accept queue is already full
 * (listen backlog 0 plus connections nobody accepts), so Linux drops new SYNs and a connect hangs
 * until the caller's time-out, as against a dead load balancer. Node always accepts on a listening
 * socket, so a small python3 process holds the queue (the technique of test/bench/blackhole.py).
 */
import { ChildProcess, spawn } from 'node:child_process';

const SCRIPT = [
  'import socket, sys, time',
  'keep = []',
  'for spec in sys.argv[1:]:',
  '    a, p = spec.rsplit(":", 1)',
  '    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind((a, int(p))); s.listen(0); keep.append(s)',
  '    for _ in range(2):',
  '        c = socket.socket(); c.setblocking(False)',
  '        try: c.connect((a, int(p)))',
  '        except BlockingIOError: pass',
  '        keep.append(c)',
  'time.sleep(0.3)',
  'print("ready", flush=True)',
  'sys.stdin.read()',
].join('\n');

export interface BlackHole {
  close(): Promise<void>;
}

/** Black-holes each `ip:port`; resolves once the queues are full. The holder exits with this process (stdin closes). */
export async function openBlackHole(targets: readonly { ip: string; port: number }[]): Promise<BlackHole> {
  if (targets.length === 0) return { close: async () => undefined };
  const child: ChildProcess = spawn('python3', ['-c', SCRIPT, ...targets.map((t) => `${t.ip}:${t.port}`)], { stdio: ['pipe', 'pipe', 'pipe'] });
  let err = '';
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
  });
  await new Promise<void>((resolve, reject) => {
    child.once('error', (e) => reject(new Error(`black hole needs python3: ${e.message}`)));
    child.once('exit', (code) => reject(new Error(`black hole exited (${String(code)}): ${err.trim()}`)));
    child.stdout?.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) resolve();
    });
  });
  child.removeAllListeners('exit');
  return {
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      }),
  };
}
