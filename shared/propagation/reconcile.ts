/**
 * One propagation pass: read current state, then one pipeline per cluster (bounded concurrency),
 * each on its own clock — probe health (full passes), observe the member, plan, apply, record that
 * cluster's shard status — and finally finalize deletions. A cluster never waits on another's
 * reads, writes or time-outs. Level-triggered and idempotent: a duplicate or reordered event runs
 * the same pass and finds nothing to do. A dead or hanging cluster costs only its own pipeline; its
 * error goes to its shards' status and the next pass retries it, unless its circuit breaker is
 * open (breaker-gate.ts), in which case the pass skips it and says why and since when.
 */
import pLimit from 'p-limit';
import { batcher } from '../util/batcher';
import { FederationNames } from '../incluster/plan';
import { placeInZone } from '../incluster/propagate';
import { Logger } from '../log';
import { Cluster } from '../model/cluster';
import { SKYFED, splitKey } from '../model/meta';
import { Service } from '../model/service';
import { refreshClusterHealth } from '../clusters/refresh';
import { MemberClientFactory } from '../members/credentials';
import { BreakerState, watchCalls } from '../members/breaker';
import { MemberClient, MemberError } from '../members/port';
import { EventRecorder } from '../recorder/recorder';
import { Occurrence } from '../recorder/event';
import { propagated, propagationProblem } from '../recorder/occurrences';
import { ObjectStore } from '../store/port';
import { ClusterDirectory } from '../store/cluster-directory';
import { ServiceCatalog } from '../store/service-catalog';
import { PropagationState, ShardDoc, ShardPut, ShardStore } from '../store/shards';
import { GateDeps, enter, leave } from './breaker-gate';
import { MemberService, federatedKey, isManaged } from './member';
import { Observation, absentByShard, observeMember } from './observe';
import { MemberAction, needsFinalizer, planPropagation } from './plan';

export interface ReconcileDeps extends GateDeps {
  readonly store: ObjectStore;
  readonly shards: ShardStore;
  readonly clientFor: MemberClientFactory;
  readonly log: Logger;
  readonly concurrency: number;
  /** Events for `kubectl describe` (best-effort; shared/recorder/recorder.ts). */
  readonly events?: EventRecorder;
  /** Names for in-cluster discovery (shared/incluster); unset = members' zones are left to the sweep. */
  readonly inCluster?: FederationNames;
  /** The sweep's Service catalog (store/service-catalog.ts), repaired by full passes; unset = not kept. */
  readonly catalog?: ServiceCatalog;
  /** Where a Service event's pass finds the clusters (one read while none changed); unset = listed every time. */
  readonly directory?: ClusterDirectory;
}

export interface ReconcileScope {
  /** Only these federated Services (`namespace/name`). */
  readonly services?: ReadonlySet<string>;
  /** Only these clusters. */
  readonly clusters?: ReadonlySet<string>;
  /** Probe each cluster's health (and refresh its status) as the first step of its pipeline. */
  readonly probeHealth?: boolean;
  /** Run once every cluster's member writes are over (done, failed or skipped), or 300 ms into them if a member is slow; the pass ends after it. */
  readonly afterMemberWrites?: () => Promise<unknown>;
}

export interface ReconcileReport {
  readonly clusters: number;
  /** Member Service writes (create, update, delete, release). */
  readonly writes: number;
  /** In-cluster discovery writes (zone ConfigMap, CoreDNS opt-in), counted apart. */
  readonly discoveryWrites: number;
  readonly errors: Readonly<Record<string, string>>;
  readonly finalized: readonly string[];
}

/** Shard status writes share a commit when they come within this window (Firestore allows 500 writes per commit; each shard is one, plus one index entry per cluster). */
const SHARD_BATCH = { maxItems: 200, maxWaitMs: 15 };

/** Member writes in flight per cluster (on top of the clusters worked on at once). */
const PER_CLUSTER_WRITES = 32;

type Run = <T>(work: () => Promise<T>) => Promise<T>;

/**
 * At most `max` of `count` pieces of work at once. Where `count` is within `max` the work runs
 * directly: a limiter's own promises per piece are CPU on the fan-out's path at 200 clusters.
 */
