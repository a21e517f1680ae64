/** Probes clusters and writes their status (only when it changed), each within its own time-out. */
import pLimit from 'p-limit';
import { Cluster } from '../model/cluster';
import { MemberClientFactory } from '../members/credentials';
import { MemberError } from '../members/port';
import { clusterStatusChanged } from '../recorder/occurrences';
import { EventRecorder } from '../recorder/recorder';
import { ObjectStore } from '../store/port';
import { ClusterProbe, clusterStatus, probeCluster } from './health';
import { rfc3339 } from '../util/time';

export async function refreshClusterHealth(
  store: ObjectStore,
  clientFor: MemberClientFactory,
  clusters: readonly Cluster[],
  concurrency: number,
  now: () => Date,
  events?: EventRecorder,
): Promise<Map<string, ClusterProbe>> {
  const limit = pLimit(Math.max(1, concurrency));
  const out = new Map<string, ClusterProbe>();
  await Promise.all(
    clusters.map((c) =>
      limit(async () => {
        const name = c.metadata.name ?? '';
        let probe: ClusterProbe;
        try {
          probe = await probeCluster(await clientFor(c));
        } catch (e) {
          probe = { reachable: false, ready: false, error: e instanceof MemberError ? `${e.reason}: ${e.message}` : String(e) };
        }
        out.set(name, probe);
        let changed: [Cluster, Cluster] | undefined;
        await store.transact<Cluster>('clusters', { name }, (cur) => {
          changed = undefined;
          if (!cur) return { none: true };
          const status = clusterStatus(cur.object, probe, rfc3339(now()));
          if (JSON.stringify(status) === JSON.stringify(cur.object.status ?? {})) return { none: true };
          changed = [cur.object, { ...cur.object, status }];
          return { write: { object: changed[1] } };
        });
        const occurrence = changed && clusterStatusChanged(...changed);
        if (occurrence) events?.record(occurrence);
      }),
    ),
  );
  return out;
}
