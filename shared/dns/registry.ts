/**
 * The ownership registry, shaped like ExternalDNS's: it wraps a DNS provider with the same two
 * verbs (records, apply) and adds what the provider cannot know — which record sets skyfed created.
 *
 * Ownership is proven, never assumed:
 * - A set is ours only once skyfed created it. Before a create is sent, the ledger records it as a
 *   *pending* claim holding the exact set (so a crash between the two cannot orphan it); the claim is
 *   confirmed after the change succeeds, or at the next read when the zone holds exactly that set.
 * - A set that was already there, or that someone created between our read and our write (the
 *   provider answers AlreadyExists → DnsConflictError), never becomes ours: its pending claim is
 *   dropped at the next read, and the planner reports it as untouchable from then on.
 * - Updates and deletes only ever touch confirmed sets; deleting one removes it from the ledger.
 */
import { Changes } from './plan';
import { DnsProvider } from './providers/port';
import { equivalent, normalizedKey } from './records';
import { RecordSet } from './types';

export interface LedgerEntry {
  /** The federated Service (`namespace/name`) the set was made for. */
  readonly owner: string;
  /** Set while the create that made it has not been confirmed. */
  readonly pending?: RecordSet;
}

/** normalized record key (`name TYPE`) → entry. */
export type Ledger = ReadonlyMap<string, LedgerEntry>;

/** Where the ledger lives (Firestore in production, memory in tests). */
export interface LedgerStore {
  read(): Promise<Map<string, LedgerEntry>>;
  /** Stores `next`; `previous` is what was read, so adapters write only what changed. */
  write(next: Ledger, previous: Ledger): Promise<void>;
  /** Documents read so far (adapters that count them; for the sweep's report). */
  readonly documentsRead?: number;
}

export interface OwnedRecords {
  /** Every record set in the zone. */
  readonly current: RecordSet[];
  /** Confirmed owners of record sets in the zone, by normalized key. */
  readonly owners: ReadonlyMap<string, string>;
}

export class Registry {
  private ledger: Map<string, LedgerEntry> | undefined;

  constructor(
    readonly provider: DnsProvider,
    private readonly store: LedgerStore,
  ) {}

  /** The zone's sets and which of them are ours, settling pending claims against what the zone holds. */
  async records(prefetched?: Promise<RecordSet[]>): Promise<OwnedRecords> {
    const [current, stored] = await Promise.all([prefetched ?? this.provider.records(), this.store.read()]);
    const byKey = new Map(current.map((r) => [normalizedKey(r), r]));
    const next = new Map<string, LedgerEntry>();
    for (const [key, entry] of stored) {
      const cur = byKey.get(key);
      if (entry.pending) {
        // Our create went through exactly as sent: ours. Anything else there: never ours.
        if (cur && equivalent(cur, entry.pending)) next.set(key, { owner: entry.owner });
        continue;
      }
      if (cur) next.set(key, entry);
    }
    await this.save(next, stored);
    return { current, owners: new Map([...next].map(([k, e]) => [k, e.owner])) };
  }

  /**
   * Applies a plan made against `records()`: pending claims for creates first, then the change, then
   * the claims confirmed and deletions forgotten. `ownerOf` names the Service each created set is for.
   * A provider error propagates; pending claims stay and are settled by the next `records()`.
   */
  async apply(changes: Changes, ownerOf: (r: RecordSet) => string): Promise<void> {
    const before = this.ledger ?? (await this.store.read());
    const claimed = new Map(before);
    for (const r of changes.create) claimed.set(normalizedKey(r), { owner: ownerOf(r), pending: r });
    for (const r of changes.updateNew) {
      const e = claimed.get(normalizedKey(r));
      if (!e || e.pending) throw new Error(`registry: update of ${normalizedKey(r)}, which is not a confirmed set of ours`);
    }
    for (const r of changes.delete) {
      const e = claimed.get(normalizedKey(r));
      if (!e || e.pending) throw new Error(`registry: delete of ${normalizedKey(r)}, which is not a confirmed set of ours`);
    }
    await this.save(claimed, before);
    await this.provider.apply(changes);
    const done = new Map(claimed);
    for (const r of changes.create) done.set(normalizedKey(r), { owner: ownerOf(r) });
    for (const r of changes.delete) done.delete(normalizedKey(r));
    await this.save(done, claimed);
  }

  private async save(next: Map<string, LedgerEntry>, previous: Ledger): Promise<void> {
    this.ledger = next;
    if (sameLedger(next, previous)) return;
    await this.store.write(next, previous);
  }
}

function sameLedger(a: Ledger, b: Ledger): boolean {
  if (a.size !== b.size) return false;
  for (const [k, e] of a) {
    const o = b.get(k);
    if (!o || o.owner !== e.owner || (o.pending === undefined) !== (e.pending === undefined)) return false;
    if (o.pending && e.pending && !equivalent(o.pending, e.pending)) return false;
  }
  return true;
}

/** A ledger in memory (tests, benchmarks): the same rules, no I/O. */
export class MemoryLedgerStore implements LedgerStore {
  entries = new Map<string, LedgerEntry>();
  writes = 0;
  async read(): Promise<Map<string, LedgerEntry>> {
    return new Map(this.entries);
  }
  async write(next: Ledger): Promise<void> {
    this.writes++;
    this.entries = new Map(next);
  }
}
