/**
 * npm run bench:propagation — how long one federated Service takes to reach 1, 10 and 50 member
 * clusters (each answering with 50 ms added latency), on the production path: API write →
 * Firestore emulator → Eventarc CloudEvent → function → member APIs. Then 1,000 Services to 10
 * clusters through one periodic reconcile pass. Prints figures, ends with the ratio line, and
 * writes docs/BENCHMARKS.md.
 */
import { ADMIN_TOKEN } from '../harness/api-server';
import { ControlPlane, startControlPlane } from '../harness/control-plane';
import { call } from '../harness/http';
import { FakeKubeFleet } from '../../local/sim';
import { table, writeSection } from './report';
import { registerCluster } from '../harness/federation';

const LATENCY_MS = 50;
const T = { token: ADMIN_TOKEN };

async function register(cp: ControlPlane, fleet: FakeKubeFleet): Promise<void> {
  for (const c of fleet.clusters) await registerCluster(cp.apiUrl, c);
}

const svc = (name: string) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { type: 'LoadBalancer', selector: { app: name }, ports: [{ port: 80 }] } });
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

async function oneServiceTo(n: number, runs: number): Promise<number[]> {
  const fleet = await FakeKubeFleet.start(Array.from({ length: n }, (_, i) => ({ name: `c${i}`, region: 'r1', zones: ['z1'], latencyMs: LATENCY_MS, lbListen: false })));
  const cp = await startControlPlane({ SKYFED_MEMBER_TIMEOUT_MS: '5000' });
  try {
    await register(cp, fleet);
    await cp.settle(800);
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const name = `svc-${i}`;
      const t0 = performance.now();
      await call(cp.apiUrl, 'POST', '/api/v1/namespaces/bench/services', { ...T, body: svc(name) });
      while (!fleet.clusters.every((c) => c.state.services.has(`bench/${name}`))) await new Promise((r) => setTimeout(r, 2));
      times.push(performance.now() - t0);
      await cp.settle(300);
    }
    return times;
  } finally {
    await cp.close();
    await fleet.stop();
  }
}

async function manyServices(services: number, clusters: number): Promise<{ ms: number; writes: number }> {
  const fleet = await FakeKubeFleet.start(Array.from({ length: clusters }, (_, i) => ({ name: `c${i}`, region: 'r1', zones: ['z1'], latencyMs: LATENCY_MS, lbListen: false })));
  const cp = await startControlPlane({ SKYFED_MEMBER_TIMEOUT_MS: '10000' }, { triggers: false });
  try {
    await register(cp, fleet);
    for (let i = 0; i < services; i += 25) {
      await Promise.all(Array.from({ length: Math.min(25, services - i) }, (_, j) => call(cp.apiUrl, 'POST', '/api/v1/namespaces/bench/services', { ...T, body: svc(`s${i + j}`) })));
    }
    const t0 = performance.now();
    const res = await call(cp.functionUrl('reconcile').replace(/\/$/, ''), 'POST', '/', { body: {} });
    const ms = performance.now() - t0;
    const present = fleet.clusters.reduce((n, c) => n + c.state.services.size, 0);
    if (present !== services * clusters) throw new Error(`only ${present} of ${services * clusters} members exist`);
    return { ms, writes: Number(res.body['writes']) };
  } finally {
    await cp.close();
    await fleet.stop();
  }
}

async function main(): Promise<void> {
  const say = (l: string): void => { process.stdout.write(`${l}\n`); };
  const rows: (string | number)[][] = [];
  const med: Record<number, number> = {};
  for (const n of [1, 10, 50]) {
    const times = await oneServiceTo(n, 5);
    med[n] = median(times);
    say(`1 Service → ${n} cluster(s), ${LATENCY_MS} ms latency each: median ${med[n]?.toFixed(0)} ms (runs: ${times.map((t) => t.toFixed(0)).join(', ')})`);
    rows.push([`1 Service → ${n} clusters`, med[n]?.toFixed(0) ?? '', times.map((t) => t.toFixed(0)).join(', ')]);
  }
  const many = await manyServices(1000, 10);
  say(`1,000 Services → 10 clusters (one reconcile pass): ${(many.ms / 1000).toFixed(1)} s, ${many.writes} member writes`);
  rows.push(['1,000 Services → 10 clusters (one reconcile pass)', many.ms.toFixed(0), `${many.writes} member writes`]);
  const ratio = (med[50] ?? 0) / (med[1] ?? 1);
  writeSection('Propagation (`npm run bench:propagation`)', [
    `Each simulated member API adds ${LATENCY_MS} ms to every call. Times run from the API write to the member Service existing in every cluster, through the Firestore emulator's Eventarc delivery and the functions-framework function (median of 5).`,
    '', table(['case', 'ms', 'detail'], rows), '',
    `**propagation ratio 50/1 clusters: ${ratio.toFixed(2)}** (target ≤ 2).`,
  ].join('\n'));
  say(`propagation ratio 50/1 clusters: ${ratio.toFixed(2)}`);
}

main().then(() => process.exit(0), (e: unknown) => { process.stderr.write(`${String(e)}\n`); process.exit(1); });
