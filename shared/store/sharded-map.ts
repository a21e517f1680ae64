/**
 * A string map spread over a fixed number of Firestore documents (`{collection}/{0..n-1}`), the
 * key's hash choosing the document. Reading all of it costs `n` document reads whatever the number
 * of keys, so the sweep's steady reads do not grow with the number of Services. Values are JSON
 * strings: one indexed field per key, however deep the value.
 *
 * Two ways to write: `put` changes one key with a field-path merge (writers that each own a few keys,
 * such as propagation keeping the Service catalog), `replace` rewrites only the documents whose keys
 * changed (a single writer that holds the whole map, such as the sweep).
 */
import { createHash } from 'node:crypto';
import { FieldValue, Firestore } from '@google-cloud/firestore';

export interface ShardedMap {
  /** Every key with its value, and how many documents were read. */
  read(): Promise<{ values: Map<string, string>; documents: number }>;
  /** One key's value (one document read). */
  get(key: string): Promise<string | undefined>;
  /** Sets one key (undefined deletes it), leaving the others as they are. */
  put(key: string, value: string | undefined): Promise<void>;
  /** Stores `next`; `previous` is what was read, so only documents holding a changed key are written. */
  replace(next: ReadonlyMap<string, string>, previous: ReadonlyMap<string, string>): Promise<number>;
}

export function shardIndex(key: string, shards: number): number {
  return createHash('sha256').update(key).digest().readUInt32BE(0) % shards;
}

/** The documents holding a key whose value differs between two maps. */
export function changedShards(next: ReadonlyMap<string, string>, previous: ReadonlyMap<string, string>, shards: number): Set<number> {
  const out = new Set<number>();
  for (const k of new Set([...next.keys(), ...previous.keys()])) if (next.get(k) !== previous.get(k)) out.add(shardIndex(k, shards));
  return out;
}

export class FirestoreShardedMap implements ShardedMap {
  constructor(
    private readonly db: Firestore,
    private readonly collection: string,
    readonly shards: number,
  ) {}

  async read(): Promise<{ values: Map<string, string>; documents: number }> {
    const snap = await this.db.collection(this.collection).get();
    const values = new Map<string, string>();
    for (const d of snap.docs)
      for (const [k, v] of Object.entries((d.data()['entries'] ?? {}) as Record<string, unknown>)) if (typeof v === 'string') values.set(k, v);
    return { values, documents: Math.max(1, snap.size) };
  }

  async get(key: string): Promise<string | undefined> {
    const snap = await this.db.doc(`${this.collection}/${shardIndex(key, this.shards)}`).get();
    const v = ((snap.data()?.['entries'] ?? {}) as Record<string, unknown>)[key];
    return typeof v === 'string' ? v : undefined;
  }

  async put(key: string, value: string | undefined): Promise<void> {
    // A merge names the one map entry, so concurrent writers of other keys are kept.
    await this.db.doc(`${this.collection}/${shardIndex(key, this.shards)}`).set({ entries: { [key]: value ?? FieldValue.delete() } }, { merge: true });
  }

  async replace(next: ReadonlyMap<string, string>, previous: ReadonlyMap<string, string>): Promise<number> {
    const changed = changedShards(next, previous, this.shards);
    if (changed.size === 0) return 0;
    const docs = new Map<number, Record<string, string>>([...changed].map((i) => [i, {}]));
    for (const [k, v] of next) {
      const d = docs.get(shardIndex(k, this.shards));
      if (d) d[k] = v;
    }
    const batch = this.db.batch();
    for (const [i, entries] of docs) batch.set(this.db.doc(`${this.collection}/${i}`), { entries });
    await batch.commit();
    return changed.size;
  }
}

/** The same map in memory (unit tables, benchmarks): a read returns a copy, writes count documents. */
export class MemoryShardedMap implements ShardedMap {
  private readonly docs = new Map<number, Map<string, string>>();
  documentWrites = 0;

  constructor(readonly shards: number) {}

  async read(): Promise<{ values: Map<string, string>; documents: number }> {
    const values = new Map<string, string>();
    for (const d of this.docs.values()) for (const [k, v] of d) values.set(k, v);
    return { values, documents: Math.max(1, this.docs.size) };
  }

  async get(key: string): Promise<string | undefined> {
    return this.docs.get(shardIndex(key, this.shards))?.get(key);
  }

  async put(key: string, value: string | undefined): Promise<void> {
    const i = shardIndex(key, this.shards);
    const d = this.docs.get(i) ?? new Map<string, string>();
    if (value === undefined) d.delete(key);
    else d.set(key, value);
    this.docs.set(i, d);
    this.documentWrites++;
  }

  async replace(next: ReadonlyMap<string, string>, previous: ReadonlyMap<string, string>): Promise<number> {
    const changed = changedShards(next, previous, this.shards);
    for (const i of changed) this.docs.set(i, new Map([...next].filter(([k]) => shardIndex(k, this.shards) === i)));
    this.documentWrites += changed.size;
    return changed.size;
  }
}
