/** ObjectStore on Cloud Firestore (or its emulator): one document per object, transactions for every write. */
import { FieldPath, Firestore, Query } from '@google-cloud/firestore';
import { KubeObject } from '../model/meta';
import { ObjectKey, ResourceName, collectionPath, documentPath } from './layout';
import { ObjectStore, StoredRecord, TransactResult, nextResourceVersion } from './port';

type Doc = { object: KubeObject; internal?: Record<string, unknown> };

function toRecord<T extends KubeObject>(data: FirebaseFirestore.DocumentData | undefined): StoredRecord<T> | undefined {
  if (!data) return undefined;
  const d = data as Doc;
  return d.internal ? { object: d.object as T, internal: d.internal } : { object: d.object as T };
}

export class FirestoreObjectStore implements ObjectStore {
  constructor(readonly db: Firestore, private readonly clock: () => number = () => Date.now()) {}

  async get<T extends KubeObject>(resource: ResourceName, key: ObjectKey): Promise<StoredRecord<T> | undefined> {
    const snap = await this.db.doc(documentPath(resource, key)).get();
    return toRecord<T>(snap.data());
  }

  async list<T extends KubeObject>(resource: ResourceName, namespace?: string): Promise<StoredRecord<T>[]> {
    const query = resource === 'clusters' || namespace
      ? this.db.collection(collectionPath(resource, namespace))
      : this.db.collectionGroup(resource);
    const snap = await query.get();
    return snap.docs
      .filter((d) => resource === 'clusters' || d.ref.path.split('/').length === 4)
      .map((d) => toRecord<T>(d.data()) as StoredRecord<T>)
      .sort((a, b) => sortKey(a.object).localeCompare(sortKey(b.object)));
  }

  private ordered(resource: ResourceName, namespace: string | undefined, after: string | undefined): Query {
    const inOne = resource === 'clusters' || namespace !== undefined;
    const q = (inOne ? this.db.collection(collectionPath(resource, namespace)) : this.db.collectionGroup(resource)).orderBy(FieldPath.documentId());
    // Keys are document paths; a query over one collection takes the document id instead.
    if (after === undefined) return q;
    return q.startAfter(inOne ? after.split('/').pop() ?? after : after);
  }

  async listPage<T extends KubeObject>(resource: ResourceName, namespace: string | undefined, page: { limit: number; after?: string }): Promise<{ records: { key: string; record: StoredRecord<T> }[]; more: boolean }> {
    const snap = await this.ordered(resource, namespace, page.after).limit(page.limit + 1).get();
    const docs = snap.docs.slice(0, page.limit);
    return {
      records: docs.filter((d) => resource === 'clusters' || d.ref.path.split('/').length === 4)
        .map((d) => ({ key: d.ref.path, record: toRecord<T>(d.data()) as StoredRecord<T> })),
      more: snap.docs.length > page.limit,
    };
  }

  async countAfter(resource: ResourceName, namespace: string | undefined, after?: string): Promise<number> {
    const snap = await this.ordered(resource, namespace, after).count().get();
    return snap.data().count;
  }

  async transact<T extends KubeObject>(
    resource: ResourceName, key: ObjectKey,
    decide: (current: StoredRecord<T> | undefined) => TransactResult<T> | Promise<TransactResult<T>>,
  ): Promise<StoredRecord<T> | undefined> {
    const ref = this.db.doc(documentPath(resource, key));
    // A rejection from `decide` is carried out of the transaction rather than thrown through it: the
    // client library would take an error with a numeric `code` (409, say) for a retryable RPC failure.
    let refusal: { error: unknown } | undefined;
    const written = await this.db.runTransaction(async (tx) => {
      refusal = undefined;
      const snap = await tx.get(ref);
      const current = toRecord<T>(snap.data());
      let result: TransactResult<T>;
      try {
        result = await decide(current);
      } catch (error) {
        refusal = { error };
        return undefined;
      }
      if ('none' in result) return current;
      if ('delete' in result) {
        tx.delete(ref);
        if (current) {
          const rv = nextResourceVersion(current.object.metadata.resourceVersion, this.clock() * 1000);
          const object = { ...current.object, metadata: { ...current.object.metadata, resourceVersion: rv } };
          tx.set(this.db.doc(`tombstones/${resource}~${key.namespace ?? ''}~${key.name}`), { resource, rv: Number(rv), at: this.clock(), object });
        }
        return current;
      }
      const rv = nextResourceVersion(current?.object.metadata.resourceVersion, this.clock() * 1000);
      const object = { ...result.write.object, metadata: { ...result.write.object.metadata, resourceVersion: rv } };
      const doc: Doc = result.write.internal ? { object, internal: { ...result.write.internal } } : { object };
      tx.set(ref, doc);
      return result.write.internal ? { object, internal: result.write.internal } : { object };
    });
    if (refusal) throw refusal.error;
    return written;
  }

  async deletedSince<T extends KubeObject>(resource: ResourceName, resourceVersion: number): Promise<T[]> {
    const snap = await this.db.collection('tombstones').where('resource', '==', resource).where('rv', '>', resourceVersion).get();
    const fresh = this.clock() - TOMBSTONE_MS;
    return snap.docs.map((d) => d.data() as { at: number; object: T }).filter((t) => t.at >= fresh).map((t) => t.object);
  }
}

const TOMBSTONE_MS = 5 * 60 * 1000;

function sortKey(o: KubeObject): string {
  return `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;
}

export function firestoreFor(projectId: string): Firestore {
  return new Firestore({ projectId, ignoreUndefinedProperties: true, preferRest: false });
}
