/**
 * What a reader of a federated Service sees in `status`: every shard's load-balancer ingress
 * (`status.loadBalancer.ingress`, de-duplicated), v1's per-cluster annotation, and `status.federation`
 * with each shard's state, health and last error.
 */
import { Cluster } from '../model/cluster';
import { SKYFED } from '../model/meta';
import { LoadBalancerIngress, Service } from '../model/service';
import { ShardDoc } from '../store/shards';
import { SweepState } from '../store/sweep-state';
import { placedOn } from './placement';

export interface FederationStatus {
  placed: number;
  shards: {
    cluster: string;
    present: boolean;
    ingress: readonly LoadBalancerIngress[];
    readyEndpoints?: number;
    healthy?: boolean;
    /** Why, from a fixed list (shared/sweep/reasons.ts); `health` says it in words. */
    healthReason?: string;
    health?: string;
    healthSince?: string;
    error?: string;
    conflict?: string;
    /** What Pods in that cluster are told (in-cluster discovery). */
    inCluster?: { name: string; cname: string; local: boolean };
    /** Since when the shard has shown its error or conflict (an open circuit breaker: since it opened). */
    errorSince?: string;
  }[];
  dns?: {
    names?: SweepState['names'];
    answers: { name: string; type: string; ttl: number; data: readonly string[] }[];
    lastChange?: string;
    warnings?: readonly string[];
  };
  history?: SweepState['history'];
}

export function presentService(s: Service, shards: readonly ShardDoc[], clusters: readonly Cluster[], sweep?: SweepState): Service {
  const placed = clusters.filter((c) => placedOn(s.metadata.annotations, c.metadata.labels)).length;
  const sorted = [...shards].sort((a, b) => a.cluster.localeCompare(b.cluster));
  const ingress: LoadBalancerIngress[] = [];
  const seen = new Set<string>();
  for (const sh of sorted) {
    // The member's ingress as propagation last saw it; the sweep's observation when that is newer.
    const swept: LoadBalancerIngress[] = (sweep?.health[sh.cluster]?.addresses ?? []).map((ip) => ({ ip }));
    const current = (sh.propagation?.ingress ?? []).length ? (sh.propagation?.ingress ?? []) : swept;
    for (const i of current) {
      const k = i.ip ?? i.hostname ?? '';
      if (k && !seen.has(k)) {
        seen.add(k);
        ingress.push(i.ip ? { ip: i.ip } : { hostname: i.hostname as string });
      }
    }
  }
  const federation: FederationStatus = {
    placed,
    shards: sorted.map((sh) => {
      const h = sweep?.health[sh.cluster];
      return {
        cluster: sh.cluster,
        present: sh.propagation?.present ?? false,
        ingress: (sh.propagation?.ingress ?? []).length ? (sh.propagation?.ingress ?? []) : (h?.addresses ?? []).map((ip) => ({ ip })),
        ...(h
          ? {
              readyEndpoints: h.readyEndpoints,
              healthy: h.healthy,
              ...(h.code ? { healthReason: h.code } : {}),
              health: h.reason,
              ...(h.since ? { healthSince: h.since } : {}),
            }
          : {}),
        ...(sh.propagation?.error ? { error: sh.propagation.error } : {}),
        ...(sh.propagation?.conflict ? { conflict: sh.propagation.conflict } : {}),
        ...(sweep?.podAnswers?.[sh.cluster] ? { inCluster: sweep.podAnswers[sh.cluster] } : {}),
        ...((sh.propagation?.error || sh.propagation?.conflict) && sh.propagation.since ? { errorSince: sh.propagation.since } : {}),
      };
    }),
    ...(sweep
      ? {
          dns: {
            ...(sweep.names ? { names: sweep.names } : {}),
            answers: sweep.published.map((r) => ({ name: r.name, type: r.type, ttl: r.ttl, data: r.rrdatas })),
            ...(sweep.lastDnsChange ? { lastChange: sweep.lastDnsChange } : {}),
            ...(sweep.warnings?.length ? { warnings: sweep.warnings } : {}),
          },
          history: sweep.history,
        }
      : {}),
  };
  const perCluster = Object.fromEntries(sorted.filter((sh) => (sh.propagation?.ingress ?? []).length > 0).map((sh) => [sh.cluster, sh.propagation?.ingress]));
  const annotations = { ...(s.metadata.annotations ?? {}) };
  if (Object.keys(perCluster).length > 0) annotations[SKYFED.serviceIngresses] = JSON.stringify(perCluster);
  return {
    ...s,
    metadata: { ...s.metadata, ...(Object.keys(annotations).length ? { annotations } : {}) },
    status: { ...(s.status ?? {}), loadBalancer: ingress.length ? { ingress } : {}, federation },
  };
}
