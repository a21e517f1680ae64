/**
 * The DNS ownership ledger in Firestore: `dnsLedger/{shard}` documents, each a map from record key
 * to its entry, the key's hash choosing the shard. A sweep reads a fixed number of documents
 * (LEDGER_SHARDS), whatever the number of Services, and writes only the shards that changed.
 */
import { createHash } from 'node:crypto';
import { Firestore } from '@google-cloud/firestore';
import { Ledger, LedgerEntry, LedgerStore } from '../dns/registry';
import { RecordSet } from '../dns/types';

export const LEDGER_SHARDS = 8;
const COLLECTION = 'dnsLedger';

function shardOf(key: string): number {
  return createHash('sha256').update(key).digest().readUInt32BE(0) % LEDGER_SHARDS;
}

interface StoredEntry {
  owner: string;
  pending?: RecordSet;
}

export class FirestoreLedgerStore implements LedgerStore {
  constructor(private readonly db: Firestore) {}

  async read(): Promise<Map<string, LedgerEntry>> {
    const snap = await this.db.collection(COLLECTION).get();
    const out = new Map<string, LedgerEntry>();
    for (const d of snap.docs) {
      const entries = (d.data()['entries'] ?? {}) as Record<string, StoredEntry>;
      for (const [k, e] of Object.entries(entries)) out.set(k, e.pending ? { owner: e.owner, pending: e.pending } : { owner: e.owner });
    }
    return out;
  }

  async write(next: Ledger, previous: Ledger): Promise<void> {
    const shards = new Map<number, Record<string, StoredEntry>>();
    for (let i = 0; i < LEDGER_SHARDS; i++) shards.set(i, {});
    for (const [k, e] of next) (shards.get(shardOf(k)) as Record<string, StoredEntry>)[k] = e.pending ? { owner: e.owner, pending: e.pending } : { owner: e.owner };
    const changed = new Set<number>();
    for (const k of new Set([...next.keys(), ...previous.keys()])) {
      const a = next.get(k);
      const b = previous.get(k);
      if (JSON.stringify(a) !== JSON.stringify(b)) changed.add(shardOf(k));
    }
    const batch = this.db.batch();
    for (const i of changed) batch.set(this.db.doc(`${COLLECTION}/${i}`), { entries: shards.get(i) });
    if (changed.size > 0) await batch.commit();
  }
}
