/**
 * One health sweep (the scheduled `healthSweep` function): observe clusters, probe every shard's
 * load-balancer address under one global concurrency limit, update health with hysteresis, then
 * plan DNS for all Services against the zone and the ledger and apply it as one change. Nothing is
 * written — to DNS or Firestore — when nothing changed.
 */
import pLimit from 'p-limit';
import { AllDownPolicy, desiredRecordSets } from '../dns/desired';
import { globalName, regionalName, zonalName } from '../dns/names';
import { Untouchable, isEmptyPlan, planChanges } from '../dns/plan';
import { LedgerStore, Registry } from '../dns/registry';
import { normalizedKey } from '../dns/records';
import { DnsConflictError, DnsProvider } from '../dns/providers/port';
import { RecordSet } from '../dns/types';
import { Logger } from '../log';
import { Cluster } from '../model/cluster';
import { SKYFED } from '../model/meta';
import { Service } from '../model/service';
import { MemberClientFactory } from '../members/credentials';
import { federatedKey } from '../propagation/member';
import { ObjectStore } from '../store/port';
import { HealthState, MemberIndex } from '../store/shards';
import { AddressGuard } from '../net/address-guard';
import { EMPTY_STATE, HistoryEntry, SweepState, SweepStateStore, appendHistory } from '../store/sweep-state';
import { observeClusters } from './observe';
import { Prober } from './probe';
import { ShardPlan, planShards, probeKey, probeTargets } from './shards';
import { Thresholds, nextHealth } from './thresholds';
import { stableJson } from '../util/stable-json';

export interface SweepConfig {
  readonly federation: string;
  readonly suffix: string;
  readonly ttl: number;
  readonly probeTimeoutMs: number;
  readonly concurrency: number;
  readonly thresholds: Thresholds;
  readonly maxDeletes: number;
  readonly activeProbes: boolean;
}

export interface SweepDeps {
  readonly store: ObjectStore;
  readonly states: SweepStateStore;
  readonly clientFor: MemberClientFactory;
  readonly dns: DnsProvider;
  /** The DNS ownership ledger (what skyfed created in the zone). */
  readonly ledger: LedgerStore;
  readonly probe: Prober;
  /** The dial guard every probed address passes. */
  readonly guard: AddressGuard;
  /** Which member Services propagation created (by uid): only those are probed. */
  readonly memberIndex: MemberIndex;
  readonly resolveHost: (hostname: string) => Promise<string[]>;
  readonly log: Logger;
  readonly config: SweepConfig;
  readonly now: () => Date;
}

export interface SweepReport {
  shards: number;
  probes: number;
  healthy: number;
  dnsRecordChanges: number;
  dnsApplyCalls: number;
  stateReads: number;
  stateWrites: number;
  transitions: number;
  untouchable: number;
  ms: number;
  /** Milliseconds spent reading state and observing clusters (together), probing, and planning + publishing DNS. */
  phases: { read: number; probe: number; publish: number };
}

const iso = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

type ProbeOutcome = { ok: boolean; reason: string; addresses: string[] };

/** Probes one shard; whatever goes wrong fails that shard only, with the reason in its status. */
async function probeShard(deps: SweepDeps, shard: ShardPlan, report: SweepReport): Promise<ProbeOutcome> {
  try {
    return await probeShardOnce(deps, shard, report);
  } catch (e) {
    deps.log.warn('probe failed unexpectedly', { service: shard.service, cluster: shard.cluster, error: e instanceof Error ? e.name : 'error' });
    return { ok: false, reason: 'probe failed', addresses: [] };
  }
}

