/**
 * ObjectStore on Cloud Firestore (or its emulator): one document per object, transactions for every
 * write. Every call is bounded: it answers within `deadlineMs` or fails with a StoreError
 * (shared/store/errors.ts), and a write commits only while its commit can still finish before that
 * deadline, so a write the caller was told timed out is never applied later. Writes to one object
 * from this instance queue behind each other; aborted transactions (other instances) are retried
 * with backoff until the deadline, then reported as contention.
 */
import { FieldPath, Firestore, Query, Settings } from '@google-cloud/firestore';
import { KubeObject, keyOf } from '../model/meta';
import { Secret, secretAtRest } from '../model/secret';
import { deadline as withDeadline } from '../util/retry';
import { DIRECTORY_STAMP, directoryChanged, directoryToken } from './cluster-directory';
import { DocumentTooLargeError, StoreContentionError, StoreError, StoreTimeoutError, StoreUnavailableError, classify, storeErrorOf } from './errors';
import { documentSize } from './document-size';
import { ObjectKey, ResourceName, collectionPath, documentPath } from './layout';
import { ObjectStore, StoredRecord, TransactResult, nextResourceVersion } from './port';

type Doc = { object: KubeObject; internal?: Record<string, unknown> };

/** Firestore's limit is 1 MiB per document; keep a margin for the estimate. */
export const MAX_DOCUMENT_BYTES = 1_048_576 - 8 * 1024;

export interface StoreTimings {
  /** Longest any store call may take, queueing and retries included. */
  readonly deadlineMs: number;
  /** Time a commit needs; a transaction does not commit with less than this left. */
  readonly commitMs: number;
}

/** A caller hears back within 8 s (the API answers within 10 s even with the store gone). */
export const DEFAULT_TIMINGS: StoreTimings = { deadlineMs: 8000, commitMs: 3000 };

function toRecord<T extends KubeObject>(data: FirebaseFirestore.DocumentData | undefined): StoredRecord<T> | undefined {
  if (!data) return undefined;
  const d = data as Doc;
  return d.internal ? { object: d.object as T, internal: d.internal } : { object: d.object as T };
}

