/**
 * Wire-level Kubernetes API doubles for member clusters (HTTPS, own CA and token per cluster).
 * Serves: /version, /readyz, /healthz, nodes (topology labels), namespaces (create), Services
 * (list all / per namespace with label selectors, get, create, replace, delete with preconditions),
 * EndpointSlices (all namespaces or one, by service-name label). Enforces: 401 on a wrong token,
 * 404 for a missing namespace or Service, 409 AlreadyExists and stale-resourceVersion Conflict,
 * 422 Invalid (names, ports, protocol, type, nodePort on ClusterIP, changed clusterIP), and
 * allocates clusterIP and nodePorts like kube-apiserver.
 */
import { FakeCluster, FakeClusterOptions } from './cluster';

export { FakeCluster } from './cluster';
export type { FakeClusterOptions, FaultMode } from './cluster';

export class FakeKubeFleet {
  private constructor(readonly clusters: readonly FakeCluster[]) {}

  static async start(options: readonly FakeClusterOptions[]): Promise<FakeKubeFleet> {
    const clusters = options.map((o, i) => new FakeCluster(i, o));
    await Promise.all(clusters.map((c) => c.start()));
    return new FakeKubeFleet(clusters);
  }

  /** A fleet of members already started (local/sim/persist.ts starts them one by one). */
  static of(clusters: readonly FakeCluster[]): FakeKubeFleet {
    return new FakeKubeFleet(clusters);
  }

  cluster(name: string): FakeCluster {
    const c = this.clusters.find((x) => x.name === name);
    if (!c) throw new Error(`no fake cluster ${name}`);
    return c;
  }

  async stop(): Promise<void> {
    await Promise.all(this.clusters.map((c) => c.stop()));
  }
}
