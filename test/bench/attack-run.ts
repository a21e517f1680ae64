/**
 * The attacker's run against a live API (issue 8): hostile requests that must each be refused with
 * a 4xx Status — and never echo or store Secret data — then reads timed while many watches from
 * one read-only token are open. Shared by `npm run bench:attack` (full size) and the jest suite
 * (test/integration/api/api-attack.test.ts, lean size).
 */
import { request } from 'node:http';
import { Firestore } from '@google-cloud/firestore';
import { ADMIN_TOKEN, VIEW_TOKEN } from '../harness/api-server';
import { Reply, call } from '../harness/http';
import { inlineTokenKubeconfig } from '../harness/kubeconfig';

export interface AttackReport {
  tried: number;
  wronglySucceeded: string[];
  serverErrors: string[];
  /** Status codes seen, by attack. */
  codes: Record<string, number[]>;
  watchesOpen: number;
  reads: number;
  readP50Ms: number;
  readP99Ms: number;
  readMaxMs: number;
  baselineP99Ms: number;
  /** CPU of this process (API server and client together) while the watches were open and idle, % of one core. */
  idleWatchCpuPercent: number;
  /** Wall time of each phase, ms. */
  phases: Record<string, number>;
}

const SVC = '/api/v1/namespaces/web/services';
const SECRETS = '/api/v1/namespaces/federation-system/secrets';
/** A member's bearer token, inside an acceptable (inline-only) member kubeconfig. */
const TOKEN = 'attacker-wants-this-token-31337';
const KUBECONFIG = inlineTokenKubeconfig(TOKEN);
const B64 = Buffer.from(KUBECONFIG).toString('base64');
const leaks = (text: string): boolean => text.includes(TOKEN) || text.includes(B64.slice(0, 24));

/** Sends part of a declared body and waits for the answer (only a server that does not read the whole body answers). */
function partial(base: string, path: string, o: { token?: string; declared?: number; send: number }): Promise<number> {
  const url = new URL(base);
  return new Promise((resolve) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (o.token) headers['authorization'] = `Bearer ${o.token}`;
    if (o.declared !== undefined) headers['content-length'] = String(o.declared);
    const timer = setTimeout(() => {
      req.destroy();
      resolve(0);
    }, 15_000);
    const req = request({ host: url.hostname, port: url.port, method: 'POST', path, headers }, (res) => {
      res.resume();
      res.on('end', () => {
        clearTimeout(timer);
        req.destroy();
        resolve(res.statusCode ?? 0);
      });
    });
    req.on('error', () => undefined);
    const chunk = Buffer.alloc(64 * 1024, 'a');
    let sent = 0;
    const pump = (): void => {
      while (sent < o.send) {
        sent += chunk.length;
        if (!req.write(chunk)) {
          req.once('drain', pump);
          return;
        }
      }
    };
    pump();
  });
}

/** Opens a watch and keeps it open; resolves with its status once headers arrive. */
function openWatch(base: string, path: string, token: string): { status: Promise<number>; close: () => void } {
  const url = new URL(base);
  let req: ReturnType<typeof request> | undefined;
  const status = new Promise<number>((resolve) => {
    req = request({ host: url.hostname, port: url.port, method: 'GET', path, headers: { authorization: `Bearer ${token}` } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(0));
    req.end();
  });
  return { status, close: () => req?.destroy() };
}

const percentile = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? 0;
};

async function timedReads(base: string, count: number, concurrency: number, services: number): Promise<number[]> {
  const times: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        const t = performance.now();
        const r = await call(base, 'GET', i % 2 ? SVC : `${SVC}/s${i % services}`, { token: ADMIN_TOKEN });
        times.push(r.status === 200 ? performance.now() - t : Infinity);
      }
    }),
  );
  return times;
}

