/**
 * One propagation pass: read current state, plan, apply per cluster in parallel (bounded), record
 * shard status, finalize deletions. Level-triggered and idempotent: a duplicate or reordered event
 * runs the same pass and finds nothing to do. One dead or hanging cluster only costs its own
 * time-out; its error goes to its shards' status and the next pass retries it.
 */
import pLimit from 'p-limit';
import { Logger } from '../log';
import { Cluster } from '../model/cluster';
import { SKYFED } from '../model/meta';
import { Service } from '../model/service';
import { MemberClientFactory } from '../members/credentials';
import { MemberClient, MemberError } from '../members/port';
import { ObjectStore } from '../store/port';
import { PropagationState, ShardDoc, ShardStore } from '../store/shards';
import { MemberService, federatedKey, isManaged } from './member';
import { ClusterView, MemberAction, planPropagation } from './plan';

export interface ReconcileDeps {
  readonly store: ObjectStore;
  readonly shards: ShardStore;
  readonly clientFor: MemberClientFactory;
  readonly log: Logger;
  readonly concurrency: number;
}

export interface ReconcileScope {
  /** Only these federated Services (`namespace/name`). */
  readonly services?: ReadonlySet<string>;
  /** Only these clusters. */
  readonly clusters?: ReadonlySet<string>;
}

export interface ReconcileReport {
  readonly clusters: number;
  readonly writes: number;
  readonly errors: Readonly<Record<string, string>>;
  readonly finalized: readonly string[];
}

interface Observed {
  readonly cluster: Cluster;
  readonly client?: MemberClient;
  readonly view?: ClusterView;
  readonly error?: string;
}

/** Member writes in flight per cluster (on top of the clusters worked on at once). */
const PER_CLUSTER_WRITES = 32;

const describe = (e: unknown): string => (e instanceof MemberError ? `${e.reason}: ${e.message}` : e instanceof Error ? e.message : String(e));

async function observe(deps: ReconcileDeps, cluster: Cluster, scope: ReconcileScope): Promise<Observed> {
  try {
    const client = await deps.clientFor(cluster);
    let members: MemberService[];
    if (scope.services) {
      const got = await Promise.all([...scope.services].map((k) => {
        const [ns, name] = k.split('/') as [string, string];
        return client.getService(ns, name);
      }));
      members = got.filter((m): m is MemberService => m !== undefined);
    } else {
      // Managed members (for updates and garbage collection) plus any same-named foreign Services.
      members = await client.listServices();
    }
    const view: ClusterView = {
      name: cluster.metadata.name ?? '', labels: cluster.metadata.labels ?? {},
      members: new Map(members.map((m) => [federatedKey(m), m])),
    };
    return { cluster, client, view };
  } catch (e) {
    return { cluster, error: describe(e) };
  }
}

