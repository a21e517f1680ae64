/**
 * In-memory adapters of the store ports, with Firestore's rules: every read returns a copy (as a
 * document snapshot does), values lose `undefined` fields (the client's ignoreUndefinedProperties),
 * a transaction whose document changed while `decide` ran is run again (Firestore retries a
 * contended transaction; after 5 attempts it gives up with ABORTED), a rejected `decide` writes
 * nothing, and conditional writes fail when the document moved on. For unit tables and the
 * single-process demo; shared/store/firestore.ts and shards.ts are the production adapters.
 */
import { KubeObject, keyOf } from '../model/meta';
import { ObjectKey, ResourceName, documentPath } from './layout';
import { ObjectStore, StoredRecord, TransactResult, nextResourceVersion } from './port';
import { BreakerState } from '../members/breaker';
import { BreakerDecision, BreakerStore } from './breakers';
import { MemberIndex, PropagationState, ShardDoc, ShardPut, ShardStore, replacesShard } from './shards';

const MAX_ATTEMPTS = 5;
const TOMBSTONE_MS = 5 * 60 * 1000;

/** A JSON copy: what a document round trip through Firestore gives back. */
function copy<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

export class TransactionAbortedError extends Error {
  override readonly name = 'TransactionAbortedError';
}

interface Versioned<T> {
  readonly value: T;
  readonly version: number;
}

/** Documents by path, each with a version that changes on every write. */
class Documents<T> {
  private readonly docs = new Map<string, Versioned<T>>();
  private counter = 0;

  read(path: string): Versioned<T> | undefined {
    const d = this.docs.get(path);
    return d ? { value: copy(d.value), version: d.version } : undefined;
  }

  entries(prefix = ''): [string, Versioned<T>][] {
    return [...this.docs].filter(([p]) => p.startsWith(prefix)).map(([p, d]) => [p, { value: copy(d.value), version: d.version }]);
  }

  write(path: string, value: T | undefined): void {
    if (value === undefined) this.docs.delete(path);
    else this.docs.set(path, { value: copy(value), version: ++this.counter });
  }

  /** Runs `decide` on a snapshot and commits only if nobody wrote the document meanwhile. */
  async transact<R>(path: string, decide: (current: T | undefined) => Promise<{ next?: T | 'delete'; result: R }>): Promise<R> {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const before = this.docs.get(path)?.version;
      const { next, result } = await decide(this.read(path)?.value);
      if (this.docs.get(path)?.version !== before) continue;
      if (next === 'delete') this.write(path, undefined);
      else if (next !== undefined) this.write(path, next);
      return result;
    }
    throw new TransactionAbortedError(`transaction on ${path} aborted after ${MAX_ATTEMPTS} attempts (contention)`);
  }
}

type Doc = { object: KubeObject; internal?: Record<string, unknown> };

export class MemoryObjectStore implements ObjectStore {
  private readonly docs = new Documents<Doc>();
  private readonly tombstones: { resource: ResourceName; rv: number; at: number; object: KubeObject }[] = [];

  constructor(private readonly clock: () => number = () => Date.now()) {}

  async get<T extends KubeObject>(resource: ResourceName, key: ObjectKey): Promise<StoredRecord<T> | undefined> {
    return this.docs.read(documentPath(resource, key))?.value as StoredRecord<T> | undefined;
  }

  async list<T extends KubeObject>(resource: ResourceName, namespace?: string): Promise<StoredRecord<T>[]> {
    const depth = resource === 'clusters' ? 2 : 4;
    return this.docs
      .entries()
      .filter(([p]) => {
        const s = p.split('/');
        return s.length === depth && (resource === 'clusters' ? s[0] === 'clusters' : s[2] === resource && (!namespace || s[1] === namespace));
      })
      .map(([, d]) => d.value as StoredRecord<T>)
      .sort((a, b) => keyOf(a.object).localeCompare(keyOf(b.object)));
  }

  async transact<T extends KubeObject>(
    resource: ResourceName,
    key: ObjectKey,
    decide: (current: StoredRecord<T> | undefined) => TransactResult<T> | Promise<TransactResult<T>>,
  ): Promise<StoredRecord<T> | undefined> {
    return this.docs.transact(documentPath(resource, key), async (cur) => {
      const current = cur as StoredRecord<T> | undefined;
      const decision = await decide(current);
      if ('none' in decision) return { result: current };
      if ('delete' in decision) {
        if (current) {
          const rv = nextResourceVersion(current.object.metadata.resourceVersion, this.clock() * 1000);
          this.tombstones.push({
            resource,
            rv: Number(rv),
            at: this.clock(),
            object: copy({ ...current.object, metadata: { ...current.object.metadata, resourceVersion: rv } }),
          });
        }
        return { next: 'delete', result: current };
      }
      const rv = nextResourceVersion(current?.object.metadata.resourceVersion, this.clock() * 1000);
      const object = { ...decision.write.object, metadata: { ...decision.write.object.metadata, resourceVersion: rv } };
      const written = copy(decision.write.internal ? { object, internal: { ...decision.write.internal } } : { object }) as StoredRecord<T>;
      return { next: written as Doc, result: written };
    });
  }

