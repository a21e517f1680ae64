/**
 * A fleet of simulated members served from a child process (remote-fleet.ts starts it), so a
 * benchmark's clock measures the control plane and not the simulators competing with it for the
 * CPU. Speaks Node's IPC channel: requests carry an `id`, answers repeat it.
 *
 *   start {options}           → {members: [{name, url, kubeconfig}]}
 *   fault {cluster, mode}     → {}
 *   await {key, clusters}     → {at} once Service `key` exists in every named cluster; `at` is when
 *                               the last of them got it (process.hrtime, ms: one clock for every process)
 *   count {}                  → {services} (Services in all clusters together)
 *   ingress {}                → {ingress} (`cluster/namespace/name` → first load-balancer IP)
 *   stop {}                   → {} (the process then exits)
 */
import { FakeCluster, FakeClusterOptions, FaultMode } from './cluster';
import { monotonicMs } from './clock';
import { FakeKubeFleet } from './index';

export interface MemberInfo {
  readonly name: string;
  readonly url: string;
  readonly kubeconfig: string;
}

export type FleetRequest =
  | { readonly id: number; readonly op: 'start'; readonly options: readonly Omit<FakeClusterOptions, 'onChange' | 'identity'>[] }
  | { readonly id: number; readonly op: 'fault'; readonly cluster: string; readonly mode: FaultMode }
  | { readonly id: number; readonly op: 'await'; readonly key: string; readonly clusters: readonly string[] }
  | { readonly id: number; readonly op: 'count' }
  | { readonly id: number; readonly op: 'ingress' }
  | { readonly id: number; readonly op: 'stop' };

export interface FleetAnswer {
  readonly id: number;
  readonly error?: string;
  readonly members?: readonly MemberInfo[];
  readonly services?: number;
  readonly ingress?: Readonly<Record<string, string>>;
  /** `await`: when the wait was met, in ms of the machine's monotonic clock (monotonicMs). */
  readonly at?: number;
}

let fleet: FakeKubeFleet | undefined;
const waits = new Set<{ id: number; key: string; clusters: readonly FakeCluster[] }>();
const reply = (a: FleetAnswer): void => {
  process.send?.(a);
};

/** After any member write: answer the waits that are now satisfied, with the moment they were. */
function check(): void {
  for (const w of waits) {
    if (w.clusters.every((c) => c.state.services.has(w.key))) {
      waits.delete(w);
      reply({ id: w.id, at: monotonicMs() });
    }
  }
}

async function serve(r: FleetRequest): Promise<void> {
  switch (r.op) {
    case 'start': {
      const clusters = r.options.map((o, i) => new FakeCluster(i, { ...o, onChange: check }));
      await Promise.all(clusters.map((c) => c.start()));
      fleet = FakeKubeFleet.of(clusters);
      return reply({ id: r.id, members: clusters.map((c) => ({ name: c.name, url: c.url, kubeconfig: c.kubeconfig() })) });
    }
    case 'fault':
      await fleet?.cluster(r.cluster).setFault({ mode: r.mode });
      return reply({ id: r.id });
    case 'await':
      waits.add({ id: r.id, key: r.key, clusters: r.clusters.map((n) => (fleet as FakeKubeFleet).cluster(n)) });
      return check();
    case 'count':
      return reply({ id: r.id, services: fleet?.clusters.reduce((n, c) => n + c.state.services.size, 0) ?? 0 });
    case 'ingress': {
      const ingress: Record<string, string> = {};
      for (const c of fleet?.clusters ?? []) {
        for (const [key, svc] of c.state.services) {
          const ip = (svc.status?.['loadBalancer'] as { ingress?: { ip?: string }[] } | undefined)?.ingress?.[0]?.ip;
          if (ip) ingress[`${c.name}/${key}`] = ip;
        }
      }
      return reply({ id: r.id, ingress });
    }
    case 'stop':
      await fleet?.stop();
      reply({ id: r.id });
      process.disconnect?.();
      return;
  }
}

if (require.main === module) {
  process.on('message', (r: FleetRequest) => {
    serve(r).catch((e: unknown) => reply({ id: r.id, error: e instanceof Error ? e.message : String(e) }));
  });
  // The parent went away: nothing left to serve.
  process.on('disconnect', () => process.exit(0));
}
