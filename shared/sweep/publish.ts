/**
 * The sweep's DNS step, shaped like ExternalDNS: health → desired record sets per Service →
 * registry.records() → plan → registry.apply(). Only sets the registry proves skyfed created are
 * ever changed; sets of others in the way are reported on the Service that wanted them. A dry run
 * plans and applies nothing.
 */
import { allDownPolicyOf, desiredRecordSets } from '../dns/desired';
import { globalName, regionalName, zonalName } from '../dns/names';
import { Plan, Untouchable, isEmptyPlan, planChanges } from '../dns/plan';
import { OwnedRecords, Registry } from '../dns/registry';
import { normalizedKey } from '../dns/records';
import { DnsConflictError } from '../dns/providers/port';
import { RecordSet } from '../dns/types';
import { Logger } from '../log';
import { SKYFED } from '../model/meta';
import { Service } from '../model/service';
import { federatedKey } from '../propagation/member';
import { ClusterHealth } from '../store/sweep-health';
import { SweepState } from '../store/sweep-state';

export interface PublishConfig {
  readonly federation: string;
  readonly suffix: string;
  readonly ttl: number;
  readonly maxDeletes: number;
  readonly dryRun?: boolean;
}

export interface Published {
  /** Federated Service → the sets it wants (empty for Services gone or not LoadBalancer). */
  readonly desired: ReadonlyMap<string, readonly RecordSet[]>;
  readonly names: ReadonlyMap<string, NonNullable<SweepState['names']>>;
  readonly warnings: ReadonlyMap<string, readonly string[]>;
  /** Sets of others in the way, by the Service that wanted them (messages). */
  readonly blocked: ReadonlyMap<string, readonly string[]>;
  readonly blockedKeys: ReadonlySet<string>;
  /** Record keys created, updated or deleted by this sweep. */
  readonly changed: ReadonlySet<string>;
  /** Owners of sets in the zone after this sweep (record key → Service). */
  readonly owners: ReadonlyMap<string, string>;
  readonly plan: Plan;
  readonly applyCalls: number;
}

/** The sets each Service owns in the zone now (what it last published; failStatic keeps them). */
function ownedByService(zone: OwnedRecords): Map<string, RecordSet[]> {
  const out = new Map<string, RecordSet[]>();
  for (const r of zone.current) {
    const owner = zone.owners.get(normalizedKey(r));
    if (owner !== undefined) out.set(owner, [...(out.get(owner) ?? []), r]);
  }
  return out;
}

