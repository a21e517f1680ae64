/**
 * Shard state: one document per (federated Service, cluster) under the Service's `shards`
 * subcollection, written by propagation only when it changed. (Health lives in the per-Service
 * sweep state, store/sweep-state.ts, so one sweep reads one document per Service.)
 */
import { FieldPath, FieldValue, Firestore } from '@google-cloud/firestore';
import { LoadBalancerIngress } from '../model/service';
import { stableJson as stable } from '../util/stable-json';
import { shardCollectionPath } from './layout';

export interface PropagationState {
  readonly present: boolean;
  readonly ingress: readonly LoadBalancerIngress[];
  readonly memberUid?: string;
  readonly error?: string;
  readonly conflict?: string;
  readonly observedGeneration?: number;
}

export interface HealthState {
  readonly healthy: boolean;
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
}

export interface ShardStore {
  list(namespace: string, service: string): Promise<ShardDoc[]>;
  /** All shards of all Services, keyed `namespace/service`. */
  listAll(): Promise<Map<string, ShardDoc[]>>;
  /** Merges one field; returns false (and writes nothing) when it already had this value. */
  put(namespace: string, service: string, cluster: string, field: 'propagation', value: PropagationState, previous?: ShardDoc): Promise<boolean>;
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
    return snap.docs.map((d) => d.data() as ShardDoc);
  }

  async listAll(): Promise<Map<string, ShardDoc[]>> {
    const snap = await this.db.collectionGroup('shards').get();
    const out = new Map<string, ShardDoc[]>();
    for (const d of snap.docs) {
      const p = d.ref.path.split('/'); // namespaces/ns/services/svc/shards/cluster
      const key = `${p[1] ?? ''}/${p[3] ?? ''}`;
      out.set(key, [...(out.get(key) ?? []), d.data() as ShardDoc]);
    }
    return out;
  }

  async put(namespace: string, service: string, cluster: string, field: 'propagation', value: PropagationState, previous?: ShardDoc): Promise<boolean> {
    if (previous && stable(previous[field]) === stable(value)) return false;
    const batch = this.db.batch();
    batch.set(this.db.doc(`${shardCollectionPath(namespace, service)}/${cluster}`), { cluster, [field]: value }, { mergeFields: ['cluster', field] });
    const uid = value.present ? value.memberUid : undefined;
    if (uid !== previous?.propagation?.memberUid || !previous) {
      batch.set(this.db.doc(`${INDEX}/${cluster}`), { uids: { [`${namespace}/${service}`]: uid ?? FieldValue.delete() } }, { merge: true });
    }
    await batch.commit();
    return true;
  }

  async readAll(): Promise<Map<string, Map<string, string>>> {
    const snap = await this.db.collection(INDEX).get();
    return new Map(snap.docs.map((d) => [d.id, new Map(Object.entries((d.data()['uids'] ?? {}) as Record<string, string>))]));
  }

  async remove(namespace: string, service: string, cluster?: string): Promise<void> {
    const col = this.db.collection(shardCollectionPath(namespace, service));
    const unindex = (c: string): Promise<unknown> => this.db.doc(`${INDEX}/${c}`).update(new FieldPath('uids', `${namespace}/${service}`), FieldValue.delete()).catch(() => undefined);
    if (cluster) {
      await Promise.all([col.doc(cluster).delete(), unindex(cluster)]);
      return;
    }
    const snap = await col.get();
    await Promise.all(snap.docs.flatMap((d) => [d.ref.delete(), unindex(d.id)]));
  }
}
