/**
 * The local stand-in for Cloud Scheduler: calls each HTTP job on its interval, never two runs of
 * one job at once (a request while running queues exactly one more run), and answers Cloud
 * Scheduler's REST `runJob` (`POST /v1/{job name}:run`) so functions ask for an immediate sweep
 * through the same client code they use in production.
 */
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';

export interface LocalJob {
  readonly name: string; // projects/P/locations/L/jobs/J
  readonly url: string;
  readonly intervalMs: number;
}

export interface LocalScheduler {
  readonly endpoint: string;
  /** Starts the interval runs (call once the targets are serving). */
  start(): void;
  runNow(jobName: string): boolean;
  runs(jobName: string): number;
  close(): Promise<void>;
}

export async function startLocalScheduler(jobs: readonly LocalJob[], log: (line: string) => void = () => undefined): Promise<LocalScheduler> {
  const state = new Map(jobs.map((j) => [j.name, { job: j, running: false, again: false, runs: 0 }]));
  let closed = false;

  const run = (name: string): void => {
    const s = state.get(name);
    if (!s || closed) return;
    if (s.running) {
      s.again = true;
      return;
    }
    s.running = true;
    s.runs++;
    fetch(s.job.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'Google-Cloud-Scheduler' },
      body: '{}',
      signal: AbortSignal.timeout(300_000),
    })
      .then(async (r) => {
        if (!r.ok) log(`scheduler: ${name} answered ${r.status}: ${(await r.text()).slice(0, 200)}`);
      })
      .catch((e: Error) => {
        if (!closed) log(`scheduler: ${name} failed: ${e.message}`);
      })
      .finally(() => {
        s.running = false;
        if (s.again) {
          s.again = false;
          run(name);
        }
      });
  };

  let timers: NodeJS.Timeout[] = [];
  const server: Server = createServer((req, res) => {
    const m = /^\/v1\/(projects\/[^/]+\/locations\/[^/]+\/jobs\/[^/:]+):run(?:\?.*)?$/.exec(req.url ?? '');
    req.resume();
    if (req.method !== 'POST' || !m || !state.has(m[1] as string)) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 404, message: `job not found: ${req.url ?? ''}`, status: 'NOT_FOUND' } }));
      return;
    }
    run(m[1] as string);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ name: m[1], state: 'ENABLED' }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    start: () => {
      if (timers.length === 0) timers = jobs.map((j) => setInterval(() => run(j.name), j.intervalMs));
    },
    runNow: (n) => {
      if (!state.has(n)) return false;
      run(n);
      return true;
    },
    runs: (n) => state.get(n)?.runs ?? 0,
    close: () =>
      new Promise<void>((r) => {
        closed = true;
        timers.forEach(clearInterval);
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
