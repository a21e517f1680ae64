/**
 * Shard state: one document per (federated Service, cluster) under the Service's `shards`
 * subcollection, written by propagation as each cluster finishes, only when it changed. Clusters
 * never share a document, and a write is a field-path update conditional on the document being as
 * it was read (else a transaction decides again), so a pass that observed its member earlier never
 * overwrites what a later pass recorded. (Health is the sweep's, in store/sweep-health.ts.)
 */
import { FieldPath, FieldValue, Firestore, Timestamp, Transaction, WriteBatch } from '@google-cloud/firestore';
import { LoadBalancerIngress } from '../model/service';
import type { ShardHealthReason } from '../sweep/reasons';
import { stableJson as stable } from '../util/stable-json';
import { shardCollectionPath } from './layout';

export interface PropagationState {
  readonly present: boolean;
  readonly ingress: readonly LoadBalancerIngress[];
  readonly memberUid?: string;
  readonly error?: string;
  readonly conflict?: string;
  readonly observedGeneration?: number;
  /** When the member was read for this state (ISO time): the newer observation wins. */
  readonly observedAt?: string;
  /** Since when the shard has shown its current error or conflict. */
  readonly since?: string;
}

export interface HealthState {
  readonly healthy: boolean;
  /** Why, from a fixed list (shared/sweep/reasons.ts); `reason` says it in words. */
  readonly code?: ShardHealthReason;
  readonly reason: string;
  readonly readyEndpoints: number;
  readonly consecutiveFailures: number;
  readonly consecutiveSuccesses: number;
  readonly since?: string;
  /** Set once the shard has been healthy; until then its first good observation admits it at once. */
  readonly everHealthy?: boolean;
  /** Addresses of the shard (ingress IPs and resolved hostnames) as probed in the last sweep. */
  readonly addresses?: readonly string[];
  readonly zones?: readonly string[];
  readonly region?: string;
}

export interface ShardDoc {
  readonly cluster: string;
  readonly propagation?: PropagationState;
  /** The document's version as read (not stored): a write lands only while it is current. */
  readonly version?: string;
}

/**
 * Whether `next` should replace the stored state: not when it says the same thing (the time of
 * observation aside), nor when the stored one was observed later.
 */
export function replacesShard(stored: PropagationState | undefined, next: PropagationState): boolean {
  if (!stored) return true;
  const { observedAt: a, ...storedRest } = stored;
  const { observedAt: b, ...nextRest } = next;
  if (stable(storedRest) === stable(nextRest)) return false;
  return !(a && b && a > b);
}

const CONTENDED = new Set([5, 6, 9]); // NOT_FOUND, ALREADY_EXISTS, FAILED_PRECONDITION

export interface ShardPut {
  readonly namespace: string;
  readonly service: string;
  readonly cluster: string;
  readonly value: PropagationState;
  readonly previous?: ShardDoc;
}

export interface ShardStore {
  list(namespace: string, service: string): Promise<ShardDoc[]>;
  /** All shards of all Services, keyed `namespace/service`. */
  listAll(): Promise<Map<string, ShardDoc[]>>;
  /**
   * Sets one field of one shard (others are kept); returns false (and writes nothing) when it
   * already had this value or a newer observation. `previous` is the shard as read, if it existed.
   */
  put(namespace: string, service: string, cluster: string, field: 'propagation', value: PropagationState, previous?: ShardDoc): Promise<boolean>;
  /** Several `put`s, in one atomic write when none of them meets a newer write (else one by one); answers in order. */
  putAll(items: readonly ShardPut[]): Promise<boolean[]>;
  remove(namespace: string, service: string, cluster?: string): Promise<void>;
}

/**
 * The member Services skyfed created, by uid: `memberIndex/{cluster}` maps `namespace/name` to the
 * uid of the member object propagation wrote there. The sweep reads one document per cluster and
 * probes only members whose uid matches (a member cannot make skyfed probe a Service it invented).
 */
export interface MemberIndex {
  /** cluster → (`namespace/name` → member uid) */
  readAll(): Promise<Map<string, Map<string, string>>>;
}

const INDEX = 'memberIndex';

export class FirestoreShardStore implements ShardStore, MemberIndex {
  constructor(private readonly db: Firestore) {}

  async list(namespace: string, service: string): Promise<ShardDoc[]> {
    const snap = await this.db.collection(shardCollectionPath(namespace, service)).get();
    return snap.docs.map((d) => ({ ...(d.data() as ShardDoc), version: versionOf(d.updateTime) }));
  }

  async listAll(): Promise<Map<string, ShardDoc[]>> {
    const snap = await this.db.collectionGroup('shards').get();
    const out = new Map<string, ShardDoc[]>();
    for (const d of snap.docs) {
      const p = d.ref.path.split('/'); // namespaces/ns/services/svc/shards/cluster
      const key = `${p[1] ?? ''}/${p[3] ?? ''}`;
      out.set(key, [...(out.get(key) ?? []), { ...(d.data() as ShardDoc), version: versionOf(d.updateTime) }]);
    }
    return out;
  }

