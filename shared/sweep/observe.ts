/**
 * Gathers what the sweep needs from each member cluster: is its API answering, which managed
 * Services it holds (with their load-balancer ingress), and ready endpoints per Service — three
 * calls per cluster, each cluster within its own time-out and isolated from the others.
 */
import pLimit from 'p-limit';
import { Cluster } from '../model/cluster';
import { MemberClientFactory } from '../members/credentials';
import { MemberError } from '../members/port';
import { MemberService, federatedKey } from '../propagation/member';
import { SKYFED } from '../model/meta';

export interface ClusterObservation {
  readonly cluster: Cluster;
  readonly reachable: boolean;
  readonly error?: string;
  readonly members: ReadonlyMap<string, MemberService>;
  readonly readyEndpoints: ReadonlyMap<string, number>;
}

export async function observeClusters(
  clusters: readonly Cluster[],
  clientFor: MemberClientFactory,
  concurrency: number,
  onObserved: (o: ClusterObservation) => void = () => undefined,
): Promise<Map<string, ClusterObservation>> {
  const limit = pLimit(Math.max(1, concurrency));
  const out = new Map<string, ClusterObservation>();
  await Promise.all(
    clusters.map((cluster) =>
      limit(async () => {
        const name = cluster.metadata.name ?? '';
        try {
          const client = await clientFor(cluster);
          const [members, endpoints] = await Promise.all([client.listServices(`${SKYFED.managedBy}=${SKYFED.managedByValue}`), client.readyEndpointsAll()]);
          const o: ClusterObservation = { cluster, reachable: true, members: new Map(members.map((m) => [federatedKey(m), m])), readyEndpoints: endpoints };
          out.set(name, o);
          onObserved(o);
        } catch (e) {
          const error = e instanceof MemberError ? `${e.reason}: ${e.message}` : e instanceof Error ? e.message : String(e);
          out.set(name, { cluster, reachable: false, error, members: new Map(), readyEndpoints: new Map() });
        }
      }),
    ),
  );
  return out;
}