  /** Pages in the same key order as list (namespace/name). */
  async listPage<T extends KubeObject>(
    resource: ResourceName,
    namespace: string | undefined,
    page: { limit: number; after?: string },
  ): Promise<{ records: { key: string; record: StoredRecord<T> }[]; more: boolean }> {
    const all = (await this.list<T>(resource, namespace)).map((record) => ({ key: keyOf(record.object), record }));
    const rest = page.after === undefined ? all : all.filter((r) => r.key > (page.after as string));
    return { records: rest.slice(0, page.limit), more: rest.length > page.limit };
  }

  async countAfter(resource: ResourceName, namespace: string | undefined, after?: string): Promise<number> {
    const all = (await this.list(resource, namespace)).map((r) => keyOf(r.object));
    return after === undefined ? all.length : all.filter((k) => k > after).length;
  }

  async deletedSince<T extends KubeObject>(resource: ResourceName, resourceVersion: number): Promise<T[]> {
    const fresh = this.clock() - TOMBSTONE_MS;
    return this.tombstones.filter((t) => t.resource === resource && t.rv > resourceVersion && t.at >= fresh).map((t) => copy(t.object) as T);
  }
}

const shardPath = (ns: string, svc: string, cluster: string): string => `namespaces/${ns}/services/${svc}/shards/${cluster}`;

export class MemoryShardStore implements ShardStore, MemberIndex {
  private readonly docs = new Documents<ShardDoc>();
  /** cluster → (`namespace/name` → member uid), kept with each shard write as the Firestore adapter does. */
  private readonly index = new Map<string, Map<string, string>>();
  /** Writes that reached the store (conditional writes that lost included). */
  writes = 0;

  private doc(d: Versioned<ShardDoc>): ShardDoc {
    return { ...d.value, version: String(d.version) };
  }

  async list(namespace: string, service: string): Promise<ShardDoc[]> {
    return this.docs.entries(`namespaces/${namespace}/services/${service}/shards/`).map(([, d]) => this.doc(d));
  }

  async listAll(): Promise<Map<string, ShardDoc[]>> {
    const out = new Map<string, ShardDoc[]>();
    for (const [p, d] of this.docs.entries()) {
      const s = p.split('/');
      const key = `${s[1] ?? ''}/${s[3] ?? ''}`;
      out.set(key, [...(out.get(key) ?? []), this.doc(d)]);
    }
    return out;
  }

  async putAll(items: readonly ShardPut[]): Promise<boolean[]> {
    return Promise.all(items.map((it) => this.put(it.namespace, it.service, it.cluster, 'propagation', it.value, it.previous)));
  }

  async put(namespace: string, service: string, cluster: string, field: 'propagation', value: PropagationState, previous?: ShardDoc): Promise<boolean> {
    if (previous && !replacesShard(previous[field], value)) return false;
    const path = shardPath(namespace, service, cluster);
    const cur = this.docs.read(path);
    this.writes++;
    // The conditional write of the Firestore adapter: it lands only if the document is as read.
    if (cur === undefined ? previous === undefined : previous?.version === String(cur.version)) {
      this.docs.write(path, { ...(cur?.value ?? {}), cluster, [field]: value });
      this.indexed(namespace, service, cluster, value);
      return true;
    }
    const wrote = await this.docs.transact(path, async (now) => {
      if (!replacesShard(now?.[field], value)) return { result: false };
      return { next: { ...(now ?? {}), cluster, [field]: value }, result: true };
    });
    if (wrote) this.indexed(namespace, service, cluster, value);
    return wrote;
  }

  private indexed(namespace: string, service: string, cluster: string, value: PropagationState): void {
    const m = this.index.get(cluster) ?? new Map<string, string>();
    if (value.present && value.memberUid) m.set(`${namespace}/${service}`, value.memberUid);
    else m.delete(`${namespace}/${service}`);
    this.index.set(cluster, m);
  }

  async readAll(): Promise<Map<string, Map<string, string>>> {
    return new Map([...this.index].map(([c, m]) => [c, new Map(m)]));
  }

  async remove(namespace: string, service: string, cluster?: string): Promise<void> {
    const prefix = `namespaces/${namespace}/services/${service}/shards/`;
    for (const [p] of this.docs.entries(prefix)) if (!cluster || p === prefix + cluster) this.docs.write(p, undefined);
    for (const [c, m] of this.index) if (!cluster || c === cluster) m.delete(`${namespace}/${service}`);
  }
}

export class MemoryBreakerStore implements BreakerStore {
  private readonly docs = new Documents<BreakerState>();

  async listAll(): Promise<Map<string, BreakerState>> {
    return new Map(this.docs.entries().map(([p, d]) => [p, d.value]));
  }

  async update(cluster: string, decide: BreakerDecision): Promise<BreakerState | undefined> {
    return this.docs.transact(cluster, async (current) => {
      const next = decide(current);
      if (next === undefined) return { result: current };
      if (next === 'closed') return { next: current ? 'delete' : undefined, result: undefined };
      return { next, result: copy(next) };
    });
  }
}
