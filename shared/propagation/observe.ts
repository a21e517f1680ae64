/**
 * Observing one member for a pass: which member Services must be read before planning, and the
 * reads. A full pass lists the cluster's Services (one call). An event pass reads each Service in
 * scope — except one that is to be created there while its stored shard says skyfed has no member
 * in that cluster: that one is planned as absent and the create itself is the check (the member
 * API refuses to create over an existing Service; reconcile.ts then reads it and plans again). A
 * new Service thus reaches each cluster in one call instead of two, with no ownership assumed.
 */
import { Cluster } from '../model/cluster';
import { Service } from '../model/service';
import { MemberClient } from '../members/port';
import { ShardDoc } from '../store/shards';
import { MemberService, federatedKey } from './member';
import { placedOn } from './placement';
import { ClusterView } from './plan';
import { splitKey } from '../model/meta';

export interface Observation {
  /** What was observed; `members` is mutable so a later read (after AlreadyExists) joins it. */
  readonly view: ClusterView & { readonly members: Map<string, MemberService> };
  /** Keys planned as absent without a read. */
  readonly assumedAbsent: ReadonlySet<string>;
}

/**
 * Keys of `scope` whose member need not be read in `cluster`: the federated Service is live and
 * placed there, and its stored shard (if any) shows no member, no conflict and no error.
 */
export function absentByShard(
  services: readonly Service[],
  scope: ReadonlySet<string>,
  cluster: Cluster,
  shards: ReadonlyMap<string, ReadonlyMap<string, ShardDoc>>,
): Set<string> {
  const name = cluster.metadata.name ?? '';
  const out = new Set<string>();
  for (const s of services) {
    const key = federatedKey(s);
    if (!scope.has(key) || s.metadata.deletionTimestamp || !placedOn(s.metadata.annotations, cluster.metadata.labels)) continue;
    const p = shards.get(key)?.get(name)?.propagation;
    if (p && (p.present || p.conflict || p.error)) continue;
    out.add(key);
  }
  return out;
}

export async function observeMember(
  client: MemberClient,
  cluster: Cluster,
  scope: ReadonlySet<string> | undefined,
  assumedAbsent: ReadonlySet<string>,
): Promise<Observation> {
  let members: MemberService[];
  if (scope) {
    const got = await Promise.all(
      [...scope]
        .filter((k) => !assumedAbsent.has(k))
        .map((k) => {
          const [ns, name] = splitKey(k);
          return client.getService(ns, name);
        }),
    );
    members = got.filter((m): m is MemberService => m !== undefined);
  } else {
    // Managed members (for updates and garbage collection) plus any same-named foreign Services.
    members = await client.listServices();
  }
  return {
    view: { name: cluster.metadata.name ?? '', labels: cluster.metadata.labels ?? {}, members: new Map(members.map((m) => [federatedKey(m), m])) },
    assumedAbsent: scope ? assumedAbsent : new Set(),
  };
}
