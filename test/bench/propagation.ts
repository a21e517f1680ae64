/**
 * npm run bench:propagation — how long one federated Service takes to reach 1, 10, 50 and 200 member
 * clusters (each answering with 50 ms added latency), on the production path: API write →
 * Firestore emulator → Eventarc CloudEvent → function → member APIs; how much one hanging member of
 * 10 costs the nine healthy ones; then 1,000 Services to 10 clusters through one periodic reconcile
 * pass. The members are simulated in a child process (local/sim/remote-fleet.ts), which says the
 * moment the last of them has the Service. Prints figures, ends with the ratio lines, and writes
 * docs/BENCHMARKS.md.
 *
 * SKYFED_BENCH_SIZES (e.g. "1,200") limits the fan-out cases; SKYFED_BENCH_SKIP=many,hang skips parts.
 */
import { ADMIN_TOKEN } from '../harness/api-server';
import { ControlPlane, startControlPlane } from '../harness/control-plane';
import { call } from '../harness/http';
import { monotonicMs } from '../../local/sim/clock';
import { RemoteFleet, RemoteMember } from '../../local/sim/remote-fleet';
import { table, writeSection } from './report';
import { registerCluster } from '../harness/federation';

const LATENCY_MS = 50;
const MEMBER_TIMEOUT_MS = 5000;
const RUNS = 5;
const GIVE_UP_MS = 120_000;
const T = { token: ADMIN_TOKEN };
const env = process.env;
const SIZES = (env['SKYFED_BENCH_SIZES'] ?? '1,10,50,200').split(',').map(Number);
const SKIP = new Set((env['SKYFED_BENCH_SKIP'] ?? '').split(','));

async function register(cp: ControlPlane, fleet: RemoteFleet): Promise<void> {
  for (const c of fleet.clusters) await registerCluster(cp.apiUrl, c);
}

const svc = (name: string) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name },
  spec: { type: 'LoadBalancer', selector: { app: name }, ports: [{ port: 80 }] },
});
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

async function withFleet<T>(n: number, fn: (cp: ControlPlane, fleet: RemoteFleet) => Promise<T>, triggers = true): Promise<T> {
  // The members run in a child process (local/sim/remote-fleet.ts): this process's CPU is the control plane's.
  const fleet = await RemoteFleet.start(
    Array.from({ length: n }, (_, i) => ({ name: `c${i}`, region: 'r1', zones: ['z1'], latencyMs: LATENCY_MS, lbListen: false })),
  );
  const cp = await startControlPlane({ SKYFED_MEMBER_TIMEOUT_MS: String(MEMBER_TIMEOUT_MS) }, { triggers });
  try {
    await register(cp, fleet);
    await cp.settle(800);
    return await fn(cp, fleet);
  } finally {
    await cp.close();
    await fleet.stop();
  }
}

/**
 * API write → the Service exists in every cluster of `waitOn`; one time per run. The end is the
 * fleet's reading of the moment the last member got it: this process hosts the control plane, so
 * the moment its own event loop gets to the fleet's answer would add the control plane's backlog.
 * That later reading is kept too (`noticed`), for comparison with figures measured that way.
 */
async function timeToReach(
  cp: ControlPlane,
  fleet: RemoteFleet,
  waitOn: readonly RemoteMember[],
  prefix: string,
  runs: number,
): Promise<{ times: number[]; noticed: number[] }> {
  const times: number[] = [];
  const noticed: number[] = [];
  for (let i = 0; i < runs; i++) {
    const name = `${prefix}-${i}`;
    const t0 = monotonicMs();
    // Asked before the write: the fleet answers the moment the last member has the Service.
    const reached = fleet.waitForService(`bench/${name}`, waitOn);
    let timer: NodeJS.Timeout | undefined;
    const giveUp = new Promise<never>((_r, reject) => {
      timer = setTimeout(() => reject(new Error(`${name} did not reach all ${waitOn.length} clusters in ${GIVE_UP_MS / 1000} s`)), GIVE_UP_MS);
    });
    await call(cp.apiUrl, 'POST', '/api/v1/namespaces/bench/services', { ...T, body: svc(name) });
    const at = await Promise.race([reached, giveUp]).finally(() => clearTimeout(timer));
    times.push(at - t0);
    noticed.push(monotonicMs() - t0);
    await cp.settle(300);
  }
  return { times, noticed };
}

/** 10 members, none hanging, then one hanging: times until the nine healthy ones have the Service. */
async function hangingMember(): Promise<{ calm: number[]; hanging: number[] }> {
  return withFleet(10, async (cp, fleet) => {
    const hung = fleet.clusters[3] as RemoteMember;
    const healthy = fleet.clusters.filter((c) => c !== hung);
    const calm = (await timeToReach(cp, fleet, healthy, 'calm', RUNS)).times;
    await hung.setFault({ mode: 'hang' });
    // The emulator delivers one event at a time: each run waits until the previous pass has ended.
    const hanging = (await timeToReach(cp, fleet, healthy, 'hang', RUNS)).times;
    await hung.setFault({ mode: 'none' });
    return { calm, hanging };
  });
}

