/**
 * The DNS ownership ledger in Firestore: a sharded map (`dnsLedger/{n}`, store/sharded-map.ts) from
 * record key to its entry. A sweep reads a fixed number of documents (LEDGER_SHARDS), whatever the
 * number of Services, and writes only the documents holding a changed entry.
 */
import { Firestore } from '@google-cloud/firestore';
import { Ledger, LedgerEntry, LedgerStore } from '../dns/registry';
import { FirestoreShardedMap, ShardedMap } from './sharded-map';

export const LEDGER_SHARDS = 8;
const COLLECTION = 'dnsLedger';

const encode = (e: LedgerEntry): string => JSON.stringify(e.pending ? { owner: e.owner, pending: e.pending } : { owner: e.owner });

export class ShardedLedgerStore implements LedgerStore {
  documentsRead = 0;

  constructor(private readonly map: ShardedMap) {}

  async read(): Promise<Map<string, LedgerEntry>> {
    const { values, documents } = await this.map.read();
    this.documentsRead += documents;
    const out = new Map<string, LedgerEntry>();
    for (const [k, v] of values) {
      try {
        const e = JSON.parse(v) as LedgerEntry;
        if (typeof e.owner === 'string') out.set(k, e.pending ? { owner: e.owner, pending: e.pending } : { owner: e.owner });
      } catch {
        // A damaged entry is no proof of ownership: the set it names is left alone.
      }
    }
    return out;
  }

  async write(next: Ledger, previous: Ledger): Promise<void> {
    const enc = (l: Ledger): Map<string, string> => new Map([...l].map(([k, e]) => [k, encode(e)]));
    await this.map.replace(enc(next), enc(previous));
  }
}

export class FirestoreLedgerStore extends ShardedLedgerStore {
  constructor(db: Firestore) {
    super(new FirestoreShardedMap(db, COLLECTION, LEDGER_SHARDS));
  }
}
