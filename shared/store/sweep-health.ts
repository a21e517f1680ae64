/**
 * Shard health, owned by the sweep: one record per member cluster (`sweepHealth/{cluster}`) holding
 * the health of every Service's shard there, with its hysteresis counters, last addresses and what
 * Pods in that cluster are told. A sweep reads one record per cluster and writes a cluster's record
 * only when something in it changed. A record larger than one document allows (about 2,500 Services
 * per cluster) is split into parts written in one batch, so a reader never sees half of a write.
 */
import { Firestore, QueryDocumentSnapshot } from '@google-cloud/firestore';
import type { PodAnswer } from '../incluster/plan';
import { HealthState } from './shards';

export interface ShardHealth extends HealthState {
  /** What Pods in this cluster are told for this Service (in-cluster discovery). */
  readonly podAnswer?: PodAnswer;
}

/** `namespace/name` → the shard's health in one cluster. */
export type ClusterHealth = Readonly<Record<string, ShardHealth>>;

export interface HealthStore {
  /**
   * cluster → its shards' health, and how many documents that took. `onCluster` hears each
   * cluster's record as soon as it is complete, before the whole read is (the sweep starts that
   * cluster's probes from it); it may hear a cluster twice: first only the shards whose last probe
   * timed out, then the whole record.
   */
  readAll(onCluster?: (cluster: string, health: ClusterHealth) => void): Promise<{ clusters: Map<string, ClusterHealth>; documents: number }>;
  /** Replaces one cluster's record (undefined removes it). */
  write(cluster: string, health: ClusterHealth | undefined): Promise<void>;
}

const COLLECTION = 'sweepHealth';
/** Characters of JSON per document: below Firestore's 1 MiB document limit with room for the name. */
export const PART_CHARS = 900_000;
// '~' cannot appear in a cluster name (RFC 1123), so part ids never collide with another cluster.
const partId = (cluster: string, i: number): string => (i === 0 ? cluster : `${cluster}~${i}`);

export class FirestoreHealthStore implements HealthStore {
  /** `partChars`: JSON characters per document (tests use small parts to exercise splitting cheaply). */
  constructor(
    private readonly db: Firestore,
    private readonly partChars = PART_CHARS,
  ) {}

  async readAll(onCluster?: (cluster: string, health: ClusterHealth) => void): Promise<{ clusters: Map<string, ClusterHealth>; documents: number }> {
    const parts = new Map<string, { of: number; data: Map<number, string> }>();
    const clusters = new Map<string, ClusterHealth>();
    let documents = 0;
    // Streamed in id order: the small timed-out lists ('!' sorts first) arrive before the records, so
    // the sweep starts its slowest probes at once; a record is parsed as soon as its last part arrives.
    for await (const d of this.db.collection(COLLECTION).stream() as AsyncIterable<QueryDocumentSnapshot>) {
      documents++;
      const v = d.data() as { cluster?: string; part?: number; of?: number; data?: string; timedOutOf?: string };
      if (typeof v.timedOutOf === 'string' && typeof v.data === 'string') {
        const subset = parseRecord(v.data);
        if (subset && !clusters.has(v.timedOutOf)) onCluster?.(v.timedOutOf, subset);
        continue;
      }
      if (typeof v.cluster !== 'string' || typeof v.data !== 'string') continue;
      const p = parts.get(v.cluster) ?? { of: v.of ?? 1, data: new Map<number, string>() };
      p.data.set(v.part ?? 0, v.data);
      parts.set(v.cluster, p);
      if (p.data.size < p.of) continue; // parts of one write always land together; a gap means a damaged record
      // A damaged record is dropped: the cluster's shards are judged afresh this sweep.
      const health = parseRecord([...Array(p.of).keys()].map((i) => p.data.get(i) ?? '').join(''));
      if (!health) continue;
      clusters.set(v.cluster, health);
      onCluster?.(v.cluster, health);
    }
    return { clusters, documents: Math.max(1, documents) };
  }

  async write(cluster: string, health: ClusterHealth | undefined): Promise<void> {
    const json = health === undefined ? '' : JSON.stringify(health);
    const chunks: string[] = [];
    for (let i = 0; i < json.length; i += this.partChars) chunks.push(json.slice(i, i + this.partChars));
    const batch = this.db.batch();
    chunks.forEach((data, part) => batch.set(this.db.doc(`${COLLECTION}/${partId(cluster, part)}`), { cluster, part, of: chunks.length, data }));
    const timedOut = health && timedOutSubset(health, this.partChars);
    const listRef = this.db.doc(`${COLLECTION}/${TIMED_OUT_PREFIX}${cluster}`);
    if (timedOut) batch.set(listRef, { timedOutOf: cluster, data: timedOut });
    else batch.delete(listRef);
    // Parts beyond this write's (a record that shrank, or one removed) go in the same batch.
    const old = await this.db.collection(COLLECTION).where('cluster', '==', cluster).get();
    for (const d of old.docs) if (((d.data()['part'] as number | undefined) ?? 0) >= chunks.length) batch.delete(d.ref);
    await batch.commit();
  }
}

/**
 * Beside each record, the entries of its shards whose last probe timed out (`sweepHealth/!{cluster}`,
 * written in the same batch): a read-side index, so the probes that hold a slot for the whole
 * time-out can start before the large records have arrived. Left out when it would not fit one document:
 * it is only a head start.
 */
const TIMED_OUT_PREFIX = '!';

function timedOutSubset(health: ClusterHealth, maxChars: number): string | undefined {
  const out = Object.fromEntries(Object.entries(health).filter(([, h]) => h.code === 'ProbeTimedOut'));
  const json = JSON.stringify(out);
  return Object.keys(out).length > 0 && json.length <= maxChars ? json : undefined;
}

function parseRecord(json: string): ClusterHealth | undefined {
  try {
    return JSON.parse(json) as ClusterHealth;
  } catch {
    return undefined;
  }
}

/** The same store in memory (unit tables, benchmarks). */
export class MemoryHealthStore implements HealthStore {
  readonly records = new Map<string, string>();
  writes = 0;

  async readAll(onCluster?: (cluster: string, health: ClusterHealth) => void): Promise<{ clusters: Map<string, ClusterHealth>; documents: number }> {
    const clusters = new Map([...this.records].map(([c, v]) => [c, JSON.parse(v) as ClusterHealth]));
    for (const [c, h] of clusters) onCluster?.(c, h);
    return { clusters, documents: Math.max(1, this.records.size) };
  }

  async write(cluster: string, health: ClusterHealth | undefined): Promise<void> {
    this.writes++;
    if (health === undefined) this.records.delete(cluster);
    else this.records.set(cluster, JSON.stringify(health));
  }
}