async function apply(client: MemberClient, a: MemberAction): Promise<MemberService | undefined> {
  const [namespace, name] = a.key.split('/') as [string, string];
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
  const [clusterRecs, serviceRecs] = await Promise.all([deps.store.list<Cluster>('clusters'), deps.store.list<Service>('services')]);
  const clusters = clusterRecs.map((r) => r.object).filter((c) => !scope.clusters || scope.clusters.has(c.metadata.name ?? ''));
  const services = serviceRecs.map((r) => r.object).filter((s) => !scope.services || scope.services.has(federatedKey(s)));
  const limit = pLimit(Math.max(1, deps.concurrency));

  // Our finalizer goes on before any member exists, so a delete always waits for member cleanup.
  const storeLimit = pLimit(32);
  await Promise.all(services.filter((s) => !s.metadata.deletionTimestamp && !(s.metadata.finalizers ?? []).includes(SKYFED.memberFinalizer)).map((s) => storeLimit(() =>
    deps.store.transact<Service>('services', { namespace: s.metadata.namespace as string, name: s.metadata.name as string }, (cur) => {
      if (!cur || cur.object.metadata.deletionTimestamp || (cur.object.metadata.finalizers ?? []).includes(SKYFED.memberFinalizer)) return { none: true };
      const object = { ...cur.object, metadata: { ...cur.object.metadata, finalizers: [...(cur.object.metadata.finalizers ?? []), SKYFED.memberFinalizer] } };
      return { write: cur.internal ? { object, internal: cur.internal } : { object } };
    }))));

  const observed = await Promise.all(clusters.map((c) => limit(() => observe(deps, c, scope))));
  const reachable = observed.filter((o) => o.view !== undefined);
  const deletedUids = new Set((await deps.store.deletedSince<Service>('services', 0)).map((s) => s.metadata.uid).filter((u): u is string => !!u));
  const plan = planPropagation({ services, clusters: reachable.map((o) => o.view as ClusterView), deletedUids, ...(scope.services ? { scope: scope.services } : {}) });

  const errors: Record<string, string> = {};
  const failedKeys = new Set<string>();
  const results = new Map<string, Map<string, PropagationState>>(); // cluster → key → state
  let writes = 0;

  await Promise.all(observed.map((o) => limit(async () => {
    const name = o.cluster.metadata.name ?? '';
    const states = new Map<string, PropagationState>();
    results.set(name, states);
    const { view, client } = o;
    if (!view || !client) {
      errors[name] = o.error ?? 'unknown error';
      return;
    }
    const perCluster = pLimit(PER_CLUSTER_WRITES);
    await Promise.all((plan.actions.get(name) ?? []).map((a) => perCluster(async () => {
      try {
        if (a.op === 'conflict') {
          states.set(a.key, { present: false, ingress: [], conflict: a.reason });
          return;
        }
        const member = await apply(client, a);
        writes++;
        if (member && a.op !== 'release') states.set(a.key, memberState(member));
      } catch (e) {
        failedKeys.add(a.key);
        const live = view.members.get(a.key);
        states.set(a.key, { ...(live && isManaged(live) ? memberState(live) : { present: false, ingress: [] }), error: `${a.op} failed: ${describe(e)}` });
        deps.log.warn('member write failed', { cluster: name, service: a.key, op: a.op, error: describe(e) });
      }
    })));
    for (const [key, live] of view.members) {
      if (!states.has(key) && isManaged(live)) states.set(key, memberState(live));
    }
  })));

  const finalized: string[] = [];
  for (const key of plan.finalize) {
    if (failedKeys.has(key)) continue;
    const [namespace, name] = key.split('/') as [string, string];
    await deps.store.transact<Service>('services', { namespace, name }, (cur) => {
      if (!cur?.object.metadata.deletionTimestamp) return { none: true };
      const finalizers = (cur.object.metadata.finalizers ?? []).filter((f) => f !== SKYFED.memberFinalizer && f !== SKYFED.orphanFinalizer);
      if (finalizers.length === 0) return { delete: true };
      return { write: { object: { ...cur.object, metadata: { ...cur.object.metadata, finalizers } } } };
    });
    await deps.shards.remove(namespace, name);
    finalized.push(key);
  }
  await recordShards(deps, services.filter((s) => !finalized.includes(federatedKey(s))), results, errors);
  return { clusters: clusters.length, writes, errors, finalized };
}

function memberState(m: MemberService): PropagationState {
  return { present: true, ingress: m.status?.loadBalancer?.ingress ?? [], ...(m.metadata.uid ? { memberUid: m.metadata.uid } : {}) };
}

/** Writes each (service, cluster) shard's propagation state when it changed. */
async function recordShards(deps: ReconcileDeps, services: readonly Service[], results: Map<string, Map<string, PropagationState>>, errors: Record<string, string>): Promise<void> {
  // One collection-group read for a full pass; a per-Service read for an event about one Service.
  const all = services.length > 20 ? await deps.shards.listAll() : undefined;
  const limit = pLimit(64);
  await Promise.all(services.map(async (s) => {
    const ns = s.metadata.namespace as string;
    const name = s.metadata.name as string;
    const key = federatedKey(s);
    const docs = all ? (all.get(key) ?? []) : await deps.shards.list(ns, name);
    const existing = new Map(docs.map((d: ShardDoc) => [d.cluster, d]));
    for (const [cluster, states] of results) {
      const prev = existing.get(cluster);
      let state = states.get(key);
      if (!state && errors[cluster]) state = { ...(prev?.propagation ?? { present: false, ingress: [] }), error: `cluster unreachable: ${errors[cluster]}` };
      // Not placed here (or gone): record that once, if the shard had been recorded before.
      if (!state) {
        if (!(prev?.propagation?.present || prev?.propagation?.error || prev?.propagation?.conflict)) continue;
        state = { present: false, ingress: [] };
      }
      const value = { ...state, ...(s.metadata.generation ? { observedGeneration: s.metadata.generation } : {}) };
      await limit(() => deps.shards.put(ns, name, cluster, 'propagation', value, prev));
    }
  }));
}