async function manyServices(services: number, clusters: number): Promise<{ ms: number; writes: number; discoveryWrites: number }> {
  return withFleet(
    clusters,
    async (cp, fleet) => {
      for (let i = 0; i < services; i += 25) {
        // A create the API refused (429/503 under the burst) is sent again, so the pass has every Service.
        await Promise.all(
          Array.from({ length: Math.min(25, services - i) }, async (_, j) => {
            for (let attempt = 1; ; attempt++) {
              const r = await call(cp.apiUrl, 'POST', '/api/v1/namespaces/bench/services', { ...T, body: svc(`s${i + j}`) });
              if (r.status === 201 || r.status === 409) return;
              if (attempt >= 5) throw new Error(`creating s${i + j}: ${r.status} ${r.text.slice(0, 200)}`);
              await new Promise((res) => setTimeout(res, 200 * attempt));
            }
          }),
        );
      }
      const t0 = performance.now();
      const res = await call(cp.functionUrl('reconcile').replace(/\/$/, ''), 'POST', '/', { body: {} });
      const ms = performance.now() - t0;
      const present = await fleet.serviceCount();
      if (present !== services * clusters) throw new Error(`only ${present} of ${services * clusters} members exist`);
      return { ms, writes: Number(res.body['writes']), discoveryWrites: Number(res.body['discoveryWrites']) };
    },
    false,
  );
}

async function main(): Promise<void> {
  const say = (l: string): void => {
    process.stdout.write(`${l}\n`);
  };
  const runs = (ts: number[]): string => ts.map((t) => t.toFixed(0)).join(', ');
  const rows: (string | number)[][] = [];
  const med: Record<number, number> = {};
  const medNoticed: Record<number, number> = {};
  const lines: string[] = [];
  const hang = SKIP.has('hang') ? undefined : await hangingMember();
  for (const n of SIZES) {
    let times: number[];
    let noticed: number[];
    try {
      ({ times, noticed } = await withFleet(n, (cp, fleet) => timeToReach(cp, fleet, fleet.clusters, 'svc', RUNS)));
    } catch (e) {
      say(`1 Service → ${n} cluster(s): ${String(e)}`);
      rows.push([`1 Service → ${n} clusters`, 'n/a', String(e)]);
      continue;
    }
    med[n] = median(times);
    medNoticed[n] = median(noticed);
    const late = `as the control plane's process noticed: median ${medNoticed[n]?.toFixed(0)} ms`;
    say(`1 Service → ${n} cluster(s), ${LATENCY_MS} ms latency each: median ${med[n]?.toFixed(0)} ms (runs: ${runs(times)}; ${late})`);
    rows.push([`1 Service → ${n} clusters`, med[n]?.toFixed(0) ?? '', `${runs(times)}; ${late}`]);
  }
  if (med[1] && med[200]) lines.push(`propagation ratio 200/1 clusters: ${(med[200] / med[1]).toFixed(2)}`);
  const noticedRatio = medNoticed[1] && medNoticed[200] ? (medNoticed[200] / medNoticed[1]).toFixed(2) : undefined;
  if (med[1] && med[50]) lines.push(`propagation ratio 50/1 clusters: ${(med[50] / med[1]).toFixed(2)}`);
  if (hang) {
    const h = hang;
    const impact = median(h.hanging) / median(h.calm);
    say(`1 Service → 9 healthy of 10 clusters, none hanging: median ${median(h.calm).toFixed(0)} ms (runs: ${runs(h.calm)})`);
    say(
      `1 Service → 9 healthy of 10 clusters, one hanging (time-out ${MEMBER_TIMEOUT_MS} ms): median ${median(h.hanging).toFixed(0)} ms (runs: ${runs(h.hanging)})`,
    );
    rows.push(['1 Service → 9 healthy of 10 clusters, none hanging', median(h.calm).toFixed(0), runs(h.calm)]);
    rows.push([`1 Service → 9 healthy of 10 clusters, one hanging (time-out ${MEMBER_TIMEOUT_MS} ms)`, median(h.hanging).toFixed(0), runs(h.hanging)]);
    lines.push(`hanging member impact ratio: ${impact.toFixed(2)}`);
  }
  if (!SKIP.has('many')) {
    const many = await manyServices(1000, 10);
    // Member Service writes, and apart from them the in-cluster discovery writes (zone ConfigMaps, shared/incluster).
    const detail = `${many.writes} member Service writes, ${many.discoveryWrites} in-cluster zone ConfigMap writes`;
    say(`1,000 Services → 10 clusters (one reconcile pass): ${(many.ms / 1000).toFixed(1)} s, ${detail}`);
    rows.push(['1,000 Services → 10 clusters (one reconcile pass)', many.ms.toFixed(0), detail]);
  }
  const targets: Record<string, string> = { '200/1': '≤ 1.5', '50/1': '≤ 2', hanging: '≤ 1.2' };
  const target = (l: string): string => Object.entries(targets).find(([k]) => l.includes(k))?.[1] ?? '';
  writeSection(
    'Propagation (`npm run bench:propagation`)',
    [
      `Each simulated member API adds ${LATENCY_MS} ms to every call; member time-out ${MEMBER_TIMEOUT_MS} ms. Times run from the API write to the moment the last (healthy) member has the Service, as the member fleet's process reads it on the machine's monotonic clock (this process hosts the control plane, so its own event loop would notice late by its backlog of member answers), through the Firestore emulator's Eventarc delivery and the functions-framework function (median of ${RUNS}). A hanging member accepts the connection and never answers. The simulated members run in a child process (local/sim/fleet-process.ts), so the control plane's process does not share its CPU with them; the machine's cores it still does.`,
      '',
      table(['case', 'ms', 'detail'], rows),
      '',
      ...lines.map((l) => `**${l}** (target ${target(l)}).`),
      ...(noticedRatio
        ? ['', `For comparison, read when the control plane's own process noticed (as this bench measured before): 200/1 ${noticedRatio}.`]
        : []),
    ].join('\n'),
  );
  for (const l of lines) say(l);
  if (noticedRatio) say(`(200/1 as the control plane's process noticed: ${noticedRatio})`);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`${String(e)}\n`);
    process.exit(1);
  },
);
