/**
 * Shard state: one document per (federated Service, cluster) under the Service's `shards`
 * subcollection, written by propagation as each cluster finishes, only when it changed. Clusters
 * never share a document, and a write is a field-path update conditional on the document being as
 * it was read (else a transaction decides again), so a pass that observed its member earlier never
 * overwrites what a later pass recorded. (Health is the sweep's, in store/sweep-health.ts.)
 */
import { DocumentReference, FieldPath, FieldValue, Firestore, Timestamp } from '@google-cloud/firestore';
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

/** The value as Firestore stores it (undefined members dropped). */
const plain = (v: PropagationState): PropagationState => JSON.parse(JSON.stringify(v)) as PropagationState;

/** The member-index change a shard write brings, if any: the member uid now recorded (or its removal). */
function indexEntry(it: ShardPut, before: PropagationState | undefined, existed: boolean): Record<string, string | FieldValue> | undefined {
  const uid = it.value.present ? it.value.memberUid : undefined;
  if (existed && uid === before?.memberUid) return undefined;
  return { [`${it.namespace}/${it.service}`]: uid ?? FieldValue.delete() };
}

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

  async put(namespace: string, service: string, cluster: string, _field: 'propagation', value: PropagationState, previous?: ShardDoc): Promise<boolean> {
    return (await this.putAll([{ namespace, service, cluster, value, ...(previous ? { previous } : {}) }]))[0] as boolean;
  }

  async putAll(items: readonly ShardPut[]): Promise<boolean[]> {
    const due = items.map((it) => !it.previous || replacesShard(it.previous.propagation, it.value));
    const writing = items.filter((_it, i) => due[i]);
    if (writing.length === 0) return due;
    // One commit when nobody else wrote any of the shards since they were read: each shard conditional
    // on being as read, the member index (which follows the shards atomically) merged once per cluster.
    if (writing.every((it) => !it.previous || it.previous.version)) {
      const batch = this.db.batch();
      const index = new Map<string, Record<string, string | FieldValue>>();
      for (const it of writing) {
        const data = { cluster: it.cluster, propagation: plain(it.value) };
        if (!it.previous) batch.create(this.shardRef(it), data);
        else batch.update(this.shardRef(it), data, { lastUpdateTime: timestampOf(it.previous.version as string) });
        const entry = indexEntry(it, it.previous?.propagation, it.previous !== undefined);
        if (entry) index.set(it.cluster, { ...index.get(it.cluster), ...entry });
      }
      for (const [cluster, uids] of index) batch.set(this.db.doc(`${INDEX}/${cluster}`), { uids }, { merge: true });
      try {
        await batch.commit();
        return due;
      } catch (e) {
        if (!CONTENDED.has((e as { code?: number }).code ?? 0)) throw e;
      }
    }
    // Someone else wrote meanwhile: each shard in its own transaction, keeping the newer observation.
    return Promise.all(items.map((it, i) => (due[i] ? this.putContended(it) : false)));
  }

  private shardRef(it: ShardPut): DocumentReference {
    return this.db.doc(`${shardCollectionPath(it.namespace, it.service)}/${it.cluster}`);
  }

  private putContended(it: ShardPut): Promise<boolean> {
    const ref = this.shardRef(it);
    return this.db.runTransaction(async (tx) => {
      const now = (await tx.get(ref)).data() as ShardDoc | undefined;
      if (!replacesShard(now?.propagation, it.value)) return false;
      tx.set(ref, { cluster: it.cluster, propagation: plain(it.value) }, { mergeFields: ['cluster', 'propagation'] });
      const entry = indexEntry(it, now?.propagation, now !== undefined);
      if (entry) tx.set(this.db.doc(`${INDEX}/${it.cluster}`), { uids: entry }, { merge: true });
      return true;
    });
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