function limiter(max: number, count: number): Run {
  if (count <= max) return (work) => work();
  const limit = pLimit(max);
  return (work) => limit(work);
}

const describe = (e: unknown): string => (e instanceof MemberError ? `${e.reason}: ${e.message}` : e instanceof Error ? e.message : String(e));

async function apply(client: MemberClient, a: MemberAction): Promise<MemberService | undefined> {
  const [namespace, name] = splitKey(a.key);
  switch (a.op) {
    case 'create':
      try {
        return await client.createService(namespace, a.body);
      } catch (e) {
        if (!(e instanceof MemberError && e.reason === 'NotFound')) throw e;
        await client.createNamespace(namespace);
        return client.createService(namespace, a.body);
      }
    case 'update':
    case 'release':
      return client.replaceService(namespace, name, a.body);
    case 'delete':
      await client.deleteService(namespace, name, a.resourceVersion);
      return undefined;
    case 'conflict':
      return undefined;
  }
}

export async function reconcile(deps: ReconcileDeps, scope: ReconcileScope = {}): Promise<ReconcileReport> {
  const servicesRead = servicesIn(deps.store, scope.services).then((recs) =>
    recs.map((r) => r.object).filter((s) => !scope.services || scope.services.has(federatedKey(s))),
  );
  // The finalizer goes on as soon as the Services are read, while the clusters are still being read.
  const finalizers = servicesRead.then((s) => addFinalizers(deps, s));
  finalizers.catch(() => undefined); // awaited below; a failed read before that is reported by the read
  const [allClusters, services, breakers] = await Promise.all([clustersFor(deps, scope), servicesRead, deps.breakers.listAll()]);
  const clusters = allClusters.filter((c) => !scope.clusters || scope.clusters.has(c.metadata.name ?? ''));
  // A full pass also repairs the sweep's Service catalog, from the same listing.
  const catalogRepair = !scope.services && !scope.clusters && deps.catalog ? deps.catalog.resync(deps.store, services) : Promise.resolve(0);
  let writing = clusters.length;
  let allDone: () => void = () => undefined;
  const allMemberWritesDone = new Promise<void>((r) => (allDone = r));
  if (writing === 0) allDone();
  const pass: Pass = {
    deps,
    scope,
    services,
    errors: {},
    failedKeys: new Set(),
    writes: 0,
    discoveryWrites: 0,
    // Started early, awaited only where needed, so no cluster waits for them before it must.
    finalizers,
    shards: shardsOf(deps, services),
    // Federated Services deleted lately: only their members are ours to garbage-collect (plan.ts).
    // Read once, and only by a cluster that has a managed member of no Service in the pass.
    deletedUids: once(() => deps.store.deletedSince<Service>('services', 0).then((d) => new Set(d.map((s) => s.metadata.uid).filter((u): u is string => !!u)))),
    // Status is written as each cluster finishes; clusters finishing within a few milliseconds of each
    // other share one commit (at 200 clusters, a few commits instead of 200 competing with the fan-out).
    recordShard: batcher((items: readonly ShardPut[]) => deps.shards.putAll(items), SHARD_BATCH),
    memberWritesDone: () => {
      if (--writing === 0) allDone();
    },
    allMemberWritesDone,
  };
  const run = limiter(Math.max(1, deps.concurrency), clusters.length);
  // Bookkeeping beside the pass (the sweep's catalog entry) takes its turn like a cluster's follow-up:
  // once the member writes are over, or after a moment if a member is slow.
  const afterWrites = scope.afterMemberWrites ? followUpTurn(pass).then(scope.afterMemberWrites) : undefined;
  afterWrites?.catch(() => undefined); // awaited below
  await Promise.all(clusters.map((c) => run(() => runCluster(pass, c, breakers.get(c.metadata.name ?? '')))));
  await pass.finalizers;
  await afterWrites;

  const finalized: string[] = [];
  for (const key of planPropagation({ services, clusters: [], ...(scope.services ? { scope: scope.services } : {}) }).finalize) {
    if (pass.failedKeys.has(key)) continue;
    const [namespace, name] = splitKey(key);
    await deps.store.transact<Service>('services', { namespace, name }, (cur) => {
      if (!cur?.object.metadata.deletionTimestamp) return { none: true };
      const finalizers = (cur.object.metadata.finalizers ?? []).filter((f) => f !== SKYFED.memberFinalizer && f !== SKYFED.orphanFinalizer);
      if (finalizers.length === 0) return { delete: true };
      return { write: { object: { ...cur.object, metadata: { ...cur.object.metadata, finalizers } } } };
    });
    await deps.shards.remove(namespace, name);
    finalized.push(key);
  }
  await deps.events?.flush();
  const repaired = await catalogRepair;
  if (repaired > 0) deps.log.info('service catalog repaired', { entries: repaired });
  return { clusters: clusters.length, writes: pass.writes, discoveryWrites: pass.discoveryWrites, errors: pass.errors, finalized };
}

