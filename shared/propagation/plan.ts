/**
 * The propagation planner: federated Services × clusters × observed member Services → per-cluster
 * actions. Pure; level-triggered (the same inputs always give the same plan, and a plan applied
 * once yields an empty plan the next time).
 */
import { SKYFED } from '../model/meta';
import { Service } from '../model/service';
import { MemberService, desiredMember, equivalent, federatedKey, isManaged, mergeForUpdate } from './member';
import { placedOn } from './placement';

export interface ClusterView {
  readonly name: string;
  readonly labels?: Readonly<Record<string, string>>;
  /** Live member Services by `namespace/name` (managed or not) for the keys in scope. */
  readonly members: ReadonlyMap<string, MemberService>;
}

export type MemberAction =
  | { readonly op: 'create'; readonly key: string; readonly body: MemberService }
  | { readonly op: 'update'; readonly key: string; readonly body: MemberService }
  | { readonly op: 'delete'; readonly key: string; readonly resourceVersion?: string }
  | { readonly op: 'release'; readonly key: string; readonly body: MemberService }
  | { readonly op: 'conflict'; readonly key: string; readonly reason: string };

export interface PropagationPlan {
  readonly actions: ReadonlyMap<string, readonly MemberAction[]>;
  /** Federated Services being deleted: once every action for them succeeds, drop their finalizers. */
  readonly finalize: readonly string[];
}

/** A live federated Service without our finalizer: it gets one before any member is created. */
export function needsFinalizer(s: Service): boolean {
  return !s.metadata.deletionTimestamp && !(s.metadata.finalizers ?? []).includes(SKYFED.memberFinalizer);
}

export interface PlanInput {
  readonly services: readonly Service[];
  readonly clusters: readonly ClusterView[];
  /** Only these federated keys are considered (event-scoped reconcile); undefined = everything (full sweep, with garbage collection). */
  readonly scope?: ReadonlySet<string>;
  /** Uids of federated Services known to be deleted (recent tombstones): members carrying one may be collected. */
  readonly deletedUids?: ReadonlySet<string>;
}

const splitKey = (key: string): { namespace: string; name: string } => {
  const i = key.indexOf('/');
  return { namespace: key.slice(0, i), name: key.slice(i + 1) };
};

function released(live: MemberService): MemberService {
  const labels = { ...(live.metadata.labels ?? {}) };
  delete labels[SKYFED.managedBy];
  const annotations = { ...(live.metadata.annotations ?? {}) };
  delete annotations[SKYFED.federatedService];
  return { ...live, metadata: { ...live.metadata, labels, annotations } };
}

export function planPropagation(input: PlanInput): PropagationPlan {
  const inScope = (key: string): boolean => input.scope === undefined || input.scope.has(key);
  const services = new Map(input.services.map((s) => [federatedKey(s), s]));
  const actions = new Map<string, MemberAction[]>();
  const finalize: string[] = [];

  for (const [key, fed] of services) {
    if (!inScope(key)) continue;
    const deleting = fed.metadata.deletionTimestamp !== undefined;
    const finalizers = fed.metadata.finalizers ?? [];
    if (deleting) {
      if (finalizers.some((f) => f === SKYFED.memberFinalizer || f === SKYFED.orphanFinalizer)) finalize.push(key);
    }
  }

  for (const cluster of input.clusters) {
    const list: MemberAction[] = [];
    const keys = new Set<string>([...cluster.members.keys(), ...services.keys()]);
    for (const key of [...keys].sort()) {
      if (!inScope(key)) continue;
      const fed = services.get(key);
      const live = cluster.members.get(key);
      const managed = live !== undefined && isManaged(live);
      const deleting = fed?.metadata.deletionTimestamp !== undefined;
      const wanted = fed !== undefined && !deleting && placedOn(fed.metadata.annotations, cluster.labels);

      if (!wanted) {
        if (!live || !managed) continue;
        // Ownership is proven, never assumed: delete only a member carrying the uid of this federated
        // Service (unplaced or being deleted) or of one known to be deleted. Anything else that looks
        // like ours — made before a store loss, by another federation, or by hand — is reported only.
        const uid = live.metadata.annotations?.[SKYFED.federatedUid];
        const provenOurs = uid !== undefined && (fed ? fed.metadata.uid === uid : (input.deletedUids?.has(uid) ?? false));
        if (!provenOurs) {
          list.push({
            op: 'conflict',
            key,
            reason: `a Service labelled as skyfed's in cluster ${cluster.name} does not belong to ${fed ? 'this federated Service' : 'any known federated Service'}; left in place`,
          });
          continue;
        }
        const orphan = deleting && (fed?.metadata.finalizers ?? []).includes(SKYFED.orphanFinalizer);
        if (orphan) list.push({ op: 'release', key, body: released(live) });
        else list.push({ op: 'delete', key, ...(live.metadata.resourceVersion ? { resourceVersion: live.metadata.resourceVersion } : {}) });
        continue;
      }
      const desired = desiredMember(fed);
      if (!live) {
        list.push({ op: 'create', key, body: desired });
        continue;
      }
      if (!managed && fed.metadata.annotations?.[SKYFED.adopt] !== 'true') {
        const { namespace, name } = splitKey(key);
        list.push({
          op: 'conflict',
          key,
          reason: `a Service ${namespace}/${name} not created by skyfed already exists in cluster ${cluster.name}; annotate the federated Service with ${SKYFED.adopt}: "true" to take it over`,
        });
        continue;
      }
      if (!equivalent(desired, live)) list.push({ op: 'update', key, body: mergeForUpdate(desired, live) });
    }
    actions.set(cluster.name, list);
  }
  return { actions, finalize };
}