  async put(namespace: string, service: string, cluster: string, field: 'propagation', value: PropagationState, previous?: ShardDoc): Promise<boolean> {
    if (previous && !replacesShard(previous[field], value)) return false;
    const ref = this.db.doc(`${shardCollectionPath(namespace, service)}/${cluster}`);
    const data = JSON.parse(JSON.stringify(value)) as PropagationState;
    // The member index follows the shard in the same atomic write.
    const index = (w: WriteBatch | Transaction, before: PropagationState | undefined, exists: boolean): void => {
      const uid = value.present ? value.memberUid : undefined;
      if (exists && uid === before?.memberUid) return;
      const entry = { uids: { [`${namespace}/${service}`]: uid ?? FieldValue.delete() } };
      if (w instanceof WriteBatch) w.set(this.db.doc(`${INDEX}/${cluster}`), entry, { merge: true });
      else w.set(this.db.doc(`${INDEX}/${cluster}`), entry, { merge: true });
    };
    try {
      // One write when nobody else wrote the shard since we read it.
      const batch = this.db.batch();
      if (!previous) batch.create(ref, { cluster, [field]: data });
      else if (previous.version) batch.update(ref, { cluster, [field]: data }, { lastUpdateTime: timestampOf(previous.version) });
      else throw Object.assign(new Error('no version'), { code: 9 });
      index(batch, previous?.[field], previous !== undefined);
      await batch.commit();
      return true;
    } catch (e) {
      if (!CONTENDED.has((e as { code?: number }).code ?? 0)) throw e;
    }
    return this.db.runTransaction(async (tx) => {
      const now = (await tx.get(ref)).data() as ShardDoc | undefined;
      if (!replacesShard(now?.[field], value)) return false;
      tx.set(ref, { cluster, [field]: data }, { mergeFields: ['cluster', field] });
      index(tx, now?.[field], now !== undefined);
      return true;
    });
  }
  async putAll(items: readonly ShardPut[]): Promise<boolean[]> {
    const due = items.map((it) => !it.previous || replacesShard(it.previous.propagation, it.value));
    const writing = items.filter((it, i) => due[i] && (!it.previous || it.previous.version));
    if (writing.length !== due.filter(Boolean).length || writing.length < 2) return this.oneByOne(items);
    // One commit: each shard conditional on being as read, the member index merged once per cluster.
    const batch = this.db.batch();
    const index = new Map<string, Record<string, string | FieldValue>>();
    for (const it of writing) {
      const ref = this.db.doc(`${shardCollectionPath(it.namespace, it.service)}/${it.cluster}`);
      const data = { cluster: it.cluster, propagation: JSON.parse(JSON.stringify(it.value)) as PropagationState };
      if (!it.previous) batch.create(ref, data);
      else batch.update(ref, data, { lastUpdateTime: timestampOf(it.previous.version as string) });
      const uid = it.value.present ? it.value.memberUid : undefined;
      if (it.previous && uid === it.previous.propagation?.memberUid) continue;
      const uids = index.get(it.cluster) ?? {};
      uids[`${it.namespace}/${it.service}`] = uid ?? FieldValue.delete();
      index.set(it.cluster, uids);
    }
    for (const [cluster, uids] of index) batch.set(this.db.doc(`${INDEX}/${cluster}`), { uids }, { merge: true });
    try {
      await batch.commit();
      return due;
    } catch (e) {
      if (!CONTENDED.has((e as { code?: number }).code ?? 0)) throw e;
    }
    return this.oneByOne(items);
  }

  private oneByOne(items: readonly ShardPut[]): Promise<boolean[]> {
    return Promise.all(items.map((it) => this.put(it.namespace, it.service, it.cluster, 'propagation', it.value, it.previous)));
  }

  async readAll(): Promise<Map<string, Map<string, string>>> {
    const snap = await this.db.collection(INDEX).get();
    return new Map(snap.docs.map((d) => [d.id, new Map(Object.entries((d.data()['uids'] ?? {}) as Record<string, string>))]));
  }

  async remove(namespace: string, service: string, cluster?: string): Promise<void> {
    const col = this.db.collection(shardCollectionPath(namespace, service));
    const unindex = (c: string): Promise<unknown> =>
      this.db
        .doc(`${INDEX}/${c}`)
        .update(new FieldPath('uids', `${namespace}/${service}`), FieldValue.delete())
        .catch(() => undefined);
    if (cluster) {
      await Promise.all([col.doc(cluster).delete(), unindex(cluster)]);
      return;
    }
    const snap = await col.get();
    await Promise.all(snap.docs.flatMap((d) => [d.ref.delete(), unindex(d.id)]));
  }
}

function versionOf(t: Timestamp | undefined): string | undefined {
  return t ? `${t.seconds}.${String(t.nanoseconds).padStart(9, '0')}` : undefined;
}

function timestampOf(v: string): Timestamp {
  const [s, n] = v.split('.');
  return new Timestamp(Number(s), Number(n));
}