/**
 * A Service event's pass reads only what propagation needs of each cluster, from the directory
 * (cluster-directory.ts); a pass that probes health, or without a directory, lists the clusters.
 */
async function clustersFor(deps: ReconcileDeps, scope: ReconcileScope): Promise<Cluster[]> {
  if (deps.directory && scope.services && !scope.probeHealth) return deps.directory.list();
  return (await deps.store.list<Cluster>('clusters')).map((r) => r.object);
}

/** The Services of an event pass are read one by one (not every Service in the federation). */
async function servicesIn(store: ObjectStore, scope: ReadonlySet<string> | undefined): Promise<{ object: Service }[]> {
  if (!scope) return store.list<Service>('services');
  const got = await Promise.all(
    [...scope].map((k) => {
      const [namespace, name] = splitKey(k);
      return store.get<Service>('services', { namespace, name });
    }),
  );
  return got.filter((r): r is NonNullable<typeof r> => r !== undefined);
}

/** What one pass shares between its cluster pipelines. */
interface Pass {
  readonly deps: ReconcileDeps;
  readonly scope: ReconcileScope;
  readonly services: readonly Service[];
  readonly errors: Record<string, string>;
  readonly failedKeys: Set<string>;
  writes: number;
  discoveryWrites: number;
  readonly finalizers: Promise<void>;
  /** `namespace/name` → cluster → shard as stored when the pass began. */
  readonly shards: Promise<Map<string, Map<string, ShardDoc>>>;
  readonly deletedUids: () => Promise<ReadonlySet<string>>;
  /** Writes one shard's propagation status, gathered with the shards other clusters finish at about the same time. */
  readonly recordShard: (put: ShardPut) => Promise<boolean>;
  /** Called once by each cluster's pipeline when its member Service writes are over (done, failed or skipped). */
  readonly memberWritesDone: () => void;
  /** Settles when every cluster's member Service writes are over. */
  readonly allMemberWritesDone: Promise<void>;
}

/**
 * The follow-up of a cluster's writes (its zone entries, its shards' status) waits until the other
 * clusters' member writes are over too, but never longer than this: the Services reach every member
 * first, and no cluster's status waits on a slow one for more than a moment.
 */
const FOLLOW_UP_WAIT_MS = 300;

async function followUpTurn(pass: Pass): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([pass.allMemberWritesDone, new Promise<void>((r) => (timer = setTimeout(r, FOLLOW_UP_WAIT_MS)))]);
  clearTimeout(timer);
}

/** Our finalizer goes on before any member exists, so a delete always waits for member cleanup. */
async function addFinalizers(deps: ReconcileDeps, services: readonly Service[]): Promise<void> {
  const storeLimit = pLimit(32);
  await Promise.all(
    services.filter(needsFinalizer).map((s) =>
      storeLimit(() =>
        deps.store.transact<Service>('services', { namespace: s.metadata.namespace as string, name: s.metadata.name as string }, (cur) => {
          if (!cur || !needsFinalizer(cur.object)) return { none: true };
          const object = {
            ...cur.object,
            metadata: { ...cur.object.metadata, finalizers: [...(cur.object.metadata.finalizers ?? []), SKYFED.memberFinalizer] },
          };
          return { write: cur.internal ? { object, internal: cur.internal } : { object } };
        }),
      ),
    ),
  );
}

