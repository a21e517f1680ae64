/**
 * The sweep's part in in-cluster discovery: from this sweep's shard health, each reachable member's
 * zone entries and what its Pods are told (planInCluster, pure), then the member writes (syncZones),
 * one cluster's failure or slowness costing only that cluster. Steady health means no member writes.
 */
import pLimit from 'p-limit';
import { Logger } from '../log';
import { MemberClientFactory } from '../members/credentials';
import { MemberError } from '../members/port';
import { Service } from '../model/service';
import { federatedKey } from '../propagation/member';
import { SweepState } from '../store/sweep-state';
import { ClusterObservation } from '../sweep/observe';
import { zonesOf } from '../sweep/shards';
import { syncZone } from './member';
import { FederationNames, PodAnswer, clusterDomainOf, entriesFromHealth, servicesFor } from './plan';
import { ZoneEntry, ZoneScope } from './zone';

export interface InClusterPlan {
  /** Reachable cluster → its zone. */
  readonly zones: ReadonlyMap<string, { readonly scope: ZoneScope; readonly entries: readonly ZoneEntry[] }>;
  /** Federated Service → cluster → what Pods there are told. */
  readonly answers: ReadonlyMap<string, ReadonlyMap<string, PodAnswer>>;
}

/** Pure: a shard is local while its member exists and the sweep holds it healthy. */
export function planInCluster(names: FederationNames, services: readonly Service[], observations: ReadonlyMap<string, ClusterObservation>, states: ReadonlyMap<string, SweepState>): InClusterPlan {
  const zones = new Map<string, { scope: ZoneScope; entries: ZoneEntry[] }>();
  const answers = new Map<string, Map<string, PodAnswer>>();
  for (const [name, obs] of observations) {
    if (!obs.reachable) continue;
    const clusterDomain = clusterDomainOf(obs.cluster);
    const placed = servicesFor(services, obs.cluster).map((s) => {
      const key = federatedKey(s);
      const healthy = obs.members.has(key) && states.get(key)?.health[name]?.healthy === true;
      return { namespace: s.metadata.namespace as string, name: s.metadata.name as string, healthy };
    });
    const r = entriesFromHealth(names, { clusterDomain, ...zonesOf(obs.cluster) }, placed);
    zones.set(name, { scope: { federation: names.federation, clusterDomain, ttl: names.ttl }, entries: r.entries });
    for (const [key, a] of r.answers) answers.set(key, (answers.get(key) ?? new Map()).set(name, a));
  }
  return { zones, answers };
}

/** A Service's sweep state with `podAnswers` brought up to date (unreachable clusters keep what they were last told). */
export function withPodAnswers(key: string, state: SweepState, plan: InClusterPlan, observations: ReadonlyMap<string, ClusterObservation>): SweepState {
  const out: Record<string, PodAnswer> = {};
  for (const [cluster, obs] of observations) {
    const a = obs.reachable ? plan.answers.get(key)?.get(cluster) : state.podAnswers?.[cluster];
    if (a) out[cluster] = a;
  }
  const { podAnswers: _old, ...rest } = state;
  return Object.keys(out).length ? { ...rest, podAnswers: out } : rest;
}

export interface ZoneSyncReport {
  written: number;
  conflicts: number;
  errors: number;
}

export async function syncZones(clientFor: MemberClientFactory, observations: ReadonlyMap<string, ClusterObservation>, plan: InClusterPlan, concurrency: number, nowMs: number, log: Logger): Promise<ZoneSyncReport> {
  const report: ZoneSyncReport = { written: 0, conflicts: 0, errors: 0 };
  const limit = pLimit(Math.max(1, concurrency));
  await Promise.all([...plan.zones].map(([cluster, zone]) => limit(async () => {
    const obs = observations.get(cluster);
    if (!obs) return;
    try {
      const r = await syncZone(await clientFor(obs.cluster), zone.scope, () => zone.entries, nowMs);
      if (r.outcome === 'written') report.written++;
      if (r.outcome === 'conflict') {
        report.conflicts++;
        log.warn('in-cluster zone not written', { cluster, reason: r.message });
      }
    } catch (e) {
      report.errors++;
      log.warn('in-cluster zone write failed', { cluster, error: e instanceof MemberError ? `${e.reason}: ${e.message}` : String(e) });
    }
  })));
  return report;
}
