/**
 * Cluster health: probe a member (`/readyz` falling back to `/healthz`, `/version`, node topology)
 * and turn the result into Cluster status. `clusterStatus` is pure and keeps transition times when
 * nothing changed, so a healthy cluster's status document is never rewritten.
 */
import { Cluster, ClusterCondition } from '../model/cluster';
import { MemberClient, MemberError } from '../members/port';

export interface ClusterProbe {
  readonly reachable: boolean;
  readonly ready: boolean;
  readonly version?: string;
  readonly zones?: readonly string[];
  readonly region?: string;
  readonly error?: string;
}

export async function probeCluster(client: MemberClient): Promise<ClusterProbe> {
  try {
    const ready = await client.ready();
    const [version, topology] = await Promise.all([client.version(), client.topology()]);
    return { reachable: true, ready, version, zones: topology.zones, ...(topology.region ? { region: topology.region } : {}) };
  } catch (e) {
    const err = e instanceof MemberError ? e : undefined;
    const reachable = err !== undefined && !['Unreachable', 'Timeout'].includes(err.reason);
    return { reachable, ready: false, error: err ? `${err.reason}: ${err.message}` : String(e) };
  }
}

function condition(prev: ClusterCondition | undefined, next: Omit<ClusterCondition, 'lastTransitionTime'>, now: string): ClusterCondition {
  const same = prev && prev.status === next.status && prev.reason === next.reason && prev.message === next.message;
  if (same) return prev;
  const transitioned = !prev || prev.status !== next.status;
  return { ...next, lastTransitionTime: transitioned ? now : (prev.lastTransitionTime ?? now) };
}

/** New status for `cluster` from a probe; zones/region from the registration override the nodes'. */
export function clusterStatus(cluster: Cluster, probe: ClusterProbe, now: string): NonNullable<Cluster['status']> {
  const prev = cluster.status ?? {};
  const find = (t: string): ClusterCondition | undefined => prev.conditions?.find((c) => c.type === t);
  const ready = condition(
    find('Ready'),
    probe.ready
      ? { type: 'Ready', status: 'True', reason: 'ClusterReady', message: '/readyz responded with ok' }
      : {
          type: 'Ready',
          status: probe.reachable ? 'False' : 'Unknown',
          reason: probe.reachable ? 'ClusterNotReady' : 'ClusterNotReachable',
          message: probe.error ?? '/readyz did not respond with ok',
        },
    now,
  );
  const offline = condition(
    find('Offline'),
    probe.reachable
      ? { type: 'Offline', status: 'False', reason: 'ClusterReachable', message: 'the API server answered' }
      : { type: 'Offline', status: 'True', reason: 'ClusterNotReachable', message: probe.error ?? 'no answer' },
    now,
  );
  const zones = cluster.spec.zones?.length ? [...cluster.spec.zones] : [...(probe.zones ?? prev.zones ?? [])];
  const region = cluster.spec.region ?? probe.region ?? (probe.reachable ? undefined : prev.region);
  const version = probe.version ?? prev.version;
  return {
    conditions: [ready, offline],
    zones,
    ...(region ? { region } : {}),
    ...(version ? { version } : {}),
  };
}
