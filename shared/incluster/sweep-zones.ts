/**
 * The sweep's part in in-cluster discovery: from this sweep's shard health, each reachable member's
 * zone entries and what its Pods are told (planInCluster, pure), then the member writes (syncZones),
 * one cluster's failure or slowness costing only that cluster. Steady health means no member writes.
 */
import pLimit from 'p-limit';
import { Logger } from '../log';
import { MemberClientFactory } from '../members/credentials';
import { MemberClient, MemberError } from '../members/port';
import { Service } from '../model/service';
import { federatedKey } from '../propagation/member';
import { ClusterHealth } from '../store/sweep-health';
import { ClusterObservation } from '../sweep/observe';
import { zonesOf } from '../sweep/shards';
import { syncZone } from './member';
import { ConfigMap, FederationNames, PodAnswer, ZONE_CONFIGMAP, clusterDomainOf, entriesFromHealth, servicesFor } from './plan';
import { ZoneEntry, ZoneScope } from './zone';

export interface InClusterPlan {
  /** Reachable cluster → its zone. */
  readonly zones: ReadonlyMap<string, { readonly scope: ZoneScope; readonly entries: readonly ZoneEntry[] }>;
  /** Federated Service → cluster → what Pods there are told. */
  readonly answers: ReadonlyMap<string, ReadonlyMap<string, PodAnswer>>;
}

/** Pure: a shard is local while its member exists and the sweep holds it healthy (`health`: cluster → Service → health). */
export function planInCluster(
  names: FederationNames,
  services: readonly Service[],
  observations: ReadonlyMap<string, ClusterObservation>,
  health: ReadonlyMap<string, ClusterHealth>,
): InClusterPlan {
  const zones = new Map<string, { scope: ZoneScope; entries: ZoneEntry[] }>();
  const answers = new Map<string, Map<string, PodAnswer>>();
  for (const [name, obs] of observations) {
    if (!obs.reachable) continue;
    const clusterDomain = clusterDomainOf(obs.cluster);
    const placed = servicesFor(services, obs.cluster).map((s) => {
      const key = federatedKey(s);
      const healthy = obs.members.has(key) && health.get(name)?.[key]?.healthy === true;
      return { namespace: s.metadata.namespace as string, name: s.metadata.name as string, healthy };
    });
    const r = entriesFromHealth(names, { clusterDomain, ...zonesOf(obs.cluster) }, placed);
    zones.set(name, { scope: { federation: names.federation, clusterDomain, ttl: names.ttl }, entries: r.entries });
    for (const [key, a] of r.answers) answers.set(key, (answers.get(key) ?? new Map()).set(name, a));
  }
  return { zones, answers };
}

/** What Pods in `cluster` are told for a Service: this sweep's answer, or (cluster unreachable) what they were last told. */
export function podAnswerFor(
  key: string,
  cluster: string,
  plan: InClusterPlan,
  observations: ReadonlyMap<string, ClusterObservation>,
  previous: PodAnswer | undefined,
): PodAnswer | undefined {
  const o = observations.get(cluster);
  if (!o) return undefined; // a cluster that left tells its Pods nothing any more
  return o.reachable ? plan.answers.get(key)?.get(cluster) : previous;
}

export interface ZoneSyncReport {
  written: number;
  conflicts: number;
  errors: number;
}

/** Starts reading a member's zone ConfigMap (the sweep does it as soon as the cluster is observed). */
export function readZone(client: MemberClient): Promise<ConfigMap | undefined> {
  const p = client.getConfigMap(ZONE_CONFIGMAP.namespace, ZONE_CONFIGMAP.name);
  p.catch(() => undefined);
  return p;
}

export async function syncZones(
  clientFor: MemberClientFactory,
  observations: ReadonlyMap<string, ClusterObservation>,
  plan: InClusterPlan,
  concurrency: number,
  nowMs: number,
  log: Logger,
  firstReads: ReadonlyMap<string, Promise<ConfigMap | undefined>> = new Map(),
): Promise<ZoneSyncReport> {
  const report: ZoneSyncReport = { written: 0, conflicts: 0, errors: 0 };
  const limit = pLimit(Math.max(1, concurrency));
  await Promise.all(
    [...plan.zones].map(([cluster, zone]) =>
      limit(async () => {
        const obs = observations.get(cluster);
        if (!obs) return;
        try {
          const r = await syncZone(await clientFor(obs.cluster), zone.scope, () => zone.entries, nowMs, firstReads.get(cluster));
          if (r.outcome === 'written') report.written++;
          if (r.outcome === 'conflict') {
            report.conflicts++;
            log.warn('in-cluster zone not written', { cluster, reason: r.message });
          }
        } catch (e) {
          report.errors++;
          log.warn('in-cluster zone write failed', { cluster, error: e instanceof MemberError ? `${e.reason}: ${e.message}` : String(e) });
        }
      }),
    ),
  );
  return report;
}