/** Thrown inside a transaction to stop it before it commits (too late, or the caller refused). */
class Stop {
  constructor(readonly error: unknown) {}
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class FirestoreObjectStore implements ObjectStore {
  /** The tail of each document's write queue on this instance. */
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(
    readonly db: Firestore,
    private readonly clock: () => number = () => Date.now(),
    private readonly timings: StoreTimings = DEFAULT_TIMINGS,
  ) {}

  private bounded<T>(what: string, p: Promise<T>): Promise<T> {
    return withDeadline(
      p.catch((e: unknown) => {
        throw storeErrorOf(e, what);
      }),
      this.timings.deadlineMs,
      () => new StoreTimeoutError(`${what}: the store did not answer within ${this.timings.deadlineMs} ms`),
    );
  }

  async get<T extends KubeObject>(resource: ResourceName, key: ObjectKey): Promise<StoredRecord<T> | undefined> {
    const snap = await this.bounded(`reading ${resource}`, this.db.doc(documentPath(resource, key)).get());
    return toRecord<T>(snap.data());
  }

  async list<T extends KubeObject>(resource: ResourceName, namespace?: string): Promise<StoredRecord<T>[]> {
    const query = resource === 'clusters' || namespace ? this.db.collection(collectionPath(resource, namespace)) : this.db.collectionGroup(resource);
    const snap = await this.bounded(`listing ${resource}`, query.get());
    return snap.docs
      .filter((d) => resource === 'clusters' || d.ref.path.split('/').length === 4)
      .map((d) => toRecord<T>(d.data()) as StoredRecord<T>)
      .sort((a, b) => keyOf(a.object).localeCompare(keyOf(b.object)));
  }

  private ordered(resource: ResourceName, namespace: string | undefined, after: string | undefined): Query {
    const inOne = resource === 'clusters' || namespace !== undefined;
    const q = (inOne ? this.db.collection(collectionPath(resource, namespace)) : this.db.collectionGroup(resource)).orderBy(FieldPath.documentId());
    // Keys are document paths; a query over one collection takes the document id instead.
    if (after === undefined) return q;
    return q.startAfter(inOne ? (after.split('/').pop() ?? after) : after);
  }

  async listPage<T extends KubeObject>(
    resource: ResourceName,
    namespace: string | undefined,
    page: { limit: number; after?: string },
  ): Promise<{ records: { key: string; record: StoredRecord<T> }[]; more: boolean }> {
    const snap = await this.ordered(resource, namespace, page.after)
      .limit(page.limit + 1)
      .get();
    const docs = snap.docs.slice(0, page.limit);
    return {
      records: docs
        .filter((d) => resource === 'clusters' || d.ref.path.split('/').length === 4)
        .map((d) => ({ key: d.ref.path, record: toRecord<T>(d.data()) as StoredRecord<T> })),
      more: snap.docs.length > page.limit,
    };
  }

  async countAfter(resource: ResourceName, namespace: string | undefined, after?: string): Promise<number> {
    const snap = await this.ordered(resource, namespace, after).count().get();
    return snap.data().count;
  }

  async transact<T extends KubeObject>(
    resource: ResourceName,
    key: ObjectKey,
    decide: (current: StoredRecord<T> | undefined) => TransactResult<T> | Promise<TransactResult<T>>,
  ): Promise<StoredRecord<T> | undefined> {
    const path = documentPath(resource, key);
    const until = Date.now() + this.timings.deadlineMs;
    const queued = this.queues.get(path);
    const seen = { contended: queued !== undefined };
    const mine = (queued ?? Promise.resolve()).catch(() => undefined).then(() => this.attempts(resource, key, decide, until, seen));
    const tail = mine.catch(() => undefined);
    this.queues.set(path, tail);
    void tail.then(() => {
      if (this.queues.get(path) === tail) this.queues.delete(path);
    });
    const left = until - Date.now();
    // At the deadline no commit can be under way (a commit starts only with commitMs left and its
    // RPC times out sooner), so nothing more will be written for this call.
    return withDeadline(mine, Math.max(left, 0), () =>
      seen.contended
        ? new StoreContentionError(`writing ${resource} "${key.name}": other writes to this object held it up; nothing was written`)
        : new StoreTimeoutError(`writing ${resource}: the store did not answer within ${this.timings.deadlineMs} ms`),
    );
  }

  private async attempts<T extends KubeObject>(
    resource: ResourceName,
    key: ObjectKey,
    decide: (current: StoredRecord<T> | undefined) => TransactResult<T> | Promise<TransactResult<T>>,
    until: number,
    seen: { contended: boolean },
  ): Promise<StoredRecord<T> | undefined> {
    for (let attempt = 1; ; attempt++) {
      if (until - Date.now() < this.timings.commitMs) {
        throw attempt === 1
          ? new StoreContentionError(`writing ${resource} "${key.name}": too many writes to this object are queued`)
          : new StoreContentionError(`writing ${resource} "${key.name}": concurrent writes kept conflicting`);
      }
      const phase = { committing: false };
      try {
        return await this.once(resource, key, decide, until, phase);
      } catch (e) {
        if (e instanceof Stop) throw e.error instanceof StoreTimeoutError && seen.contended ? this.contention(resource, key) : e.error;
        const failure = classify(e);
        // A commit that failed other than by abort may have landed: never retried (the caller hears 503/504).
        if (phase.committing && failure !== 'contention') {
          throw failure === 'unavailable'
            ? new StoreUnavailableError(`writing ${resource}: the store went away during the commit`, { cause: e })
            : new StoreTimeoutError(`writing ${resource}: the commit did not finish in time; it may or may not have been applied`, true, { cause: e });
        }
        if (failure === 'other') throw e;
        if (failure === 'contention') seen.contended = true;
        const backoff = Math.random() * Math.min(1000, 25 * 2 ** attempt);
        if (until - Date.now() - backoff < this.timings.commitMs) {
          throw seen.contended ? this.contention(resource, key) : storeErrorOf(e, `writing ${resource}`);
        }
        await sleep(backoff);
      }
    }
  }

  private contention(resource: ResourceName, key: ObjectKey): StoreContentionError {
    return new StoreContentionError(`writing ${resource} "${key.name}": concurrent writes to this object kept it busy; nothing was written`);
  }

  private async once<T extends KubeObject>(
    resource: ResourceName,
    key: ObjectKey,
    decide: (current: StoredRecord<T> | undefined) => TransactResult<T> | Promise<TransactResult<T>>,
    until: number,
    phase: { committing: boolean },
  ): Promise<StoredRecord<T> | undefined> {
    const ref = this.db.doc(documentPath(resource, key));
    return this.db.runTransaction(
      async (tx) => {
        const snap = await tx.get(ref);
        const current = toRecord<T>(snap.data());
        let result: TransactResult<T>;
        try {
          // A rejection from `decide` is carried out as Stop: the client library would take an error
          // with a numeric `code` (409, say) for a retryable RPC failure.
          result = await decide(current);
        } catch (error) {
          throw new Stop(error);
        }
        if ('none' in result) return current;
        // Too late to be sure the commit finishes before the caller's deadline: do not commit at all.
        if (until - Date.now() < this.timings.commitMs)
          throw new Stop(new StoreTimeoutError(`writing ${resource}: the store did not answer in time; nothing was written`));
        if ('delete' in result) {
          tx.delete(ref);
          if (current) {
            const rv = nextResourceVersion(current.object.metadata.resourceVersion, this.clock() * 1000);
            const object = { ...current.object, metadata: { ...current.object.metadata, resourceVersion: rv } };
            tx.set(this.db.doc(`tombstones/${resource}~${key.namespace ?? ''}~${key.name}`), {
              resource,
              rv: Number(rv),
              at: this.clock(),
              object: atRest(resource, { object }).object,
            });
            this.stampDirectory(tx, resource, key, current.object, undefined, rv);
          }
          phase.committing = true;
          return current;
        }
        const rv = nextResourceVersion(current?.object.metadata.resourceVersion, this.clock() * 1000);
        const object = { ...result.write.object, metadata: { ...result.write.object.metadata, resourceVersion: rv } };
        const doc = atRest(resource, result.write.internal ? { object, internal: { ...result.write.internal } } : { object });
        const path = documentPath(resource, key);
        const bytes = documentSize(path, doc);
        if (bytes > MAX_DOCUMENT_BYTES) throw new Stop(new DocumentTooLargeError(resource, key.name, bytes, MAX_DOCUMENT_BYTES));
        tx.set(ref, doc);
        this.stampDirectory(tx, resource, key, current?.object, object, rv);
        phase.committing = true;
        return doc as StoredRecord<T>;
      },
      { maxAttempts: 1 },
    );
  }

  /** A Cluster write that changes what propagation reads moves the directory's stamp, in the same commit (cluster-directory.ts). */
  private stampDirectory(
    tx: FirebaseFirestore.Transaction,
    resource: ResourceName,
    key: ObjectKey,
    before: KubeObject | undefined,
    after: KubeObject | undefined,
    rv: string,
  ): void {
    if (resource !== 'clusters' || !directoryChanged(before, after)) return;
    tx.set(this.db.doc(DIRECTORY_STAMP), { token: directoryToken(key.name, rv) });
  }

  async deletedSince<T extends KubeObject>(resource: ResourceName, resourceVersion: number): Promise<T[]> {
    const snap = await this.bounded(
      'reading tombstones',
      this.db.collection('tombstones').where('resource', '==', resource).where('rv', '>', resourceVersion).get(),
    );
    const fresh = this.clock() - TOMBSTONE_MS;
    return snap.docs
      .map((d) => d.data() as { at: number; object: T })
      .filter((t) => t.at >= fresh)
      .map((t) => t.object);
  }
}

/** What may rest in the store: Secrets never with data values outside the sealed data. */
function atRest<R extends { object: KubeObject; internal?: Readonly<Record<string, unknown>> }>(resource: ResourceName, rec: R): R {
  return resource === 'secrets' ? (secretAtRest(rec as unknown as { object: Secret; internal?: Readonly<Record<string, unknown>> }) as unknown as R) : rec;
}

const TOMBSTONE_MS = 5 * 60 * 1000;

/**
 * Client settings that keep every call inside the store deadline: each RPC times out after 3 s,
 * retries of idempotent calls stop after 7 s, a commit is never retried by the client (an
 * ambiguous commit must not land after its caller gave up), and a lost connection is redialled
 * within 2 s of the store coming back (gRPC's own reconnect backoff grows to 120 s).
 */
export function firestoreSettings(projectId: string): Settings {
  const method = (retry: string, timeout: number) => ({ timeout_millis: timeout, retry_codes_name: retry, retry_params_name: 'bounded' });
  const idempotent = method('idempotent', 3000);
  return {
    projectId,
    ignoreUndefinedProperties: true,
    preferRest: false,
    'grpc.initial_reconnect_backoff_ms': 250,
    'grpc.min_reconnect_backoff_ms': 250,
    'grpc.max_reconnect_backoff_ms': 2000,
    'grpc.keepalive_time_ms': 10_000,
    'grpc.keepalive_timeout_ms': 5000,
    clientConfig: {
      interfaces: {
        'google.firestore.v1.Firestore': {
          retry_codes: { idempotent: ['DEADLINE_EXCEEDED', 'UNAVAILABLE'], non_idempotent: [] },
          retry_params: {
            bounded: {
              initial_retry_delay_millis: 100,
              retry_delay_multiplier: 1.5,
              max_retry_delay_millis: 1000,
              initial_rpc_timeout_millis: 3000,
              rpc_timeout_multiplier: 1,
              max_rpc_timeout_millis: 3000,
              total_timeout_millis: 7000,
            },
          },
          methods: {
            GetDocument: idempotent,
            ListDocuments: idempotent,
            BatchGetDocuments: idempotent,
            RunQuery: idempotent,
            RunAggregationQuery: idempotent,
            BeginTransaction: idempotent,
            Rollback: idempotent,
            ListCollectionIds: idempotent,
            Commit: method('non_idempotent', 2500),
            BatchWrite: method('non_idempotent', 2500),
          },
        },
      },
    },
  } as Settings;
}

export function firestoreFor(projectId: string): Firestore {
  return new Firestore(firestoreSettings(projectId));
}

export { StoreError };