export async function runAttack(
  base: string,
  db: Firestore,
  o: { watches: number; reads: number; watchLimit: number; services: number },
): Promise<AttackReport> {
  const report: AttackReport = {
    tried: 0,
    wronglySucceeded: [],
    serverErrors: [],
    codes: {},
    watchesOpen: 0,
    reads: 0,
    readP50Ms: 0,
    readP99Ms: 0,
    readMaxMs: 0,
    baselineP99Ms: 0,
    idleWatchCpuPercent: 0,
    phases: {},
  };
  let mark = performance.now();
  const phase = (name: string): void => {
    const now = performance.now();
    report.phases[name] = Math.round(now - mark);
    mark = now;
  };
  const note = (name: string, codes: number[], allowed: number[], leaked = false): void => {
    report.tried += codes.length;
    report.codes[name] = codes;
    if (codes.some((c) => c >= 500)) report.serverErrors.push(name);
    if (leaked || codes.some((c) => !allowed.includes(c) && c < 500)) report.wronglySucceeded.push(name);
  };
  const T = { token: ADMIN_TOKEN };
  for (let i = 0; i < o.services; i++) {
    await call(base, 'POST', SVC, {
      ...T,
      body: { apiVersion: 'v1', kind: 'Service', metadata: { name: `s${i}` }, spec: { type: 'LoadBalancer', ports: [{ port: 80 }] } },
    });
  }

  phase('setup');
  note('unauthenticated 100 MB body', [await partial(base, SVC, { declared: 100 * 2 ** 20, send: 2 ** 20 })], [401]);
  note('read-only token sends a body', [await partial(base, SVC, { token: VIEW_TOKEN, declared: 50 * 2 ** 20, send: 2 ** 18 })], [403]);
  note('body declared at 10 MiB', [await partial(base, SVC, { token: ADMIN_TOKEN, declared: 10 * 2 ** 20, send: 2 ** 16 })], [413]);
  note('chunked body past 3 MiB', [await partial(base, SVC, { token: ADMIN_TOKEN, send: 4 * 2 ** 20 })], [413]);
  const deep = (n: number) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;
  note('JSON nested 10,000 deep', [(await call(base, 'POST', SVC, { ...T, body: deep(10_000) })).status], [400]);
  note(
    'merge patch nested 10,000 deep',
    [(await call(base, 'PATCH', `${SVC}/s0`, { ...T, body: deep(10_000), contentType: 'application/merge-patch+json' })).status],
    [400],
  );
  note(
    'YAML nested 5,000 deep',
    [(await call(base, 'POST', SVC, { ...T, body: `a: ${'['.repeat(5000)}${']'.repeat(5000)}`, contentType: 'application/yaml' })).status],
    [400],
  );
  note(
    '1 MB Secret',
    [(await call(base, 'POST', SECRETS, { ...T, body: { metadata: { name: 'big' }, data: { blob: Buffer.alloc(2 ** 20, 1).toString('base64') } } })).status],
    [422],
  );

  phase('bodies');
  // Secret data: written with kubectl's last-applied annotation and by server-side apply, then looked for everywhere.
  const lastApplied = JSON.stringify({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'saved', namespace: 'federation-system' },
    data: { kubeconfig: B64 },
  });
  const writes = [
    await call(base, 'POST', SECRETS, {
      ...T,
      body: { metadata: { name: 'saved', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': lastApplied } }, data: { kubeconfig: B64 } },
    }),
    await call(base, 'PATCH', `${SECRETS}/ssa?fieldManager=attacker`, {
      ...T,
      body: `apiVersion: v1\nkind: Secret\nmetadata:\n  name: ssa\ndata:\n  kubeconfig: ${B64}\nstringData:\n  token: ${TOKEN}\n`,
      contentType: 'application/apply-patch+yaml',
    }),
    await call(base, 'POST', `${SECRETS}?dryRun=All`, {
      ...T,
      body: { metadata: { name: 'dry', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': lastApplied } }, data: { kubeconfig: B64 } },
    }),
  ];
  const reads: Reply[] = await Promise.all([
    call(base, 'GET', `${SECRETS}/saved`, { token: VIEW_TOKEN }),
    call(base, 'GET', SECRETS, { token: VIEW_TOKEN }),
    call(base, 'GET', SECRETS, { token: VIEW_TOKEN, accept: 'application/json;as=Table;v=v1;g=meta.k8s.io;includeObject=Object' }),
    call(base, 'GET', `${SECRETS}?watch=true&timeoutSeconds=1`, { token: VIEW_TOKEN }),
    call(base, 'POST', SECRETS, { ...T, body: `{"metadata":{"name":"x"},"data":{"kubeconfig":"${B64}"} junk` }),
    call(base, 'POST', SECRETS, { ...T, body: JSON.stringify({ metadata: { name: 'x' }, data: B64 }) }),
    call(base, 'POST', SECRETS, { ...T, body: JSON.stringify({ metadata: { name: 'x' }, stringData: { token: [TOKEN] } }) }),
  ]);
  const stored = (await db.collectionGroup('secrets').get()).docs.map((d) => JSON.stringify(d.data())).join('\n');
  note(
    'Secret data in answers',
    [...writes, ...reads].map((r) => r.status),
    [200, 201, 400],
    [...writes, ...reads].some((r) => leaks(r.text)),
  );
  note('Secret data at rest (last-applied, apply state)', [stored ? 200 : 0], [200], leaks(stored));

  phase('secrets');
  const patches = await Promise.all(
    Array.from({ length: 50 }, (_, i) =>
      call(base, 'PATCH', `${SVC}/s0`, {
        ...T,
        body: { metadata: { labels: { [`p${i}`]: 'x' } } },
        contentType: 'application/merge-patch+json',
      }),
    ),
  );
  note(
    '50 concurrent merge patches of one object',
    patches.map((r) => r.status),
    [200, 429],
  );

  phase('patches');
  const t0 = Date.now();
  const short = await call(base, 'GET', `${SVC}?watch=true&timeoutSeconds=1`, { token: VIEW_TOKEN });
  note('watch with timeoutSeconds=1 ends on time', [short.status, Date.now() - t0 <= 2500 ? 200 : 408], [200]);

  report.baselineP99Ms = percentile(await timedReads(base, o.reads, 4, o.services), 99);
  phase('reads without watches');
  // Many watches from one read-only token, then reads by someone else.
  const watches = Array.from({ length: o.watches }, (_, i) => openWatch(base, `${i % 2 ? SVC : '/api/v1/services'}?watch=true&timeoutSeconds=300`, VIEW_TOKEN));
  const opened = await Promise.all(watches.map((w) => w.status));
  report.watchesOpen = opened.filter((c) => c === 200).length;
  const over = Array.from({ length: o.watchLimit - o.watches + 3 }, () => openWatch(base, `${SVC}?watch=true&timeoutSeconds=300`, VIEW_TOKEN));
  const overCodes = await Promise.all(over.map((w) => w.status));
  note(`watches past the per-user limit (${o.watchLimit})`, overCodes.slice(-3), [429]);
  phase('open watches');
  try {
    const cpu0 = process.cpuUsage();
    const t1 = performance.now();
    await new Promise((r) => setTimeout(r, 3000));
    const used = process.cpuUsage(cpu0);
    report.idleWatchCpuPercent = ((used.user + used.system) / 1000 / (performance.now() - t1)) * 100;
    const times = await timedReads(base, o.reads, 4, o.services);
    phase('reads with watches');
    report.reads = times.length;
    report.readP50Ms = percentile(times, 50);
    report.readP99Ms = percentile(times, 99);
    report.readMaxMs = Math.max(...times);
  } finally {
    for (const w of [...watches, ...over]) w.close();
  }
  return report;
}