export async function publish(
  config: PublishConfig,
  registry: Registry,
  firstRead: Promise<OwnedRecords>,
  services: readonly Service[],
  health: ReadonlyMap<string, ClusterHealth>,
  log: Logger,
): Promise<Published> {
  let zone = await firstRead;
  const desired = new Map<string, readonly RecordSet[]>();
  const names = new Map<string, NonNullable<SweepState['names']>>();
  const warnings = new Map<string, readonly string[]>();
  const owned = ownedByService(zone);
  const clusters = [...health.keys()].sort(); // a fixed order, so warnings come out the same every sweep
  for (const s of services) {
    const key = federatedKey(s);
    if (s.spec.type !== 'LoadBalancer' || s.metadata.deletionTimestamp) {
      desired.set(key, []);
      continue;
    }
    const views = clusters.flatMap((cluster) => {
      const h = health.get(cluster)?.[key];
      return h
        ? [
            {
              cluster,
              zones: h.zones ?? [],
              ...(h.region ? { region: h.region } : {}),
              healthy: h.healthy,
              addresses: (h.addresses ?? []).map((ip) => ({ ip })),
            },
          ]
        : [];
    });
    const scope = { federation: config.federation, suffix: config.suffix, namespace: s.metadata.namespace as string, service: s.metadata.name as string };
    const r = desiredRecordSets({
      ...scope,
      ttl: config.ttl,
      policy: allDownPolicyOf(s.metadata.annotations?.[SKYFED.dnsPolicy]),
      previous: owned.get(key) ?? [],
      shards: views,
    });
    desired.set(key, r.recordSets);
    warnings.set(
      key,
      r.warnings.map((w) => w.message),
    );
    const regions = [...new Set(views.map((v) => v.region).filter((x): x is string => !!x))].sort();
    const zonal = views.flatMap((v) => (v.region ? v.zones.map((z) => zonalName(scope, v.region as string, z)) : []));
    names.set(key, { global: globalName(scope), regional: regions.map((x) => regionalName(scope, x)), zonal: [...new Set(zonal)].sort() });
  }
  // Services gone from the catalog: nothing is desired for them, so the sets they own go.
  for (const owner of new Set(zone.owners.values())) if (!desired.has(owner)) desired.set(owner, []);

  const all = [...desired.values()].flat();
  const ownerOf = new Map<string, string>();
  for (const [key, sets] of desired) for (const r of sets) ownerOf.set(normalizedKey(r), key);
  let plan = planChanges({ current: zone.current, desired: all, owned: zone.owners.keys(), maxDeletes: config.maxDeletes });
  let changed = new Set<string>();
  let owners = new Map(zone.owners);
  let applyCalls = 0;
  for (let attempt = 1; !config.dryRun && !isEmptyPlan(plan); attempt++) {
    try {
      applyCalls++;
      await registry.apply(plan, (r) => ownerOf.get(normalizedKey(r)) ?? '');
      changed = new Set([...plan.create, ...plan.updateNew, ...plan.delete].map(normalizedKey));
      for (const r of plan.create) owners.set(normalizedKey(r), ownerOf.get(normalizedKey(r)) ?? '');
      for (const r of plan.delete) owners.delete(normalizedKey(r));
      break;
    } catch (e) {
      if (!(e instanceof DnsConflictError) || attempt >= 3) throw e;
      log.warn('DNS zone changed under the sweep; re-reading and re-planning', { attempt, error: e.message });
      zone = await registry.records();
      owners = new Map(zone.owners);
      plan = planChanges({ current: zone.current, desired: all, owned: zone.owners.keys(), maxDeletes: config.maxDeletes });
    }
  }
  return { desired, names, warnings, ...blockedBy(plan.untouchable, ownerOf), changed, owners, plan, applyCalls };
}

function blockedBy(untouchable: readonly Untouchable[], ownerOf: ReadonlyMap<string, string>): { blocked: Map<string, string[]>; blockedKeys: Set<string> } {
  const blocked = new Map<string, string[]>();
  for (const u of untouchable) {
    const key = ownerOf.get(normalizedKey(u.desired));
    if (!key) continue;
    blocked.set(key, [
      ...(blocked.get(key) ?? []),
      `${u.blocking.name} ${u.blocking.type} is in the zone and not skyfed's (${u.reason}); left untouched, ${u.desired.name} ${u.desired.type} not published`,
    ]);
  }
  return { blocked, blockedKeys: new Set(untouchable.map((u) => normalizedKey(u.desired))) };
}

/** A plan in words, one line per change (dry runs and logs). */
export function describePlan(plan: Plan): string[] {
  const line = (op: string, r: RecordSet): string => `${op} ${r.name} ${r.type} ${r.ttl} ${r.rrdatas.join(',')}`;
  return [
    ...plan.create.map((r) => line('CREATE', r)),
    ...plan.updateNew.map((r) => line('UPDATE', r)),
    ...plan.delete.map((r) => line('DELETE', r)),
    ...plan.deferredDeletes.map((r) => line('DEFERRED-DELETE', r)),
    ...plan.untouchable.map((u) => `UNTOUCHABLE ${u.desired.name} ${u.desired.type} (${u.reason}: ${u.blocking.name} ${u.blocking.type} is not skyfed's)`),
  ];
}
