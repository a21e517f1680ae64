/**
 * A DNS zone in memory behind the provider port, enforcing the record-set rules of zone-rules.ts
 * (exists, exact-match delete, CNAME exclusivity, all-or-nothing). A refused change is reported as
 * the port's conflict error, as the real adapters report their services' refusals.
 */
import { Changes } from '../../shared/dns/plan';
import { DnsConflictError, DnsProvider } from '../../shared/dns/providers/port';
import { RecordSet } from '../../shared/dns/types';
import { Step, ZoneRuleError, ZoneSet, applySteps } from './zone-rules';

export class MemoryZone implements DnsProvider {
  readonly kind = 'local' as const;
  sets: ZoneSet[] = [];
  calls = { reads: 0, writes: 0 };

  constructor(readonly zone: string) {}

  async records(): Promise<RecordSet[]> {
    this.calls.reads++;
    return structuredClone(this.sets) as RecordSet[];
  }

  async apply(c: Changes): Promise<void> {
    this.calls.writes++;
    const steps: Step[] = [
      ...c.delete.map((set) => ({ op: 'remove' as const, set: { ...set, rrdatas: [...set.rrdatas] } })),
      ...c.updateOld.map((set) => ({ op: 'remove' as const, set: { ...set, rrdatas: [...set.rrdatas] } })),
      ...c.updateNew.map((set) => ({ op: 'add' as const, set: { ...set, rrdatas: [...set.rrdatas] } })),
      ...c.create.map((set) => ({ op: 'add' as const, set: { ...set, rrdatas: [...set.rrdatas] } })),
    ];
    try {
      this.sets = applySteps(this.sets, steps);
    } catch (e) {
      if (e instanceof ZoneRuleError) throw new DnsConflictError(e.message);
      throw e;
    }
  }
}