/** Probes one shard (resolving hostname load balancers each time) under the sweep's limiter. */
async function probeShardOnce(deps: SweepDeps, shard: ShardPlan, report: SweepReport): Promise<ProbeOutcome> {
  const addresses: string[] = [];
  for (const i of shard.ingress) {
    if (i.ip) addresses.push(i.ip);
    else if (i.hostname) addresses.push(...(await deps.resolveHost(i.hostname).catch(() => [])));
  }
  if (shard.downBecause) return { ok: false, reason: shard.downBecause, addresses };
  if (addresses.length === 0) return { ok: false, reason: 'load-balancer hostname did not resolve', addresses };
  if (!deps.config.activeProbes) return { ok: true, reason: `${shard.readyEndpoints} ready endpoints (active probe disabled)`, addresses };
  const allowed = addresses.filter((a) => deps.guard.refusal(a) === undefined);
  if (allowed.length === 0) return { ok: false, reason: `probe refused: ${deps.guard.refusal(addresses[0] as string) ?? ''}`, addresses };
  const results = await Promise.all(probeTargets(shard, allowed).map((t) => { report.probes++; return deps.probe(t, deps.config.probeTimeoutMs); }));
  const ok = results.some((r) => r.ok);
  const what = results.find((r) => r.ok === ok)?.reason ?? '';
  const reason = shard.controlPlaneDown ? `cluster API unreachable; data plane ${ok ? 'answering' : 'failing'} (${what})` : ok ? `${shard.readyEndpoints} ready endpoints, ${what}` : what;
  return { ok, reason, addresses };
}

function policyOf(s: Service): AllDownPolicy {
  const p = s.metadata.annotations?.[SKYFED.dnsPolicy];
  return p === 'failOpen' || p === 'remove' ? p : 'failStatic';
}

export async function sweep(deps: SweepDeps): Promise<SweepReport> {
  const started = Date.now();
  const report: SweepReport = { shards: 0, probes: 0, healthy: 0, dnsRecordChanges: 0, dnsApplyCalls: 0, stateReads: 0, stateWrites: 0, transitions: 0, untouchable: 0, ms: 0, phases: { read: 0, probe: 0, publish: 0 } };
  let mark = Date.now();
  const phase = (k: keyof SweepReport['phases']): void => { report.phases[k] = Date.now() - mark; mark = Date.now(); };
  // The zone's current record sets are read while the probes run.
  const currentRecords = deps.dns.records();
  currentRecords.catch(() => undefined);
  // Pipelined: each cluster's shards are probed as soon as that cluster is observed (and the
  // previous sweep's state is read, for the probe order), while the Services are still being read.
  const limit = pLimit(Math.max(1, deps.config.concurrency));
  const early = new Map<string, Promise<ProbeOutcome>>();
  const clusterRecs = await deps.store.list<Cluster>('clusters');
  const statesP = deps.states.listAll();
  const servicesP = deps.store.list<Service>('services');
  const createdP = deps.memberIndex.readAll();
  const inputsP = Promise.all([servicesP, statesP, createdP]);
  // Longest first: shards whose last probe timed out go first, so the slow probes overlap with the
  // many fast ones instead of trailing after them (a shorter makespan for the same concurrency).
  const slowFirst = (states: ReadonlyMap<string, SweepState>) => (a: ShardPlan, b: ShardPlan): number => {
    const slow = (sh: ShardPlan): number => (/within \d+ ms/.test(states.get(sh.service)?.health[sh.cluster]?.reason ?? '') ? 0 : 1);
    return slow(a) - slow(b);
  };
  const observations = await observeClusters(clusterRecs.map((r) => r.object), deps.clientFor, deps.config.concurrency, (o) => {
    void inputsP.then(([svcs, states, created]) => {
      const prev = new Map([...states].map(([k, v]) => [k, v.health]));
      const mine = planShards(svcs.map((r) => r.object), new Map([[o.cluster.metadata.name ?? '', o]]), prev, created).filter((sh) => !sh.downBecause);
      for (const sh of mine.sort(slowFirst(states))) early.set(probeKey(sh), limit(() => probeShard(deps, sh, report)));
    }, () => undefined);
  });
  const [serviceRecs, states, created] = await inputsP;
  report.stateReads = clusterRecs.length + serviceRecs.length + states.size + created.size;
  phase('read');
  const services = serviceRecs.map((r) => r.object);
  const previousHealth = new Map([...states].map(([k, v]) => [k, v.health]));
  const shards = planShards(services, observations, previousHealth, created).sort(slowFirst(states));
  report.shards = shards.length;
  const results = new Map<string, ProbeOutcome>();
  await Promise.all(shards.map(async (sh) => {
    const pending = sh.downBecause ? undefined : early.get(probeKey(sh));
    results.set(`${sh.service}@${sh.cluster}`, await (pending ?? limit(() => probeShard(deps, sh, report))));
  }));
  phase('probe');
  const now = iso(deps.now());

  // Health, per Service.
  const next = new Map<string, SweepState>();
  const byService = new Map<string, ShardPlan[]>();
  for (const sh of shards) byService.set(sh.service, [...(byService.get(sh.service) ?? []), sh]);
  for (const s of services) {
    const key = federatedKey(s);
    const prev = states.get(key) ?? EMPTY_STATE;
    const health: Record<string, HealthState> = {};
    const history: HistoryEntry[] = [];
    for (const sh of byService.get(key) ?? []) {
      const r = results.get(`${sh.service}@${sh.cluster}`) ?? { ok: false, reason: 'not probed', addresses: [] };
      const before = prev.health[sh.cluster];
      const h = nextHealth(before, { ok: r.ok, reason: r.reason, readyEndpoints: sh.readyEndpoints, addresses: r.addresses, zones: sh.zones, ...(sh.region ? { region: sh.region } : {}) }, deps.config.thresholds, now);
      health[sh.cluster] = h;
      if (h.healthy) report.healthy++;
      if (!before || before.healthy !== h.healthy) {
        report.transitions++;
        history.push({ at: now, kind: 'health', message: `${sh.cluster}: ${h.healthy ? 'healthy' : 'unhealthy'} (${r.reason})` });
      }
    }
    next.set(key, { ...prev, health, history: appendHistory(prev.history, history) });
  }

  await publishDns(deps, services, states, next, now, report, currentRecords);
  phase('publish');
  report.ms = Date.now() - started;
  return report;
}

