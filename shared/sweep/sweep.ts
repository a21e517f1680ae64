/**
 * One health sweep (the scheduled `healthSweep` function): observe clusters, probe every shard's
 * load-balancer address under one global concurrency limit, update health with hysteresis, publish
 * DNS through the registry (publish.ts), tell members' Pods (shared/incluster), and show the result
 * on each Service (present-state.ts).
 *
 * What a sweep reads is O(clusters), not O(Services): the clusters, the Service catalog (a fixed
 * number of documents), one health record per cluster, the member index (one per cluster), the DNS
 * ledger and the view digests (fixed numbers). Nothing is written — to DNS, members or Firestore —
 * when nothing changed. A dry run reads and plans the same way and writes nothing.
 */
import { twoLanes } from './lanes';
import { jsonEqual } from '../util/json-equal';
import { LedgerStore, Registry } from '../dns/registry';
import { DnsProvider } from '../dns/providers/port';
import { ConfigMap } from '../incluster/plan';
import { planInCluster, podAnswerFor, readZone, syncZones } from '../incluster/sweep-zones';
import { Logger } from '../log';
import { Cluster } from '../model/cluster';
import { keyOf } from '../model/meta';
import { MemberClientFactory } from '../members/credentials';
import { AddressGuard } from '../net/address-guard';
import { EventRecorder } from '../recorder/recorder';
import { shardHealth } from '../recorder/occurrences';
import { ObjectStore } from '../store/port';
import { ServiceCatalog } from '../store/service-catalog';
import { ShardedMap } from '../store/sharded-map';
import { MemberIndex } from '../store/shards';
import { ClusterHealth, HealthStore, ShardHealth } from '../store/sweep-health';
import { HistoryEntry, SweepStateStore } from '../store/sweep-state';
import { observeClusters } from './observe';
import { Prober } from './probe';
import { presentAll } from './present-state';
import { describePlan, publish } from './publish';
import { ShardPlan, lastKnownShards, planShards, probeKey } from './shards';
import { ProbeOutcome, probeShard, reasonFor } from './probe-shard';
import { Thresholds, nextHealth } from './thresholds';
import { rfc3339 } from '../util/time';

export interface SweepConfig {
  readonly federation: string;
  readonly suffix: string;
  readonly ttl: number;
  readonly probeTimeoutMs: number;
  readonly concurrency: number;
  readonly thresholds: Thresholds;
  readonly maxDeletes: number;
  readonly activeProbes: boolean;
  /** Plan only: nothing is written to DNS, members or Firestore; the report carries the plan. */
  readonly dryRun?: boolean;
}

export interface SweepDeps {
  readonly store: ObjectStore;
  /** What the sweep knows of each federated Service (kept by propagation). */
  readonly catalog: ServiceCatalog;
  readonly health: HealthStore;
  /** Each Service's view (`kubectl get svc -o yaml` status) and the digests that say when it changed. */
  readonly presentation: SweepStateStore;
  readonly digests: ShardedMap;
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
  /** Events for `kubectl describe` (best-effort; shared/recorder/recorder.ts). */
  readonly events?: EventRecorder;
}

export interface SweepReport {
  shards: number;
  probes: number;
  healthy: number;
  dnsRecordChanges: number;
  dnsApplyCalls: number;
  /** Firestore documents read (clusters, catalog, health, member index, ledger, digests). */
  stateReads: number;
  stateWrites: number;
  transitions: number;
  untouchable: number;
  /** Zone ConfigMaps written to members (in-cluster discovery); 0 when no answer changed. */
  memberWrites: number;
  /** The DNS changes, one line each (planned in a dry run, applied otherwise). */
  plan: string[];
  ms: number;
  /** Milliseconds: reading state and observing clusters (together), waiting for the last probe, deciding health and Pod answers, planning + publishing DNS, recording state. */
  phases: { read: number; probe: number; health: number; dns: number; record: number };
}

/** The ledger as read, never written (dry runs). */
const readOnly = (ledger: LedgerStore): LedgerStore => ({ read: () => ledger.read(), write: async () => undefined });