async function shardsOf(deps: ReconcileDeps, services: readonly Service[]): Promise<Map<string, Map<string, ShardDoc>>> {
  // One collection-group read for a full pass; a per-Service read for an event about a few Services.
  const all = services.length > 20 ? await deps.shards.listAll() : undefined;
  const out = new Map<string, Map<string, ShardDoc>>();
  await Promise.all(
    services.map(async (s) => {
      const docs = all ? (all.get(federatedKey(s)) ?? []) : await deps.shards.list(s.metadata.namespace as string, s.metadata.name as string);
      out.set(federatedKey(s), new Map(docs.map((d) => [d.cluster, d])));
    }),
  );
  return out;
}

/** One cluster's pipeline: breaker → health probe → observe → plan → apply → its shards' status. */
async function runCluster(pass: Pass, cluster: Cluster, breaker: BreakerState | undefined): Promise<void> {
  const { deps, scope } = pass;
  const name = cluster.metadata.name ?? '';
  const observedAt = deps.now().toISOString();
  const gate = await enter(deps, name, breaker);
  if (gate.open) {
    pass.errors[name] = gate.reason;
    pass.memberWritesDone();
    await followUpTurn(pass);
    await recordShards(pass, name, new Map(), { error: gate.reason, since: gate.since }, observedAt);
    return;
  }
  let watched: ReturnType<typeof watchCalls> | undefined;
  let error: string | undefined;
  let seen: Observation | undefined;
  try {
    watched = watchCalls(await deps.clientFor(cluster));
    const client = watched.client;
    const probe = scope.probeHealth ? (await refreshClusterHealth(deps.store, async () => client, [cluster], 1, deps.now, deps.events)).get(name) : undefined;
    // An unreachable cluster is not asked again in the same pass (that would be a second time-out).
    if (probe && !probe.reachable) error = probe.error ?? 'unreachable';
    else
      seen = await observeMember(
        client,
        cluster,
        scope.services,
        scope.services ? absentByShard(pass.services, scope.services, cluster, await pass.shards) : new Set(),
      );
  } catch (e) {
    error = describe(e);
  }
  const states = new Map<string, PropagationState>();
  const said: Occurrence[] = [];
  const wrote = seen && watched ? await applyPlan(pass, watched.client, seen, states, said) : false;
  pass.memberWritesDone();
  if (watched) await leave(deps, name, breaker, watched.outcome(), gate.probing);
  if (error) pass.errors[name] = error;
  await followUpTurn(pass);
  // What was done here goes on record now: an Event is a store write, which has no place beside the fan-out.
  for (const o of said) deps.events?.record(o);
  // In-cluster discovery: placed Services get their name in this cluster's zone, unplaced ones lose it.
  if (seen && watched && deps.inCluster && (!scope.services || wrote))
    pass.discoveryWrites += await placeInZone(watched.client, cluster, deps.inCluster, pass.services, scope.services, deps.log, Date.now());
  await recordShards(pass, name, states, error ? { error: `cluster unreachable: ${error}` } : undefined, observedAt);
}

