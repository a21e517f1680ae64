/**
 * `--demo-clusters N`: N simulated member clusters (local/sim), named like the seed's four, each
 * with its own CA, token, region and zones, and its own cluster DNS serving skyfed's in-cluster zone
 * (local/sim/cluster-dns.ts, forwarding other names to the stack's DNS server). They keep their
 * identity (address, CA, token) and their objects across restarts under <state>/demo/sim/
 * (local/sim/persist.ts). Writes each one's kubeconfig and Cluster manifest under <state>/demo/ and
 * adds a kubectl context per cluster.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FakeKubeFleet } from './sim';
import { ClusterDns, startClusterDns } from './sim/cluster-dns';
import { startPersistentCluster } from './sim/persist';
import { ContextEntry } from './kubeconfig';

const SEED = [
  { name: 'gce-asia-east1', region: 'asia-east1', zones: ['asia-east1-a'] },
  { name: 'gce-europe-west1', region: 'europe-west1', zones: ['europe-west1-b'] },
  { name: 'gce-us-central1', region: 'us-central1', zones: ['us-central1-a', 'us-central1-f'] },
  { name: 'gce-us-east1', region: 'us-east1', zones: ['us-east1-b'] },
];

export interface Demo {
  readonly fleet: FakeKubeFleet;
  readonly contexts: ContextEntry[];
  readonly dir: string;
  /** Each demo cluster's own DNS server (its CoreDNS), by cluster name. */
  readonly clusterDns: ReadonlyMap<string, ClusterDns>;
  /** Saves every member's state and stops it. */
  stop(): Promise<void>;
}

export async function startDemoClusters(n: number, stateDir: string, upstreamDnsPort?: number, lbNet = 20): Promise<Demo> {
  const specs = Array.from(
    { length: n },
    (_, i) => SEED[i] ?? { name: `gce-extra-${i + 1}`, region: 'us-west1', zones: [`us-west1-${String.fromCharCode(97 + (i % 3))}`] },
  );
  const dir = join(stateDir, 'demo');
  mkdirSync(join(dir, 'clusters'), { recursive: true });
  const members = await Promise.all(specs.map((s, i) => startPersistentCluster(i, { ...s, lbDelayMs: 500, lbNet }, join(dir, 'sim', `${s.name}.json`))));
  const fleet = FakeKubeFleet.of(members.map((m) => m.cluster));
  const contexts: ContextEntry[] = [];
  for (const c of fleet.clusters) {
    writeFileSync(join(dir, `${c.name}.kubeconfig`), c.kubeconfig(), { mode: 0o600 });
    writeFileSync(
      join(dir, 'clusters', `${c.name}.yaml`),
      [
        'apiVersion: federation/v1beta1',
        'kind: Cluster',
        'metadata:',
        `  name: ${c.name}`,
        '  labels:',
        '    cloud: gce',
        'spec:',
        '  serverAddressByClientCIDRs:',
        '  - clientCIDR: 0.0.0.0/0',
        `    serverAddress: ${c.url}`,
        '  secretRef:',
        `    name: ${c.name}`,
        '  dns:',
        '    manageCoreDNS: true',
        '',
      ].join('\n'),
    );
    contexts.push({ context: c.name, server: c.url, caPem: c.caPem, token: c.token });
  }
  const clusterDns = new Map<string, ClusterDns>();
  for (const c of fleet.clusters) {
    clusterDns.set(c.name, await startClusterDns(c, upstreamDnsPort ? { upstream: { host: '127.0.0.1', port: upstreamDnsPort } } : {}));
  }
  const stop = async (): Promise<void> => {
    for (const d of clusterDns.values()) await d.close();
    for (const m of members) m.flush();
    await fleet.stop();
  };
  return { fleet, contexts, dir, clusterDns, stop };
}
