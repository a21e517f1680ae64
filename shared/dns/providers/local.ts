/**
 * The local DNS provider: record sets kept in Firestore (`dnsZones/{zone}/recordSets/{name type}`)
 * and served by the embedded authoritative server (shared/dnsserver). Changes are validated with
 * Cloud DNS's rules (exact-match deletions, no duplicate creates) inside a transaction.
 */
import { Firestore } from '@google-cloud/firestore';
import { ChangeRejectedError, applyChange } from '../apply';
import { cloudDnsChanges } from '../batch';
import { Changes } from '../plan';
import { RecordSet, recordKey } from '../types';
import { DnsCallCounts, DnsConflictError, DnsProvider } from './port';

/** Firestore allows 500 writes per transaction; stay under it with whole names per chunk. */
const MAX_OPS = 400;

export function zoneCollection(zone: string): string {
  return `dnsZones/${zone.replace(/\.$/, '')}/recordSets`;
}

export class LocalDnsProvider implements DnsProvider {
  readonly kind = 'local' as const;
  readonly calls: DnsCallCounts = { reads: 0, writes: 0 };
  constructor(
    private readonly db: Firestore,
    readonly zone: string,
  ) {}

  async records(): Promise<RecordSet[]> {
    this.calls.reads++;
    const snap = await this.db.collection(zoneCollection(this.zone)).get();
    return snap.docs.map((d) => d.data() as RecordSet);
  }

  async apply(changes: Changes): Promise<void> {
    const col = this.db.collection(zoneCollection(this.zone));
    for (const change of cloudDnsChanges(changes, { maxAdditions: MAX_OPS / 2, maxDeletions: MAX_OPS / 2 })) {
      this.calls.writes++;
      await this.db.runTransaction(async (tx) => {
        // Every type at each touched name, so the CNAME-exclusivity rule sees what is there.
        const names = new Set([...change.additions, ...change.deletions].map((r) => r.name));
        const keys = [...names].flatMap((name) => ['A', 'AAAA', 'CNAME', 'TXT'].map((type) => `${name} ${type}`));
        const snaps = keys.length ? await tx.getAll(...keys.map((k) => col.doc(k))) : [];
        const current = snaps.filter((s) => s.exists).map((s) => s.data() as RecordSet);
        try {
          applyChange(current, change);
        } catch (e) {
          if (e instanceof ChangeRejectedError) throw new DnsConflictError(e.message, { cause: e });
          throw e;
        }
        for (const d of change.deletions) tx.delete(col.doc(recordKey(d)));
        for (const a of change.additions) tx.set(col.doc(recordKey(a)), { name: a.name, type: a.type, ttl: a.ttl, rrdatas: [...a.rrdatas] });
      });
    }
  }
}