/** Plans and applies one cluster's member writes; whether anything was written. */
async function applyPlan(pass: Pass, client: MemberClient, seen: Observation, states: Map<string, PropagationState>, said: Occurrence[]): Promise<boolean> {
  const { deps, scope, services } = pass;
  const { view } = seen;
  const plan = async (members: ReadonlyMap<string, MemberService>, only?: ReadonlySet<string>): Promise<readonly MemberAction[]> =>
    planPropagation({
      services,
      clusters: [{ ...view, members }],
      ...(needsDeletedUids(members, services) ? { deletedUids: await pass.deletedUids() } : {}),
      ...((only ?? scope.services) ? { scope: only ?? scope.services } : {}),
    }).actions.get(view.name) ?? [];
  const actions = await plan(view.members);
  if (actions.some((a) => a.op === 'create')) await pass.finalizers;
  const perCluster = limiter(PER_CLUSTER_WRITES, actions.length);
  await Promise.all(
    actions.map((first) =>
      perCluster(async () => {
        let a = first;
        try {
          let member: MemberService | undefined;
          try {
            if (a.op === 'conflict') {
              states.set(a.key, { present: false, ingress: [], conflict: a.reason });
              return;
            }
            member = await apply(client, a);
          } catch (e) {
            // Planned as absent without a read (observe.ts), but a Service is there: read it, plan again.
            if (!(a.op === 'create' && seen.assumedAbsent.has(a.key) && e instanceof MemberError && e.reason === 'AlreadyExists')) throw e;
            const [namespace, name] = splitKey(a.key);
            const live = await client.getService(namespace, name);
            if (live) view.members.set(a.key, live);
            const next = (await plan(live ? new Map([[a.key, live]]) : new Map(), new Set([a.key])))[0];
            if (!next) return; // already as wanted: recorded from view.members below
            a = next;
            if (a.op === 'conflict') {
              states.set(a.key, { present: false, ingress: [], conflict: a.reason });
              return;
            }
            member = await apply(client, a);
          }
          pass.writes++;
          const fed = services.find((x) => federatedKey(x) === a.key);
          if (fed) said.push(propagated(fed, view.name, a.op));
          if (member && a.op !== 'release') states.set(a.key, memberState(member));
        } catch (e) {
          pass.failedKeys.add(a.key);
          const live = view.members.get(a.key);
          states.set(a.key, { ...(live && isManaged(live) ? memberState(live) : { present: false, ingress: [] }), error: `${a.op} failed: ${describe(e)}` });
          deps.log.warn('member write failed', { cluster: view.name, service: a.key, op: a.op, error: describe(e) });
        }
      }),
    ),
  );
  for (const [key, live] of view.members) {
    if (!states.has(key) && isManaged(live)) states.set(key, memberState(live));
  }
  return actions.some((a) => a.op !== 'conflict');
}

/**
 * Whether planning needs the uids of recently deleted federated Services: only to prove a managed
 * member ours when no Service in the pass is its own (plan.ts).
 */
function needsDeletedUids(members: ReadonlyMap<string, MemberService>, services: readonly Service[]): boolean {
  for (const [key, m] of members) if (isManaged(m) && !services.some((s) => federatedKey(s) === key)) return true;
  return false;
}

/** A promise made on first call and shared after. */
function once<T>(make: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => (p ??= make());
}

function memberState(m: MemberService): PropagationState {
  return { present: true, ingress: m.status?.loadBalancer?.ingress ?? [], ...(m.metadata.uid ? { memberUid: m.metadata.uid } : {}) };
}

/** Writes one cluster's shard of each Service in the pass, where it changed, as soon as that cluster is done. */
async function recordShards(
  pass: Pass,
  cluster: string,
  states: Map<string, PropagationState>,
  failure: { error: string; since?: string } | undefined,
  observedAt: string,
): Promise<void> {
  const { deps } = pass;
  const shards = await pass.shards;
  await Promise.all(
    pass.services.map(async (s) => {
      const key = federatedKey(s);
      const prev = shards.get(key)?.get(cluster);
      let state = states.get(key);
      // A Service on its way out loses its shards when it is finalized; record only what went wrong.
      if (s.metadata.deletionTimestamp && !state?.error && !failure) return;
      if (!state && failure) state = { ...(prev?.propagation ?? { present: false, ingress: [] }), error: failure.error };
      // Not placed here (or gone): record that once, if the shard had been recorded before.
      if (!state) {
        if (!(prev?.propagation?.present || prev?.propagation?.error || prev?.propagation?.conflict)) return;
        state = { present: false, ingress: [] };
      }
      const { since: _prevSince, observedAt: _prevAt, ...rest } = state;
      const troubled = rest.error ?? rest.conflict;
      const wasTroubled = prev?.propagation?.error ?? prev?.propagation?.conflict;
      const since = troubled ? (failure?.since ?? (wasTroubled && prev?.propagation?.since) ?? observedAt) : undefined;
      const value: PropagationState = {
        ...rest,
        ...(s.metadata.generation ? { observedGeneration: s.metadata.generation } : {}),
        ...(since ? { since } : {}),
        observedAt,
      };
      const problem = propagationProblem(s, cluster, prev?.propagation, value);
      if (problem) deps.events?.record(problem);
      await pass.recordShard({
        namespace: s.metadata.namespace as string,
        service: s.metadata.name as string,
        cluster,
        value,
        ...(prev ? { previous: prev } : {}),
      });
    }),
  );
}