async function publishDns(deps: SweepDeps, services: readonly Service[], states: ReadonlyMap<string, SweepState>, next: Map<string, SweepState>, now: string, report: SweepReport, prefetched: Promise<RecordSet[]>): Promise<void> {
  const c = deps.config;
  const persisted = new Map(states);
  const desiredBy = new Map<string, RecordSet[]>();
  for (const s of services) {
    const key = federatedKey(s);
    const st = next.get(key) as SweepState;
    if (s.spec.type !== 'LoadBalancer' || s.metadata.deletionTimestamp) {
      desiredBy.set(key, []);
      continue;
    }
    const shardViews = Object.entries(st.health).map(([cluster, h]) => ({
      cluster, zones: h.zones ?? [], ...(h.region ? { region: h.region } : {}), healthy: h.healthy,
      addresses: (h.addresses ?? []).map((ip) => ({ ip })),
    }));
    const { recordSets, warnings } = desiredRecordSets({
      federation: c.federation, suffix: c.suffix, ttl: c.ttl, service: s.metadata.name as string, namespace: s.metadata.namespace as string,
      policy: policyOf(s), previous: st.published, shards: shardViews,
    });
    desiredBy.set(key, recordSets);
    const scope = { federation: c.federation, suffix: c.suffix, namespace: s.metadata.namespace as string, service: s.metadata.name as string };
    const regions = [...new Set(shardViews.map((v) => v.region).filter((r): r is string => !!r))].sort();
    const zonal = shardViews.flatMap((v) => (v.region ? v.zones.map((z) => zonalName(scope, v.region as string, z)) : []));
    next.set(key, { ...st, names: { global: globalName(scope), regional: regions.map((r) => regionalName(scope, r)), zonal: [...new Set(zonal)].sort() }, warnings: warnings.map((w) => w.message) });
  }
  // Services gone since the last sweep: nothing is desired for them, so their sets go (owned ones only).
  for (const key of states.keys()) if (!next.has(key)) desiredBy.set(key, []);

  const registry = new Registry(deps.dns, deps.ledger);
  const desired = [...desiredBy.values()].flat();
  const ownerOf = new Map<string, string>();
  for (const [key, sets] of desiredBy) for (const r of sets) ownerOf.set(normalizedKey(r), key);
  let changedKeys = new Set<string>();
  let owners: ReadonlyMap<string, string> = new Map();
  let untouchable: readonly Untouchable[] = [];
  for (let attempt = 1; ; attempt++) {
    const zone = await registry.records(attempt === 1 ? prefetched : undefined);
    owners = zone.owners;
    const plan = planChanges({ current: zone.current, desired, owned: owners.keys(), maxDeletes: c.maxDeletes });
    untouchable = plan.untouchable;
    report.untouchable = plan.untouchable.length;
    if (isEmptyPlan(plan)) break;
    try {
      report.dnsApplyCalls++;
      await registry.apply(plan, (r) => ownerOf.get(normalizedKey(r)) ?? '');
      report.dnsRecordChanges = plan.create.length + plan.updateNew.length + plan.delete.length;
      changedKeys = new Set([...plan.create, ...plan.updateNew, ...plan.delete].map(normalizedKey));
      const after = new Map(owners);
      for (const r of plan.create) after.set(normalizedKey(r), ownerOf.get(normalizedKey(r)) ?? '');
      for (const r of plan.delete) after.delete(normalizedKey(r));
      owners = after;
      break;
    } catch (e) {
      if (!(e instanceof DnsConflictError) || attempt >= 3) throw e;
      deps.log.warn('DNS zone changed under the sweep; re-reading and re-planning', { attempt, error: e.message });
    }
  }
  // Sets in the way that are not ours: reported on the Service that wanted them, never touched.
  const blocked = new Map<string, string[]>();
  const blockedKeys = new Set(untouchable.map((u) => normalizedKey(u.desired)));
  for (const u of untouchable) {
    const key = ownerOf.get(normalizedKey(u.desired));
    if (!key) continue;
    blocked.set(key, [...(blocked.get(key) ?? []), `${u.blocking.name} ${u.blocking.type} is in the zone and not skyfed's (${u.reason}); left untouched, ${u.desired.name} ${u.desired.type} not published`]);
  }
  // What each Service now publishes (failStatic keeps it), and when its answers last changed.
  for (const [key, sets] of desiredBy) {
    const st = next.get(key);
    if (!st) continue;
    const mine = new Set([...sets.map(normalizedKey), ...[...owners].filter(([, o]) => o === key).map(([k]) => k)]);
    const changedHere = [...changedKeys].some((k) => mine.has(k));
    const conflicts = blocked.get(key) ?? [];
    next.set(key, {
      ...st, published: sets.filter((r) => !blockedKeys.has(normalizedKey(r))),
      ...(conflicts.length > 0 || st.warnings ? { warnings: [...(st.warnings ?? []), ...conflicts] } : {}),
      ...(changedHere ? { lastDnsChange: now, history: appendHistory(st.history, [{ at: now, kind: 'dns', message: `published ${describeSets(sets)}` }]) } : {}),
    });
  }
  await writeStates(deps, persisted, next, report);
  // Forget Services that are gone and own nothing any more.
  const stillOwning = new Set(owners.values());
  for (const key of states.keys()) {
    if (services.some((s) => federatedKey(s) === key) || stillOwning.has(key)) continue;
    next.delete(key);
    const [ns, name] = key.split('/') as [string, string];
    await deps.states.remove(ns, name);
    report.stateWrites++;
  }
}

function describeSets(sets: readonly RecordSet[]): string {
  if (sets.length === 0) return 'nothing (all records removed)';
  return sets.map((s) => `${s.name} ${s.type} ${s.rrdatas.join(',')}`).join('; ');
}

/** Writes the states that differ from what is persisted, and records them as persisted. */
async function writeStates(deps: SweepDeps, persisted: Map<string, SweepState>, next: Map<string, SweepState>, report: SweepReport): Promise<void> {
  await Promise.all([...next].map(async ([key, st]) => {
    const prev = persisted.get(key);
    if (prev && stableJson(prev) === stableJson(st)) return;
    const [ns, name] = key.split('/') as [string, string];
    await deps.states.put(ns, name, st);
    persisted.set(key, st);
    report.stateWrites++;
  }));
}