export async function sweep(deps: SweepDeps): Promise<SweepReport> {
  const started = Date.now();
  const dryRun = deps.config.dryRun === true;
  const report: SweepReport = {
    shards: 0,
    probes: 0,
    healthy: 0,
    dnsRecordChanges: 0,
    dnsApplyCalls: 0,
    stateReads: 0,
    stateWrites: 0,
    transitions: 0,
    untouchable: 0,
    memberWrites: 0,
    plan: [],
    ms: 0,
    phases: { read: 0, probe: 0, health: 0, dns: 0, record: 0 },
  };
  const countProbe = (): void => {
    report.probes++;
  };
  let mark = Date.now();
  const phase = (k: keyof SweepReport['phases']): void => {
    report.phases[k] = Date.now() - mark;
    mark = Date.now();
  };
  // Pipelined: each cluster's shards are probed at the last sweep's addresses as soon as that
  // cluster's health record (streamed), the catalog and the Cluster list are in, and each cluster's
  // other shards as soon as that cluster is observed; an early probe serves only a shard observed
  // the same (probeKey). Shards whose last probe timed out take the slow lane (lanes.ts): they get
  // each free slot first, so they all start early and the fast probes fit around them. The zone and
  // the ledger (large, not needed until publishing) are read after the small state, while probes run.
  const ledgerReadsBefore = deps.ledger.documentsRead ?? 0;
  const registry = new Registry(deps.dns, dryRun ? readOnly(deps.ledger) : deps.ledger);
  const lanes = twoLanes(deps.config.concurrency);
  const early = new Map<string, Promise<ProbeOutcome>>();
  const timedOutLast = (prev: ReadonlyMap<string, ClusterHealth>, sh: ShardPlan): boolean => prev.get(sh.cluster)?.[sh.service]?.code === 'ProbeTimedOut';
  const startProbes = (shards: ShardPlan[], prev: ReadonlyMap<string, ClusterHealth>): void => {
    for (const sh of shards) {
      const k = probeKey(sh);
      if (!early.has(k))
        early.set(
          k,
          lanes.run(timedOutLast(prev, sh), () => probeShard(deps, sh, countProbe)),
        );
    }
  };
  const clustersP = deps.store.list<Cluster>('clusters');
  const catalogP = deps.catalog.readAll();
  const startFromLastSweep = (cluster: string, health: ClusterHealth): void => {
    void Promise.all([catalogP, clustersP]).then(
      ([catalog, recs]) => {
        const c = recs.find((r) => r.object.metadata.name === cluster)?.object;
        const prev = new Map([[cluster, health]]);
        if (c) startProbes(lastKnownShards(catalog.services, [c], prev), prev);
      },
      () => undefined,
    );
  };
  const inputsP = Promise.all([catalogP, deps.health.readAll(startFromLastSweep), deps.memberIndex.readAll(), deps.digests.read()]);
  inputsP.catch(() => undefined);
  const zoneP = Promise.allSettled([inputsP, clustersP]).then(() => registry.records());
  zoneP.catch(() => undefined);
  const clusterRecs = await clustersP;
  // Each observed member's zone ConfigMap is read while the probes run (in-cluster discovery compares against it).
  const zoneReads = new Map<string, Promise<ConfigMap | undefined>>();
  const observations = await observeClusters(
    clusterRecs.map((r) => r.object),
    deps.clientFor,
    deps.config.concurrency,
    (o) => {
      if (!dryRun) {
        const read = deps.clientFor(o.cluster).then(readZone);
        read.catch(() => undefined); // a failed read is the zone sync's to report, when it awaits it
        zoneReads.set(o.cluster.metadata.name ?? '', read);
      }
      void inputsP.then(
        ([catalog, health, created]) => {
          startProbes(
            planShards(catalog.services, new Map([[o.cluster.metadata.name ?? '', o]]), health.clusters, created).filter((sh) => !sh.downBecause),
            health.clusters,
          );
        },
        () => undefined,
      );
    },
  );
  const [catalog, previous, created, digests] = await inputsP;
  const services = catalog.services;
  const otherReads = clusterRecs.length + catalog.documents + previous.documents + Math.max(1, created.size) + digests.documents;
  phase('read');
  const shards = planShards(services, observations, previous.clusters, created);
  report.shards = shards.length;
  // Each shard is judged the moment its probe ends (while slower probes still run); the results are
  // gathered in shard order below, so what is stored and reported does not depend on timing.
  const now = rfc3339(deps.now());
  const judged = new Map<ShardPlan, { reason: string; before: ShardHealth | undefined; h: ShardHealth }>();
  const judge = (sh: ShardPlan, o: ProbeOutcome): void => {
    const reason = reasonFor(sh, o);
    const before = previous.clusters.get(sh.cluster)?.[sh.service];
    const h = nextHealth(
      before,
      {
        ok: o.ok,
        code: o.code,
        reason,
        readyEndpoints: sh.readyEndpoints,
        addresses: o.addresses,
        zones: sh.zones,
        ...(sh.region ? { region: sh.region } : {}),
      },
      deps.config.thresholds,
      now,
    );
    judged.set(sh, { reason, before, h });
  };
  await Promise.all(
    shards.map(async (sh) => {
      const pending = sh.downBecause ? undefined : early.get(probeKey(sh));
      judge(sh, await (pending ?? lanes.run(timedOutLast(previous.clusters, sh), () => probeShard(deps, sh, countProbe))));
    }),
  );
  phase('probe');

  // Health, per cluster; transitions go to each Service's history and Events.
  const serviceBy = new Map(services.map((s) => [keyOf(s), s]));
  const health = new Map<string, Record<string, ShardHealth>>();
  const transitions = new Map<string, HistoryEntry[]>();
  for (const sh of shards) {
    const { reason, before, h } = judged.get(sh) as { reason: string; before: ShardHealth | undefined; h: ShardHealth };
    const entries = health.get(sh.cluster) ?? {};
    entries[sh.service] = h;
    health.set(sh.cluster, entries);
    if (h.healthy) report.healthy++;
    if (!before || before.healthy !== h.healthy) {
      report.transitions++;
      transitions.set(sh.service, [
        ...(transitions.get(sh.service) ?? []),
        { at: now, kind: 'health', message: `${sh.cluster}: ${h.healthy ? 'healthy' : 'unhealthy'} (${reason})` },
      ]);
      const svc = serviceBy.get(sh.service);
      if (svc && !dryRun) deps.events?.record(shardHealth(svc, sh.cluster, h.healthy, reason));
    }
  }
  // In-cluster discovery: what Pods are told rides on each shard's health record.
  const inCluster = planInCluster({ federation: deps.config.federation, suffix: deps.config.suffix, ttl: deps.config.ttl }, services, observations, health);
  for (const [cluster, entries] of health) {
    for (const [key, h] of Object.entries(entries)) {
      const a = podAnswerFor(key, cluster, inCluster, observations, previous.clusters.get(cluster)?.[key]?.podAnswer);
      const { podAnswer: _old, ...rest } = h;
      entries[key] = a ? { ...rest, podAnswer: a } : rest;
    }
  }
  phase('health');
  const zones = dryRun
    ? Promise.resolve()
    : syncZones(deps.clientFor, observations, inCluster, deps.config.concurrency, deps.now().getTime(), deps.log, zoneReads).then((z) => {
        report.memberWrites = z.written;
      });
  const published = await publish({ ...deps.config, dryRun }, registry, zoneP, services, health, deps.log);
  phase('dns');
  report.plan = describePlan(published.plan);
  report.untouchable = published.plan.untouchable.length;
  report.dnsApplyCalls = published.applyCalls;
  report.dnsRecordChanges = published.changed.size;
  report.stateReads = otherReads + (deps.ledger.documentsRead ?? 0) - ledgerReadsBefore;
  if (!dryRun) {
    const [healthWrites, viewWrites] = await Promise.all([
      writeHealth(deps.health, previous.clusters, health),
      presentAll(deps, services, digests.values, health, published, transitions, now),
      zones,
    ]);
    report.stateWrites = healthWrites + viewWrites;
  }
  await deps.events?.flush();
  phase('record');
  report.ms = Date.now() - started;
  return report;
}

/** Writes the clusters whose health changed, and removes the records of clusters with no shards. */
async function writeHealth(store: HealthStore, before: ReadonlyMap<string, ClusterHealth>, after: ReadonlyMap<string, ClusterHealth>): Promise<number> {
  // A record holds its Services in name order (the probe order changes from sweep to sweep); records
  // are compared as values (jsonEqual), so neither order makes a write.
  const ordered = (h: ClusterHealth | undefined): ClusterHealth | undefined =>
    h &&
    Object.fromEntries(
      Object.keys(h)
        .sort()
        .map((k) => [k, h[k] as ShardHealth]),
    );
  const changed: [string, ClusterHealth | undefined][] = [];
  for (const c of new Set([...before.keys(), ...after.keys()])) {
    if (!jsonEqual(before.get(c) ?? null, after.get(c) ?? null)) changed.push([c, ordered(after.get(c))]);
  }
  await Promise.all(changed.map(([c, h]) => store.write(c, h)));
  return changed.length;
}
