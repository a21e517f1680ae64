/**
 * Google Cloud DNS adapter (@google-cloud/dns). Reads every record set of the managed zone (paged)
 * and applies changes within Cloud DNS's limits; a 412 (a deletion did not match exactly) or 409
 * (an addition already exists) means the zone moved: DnsConflictError, so the sweep re-plans.
 */
import { DNS, Zone } from '@google-cloud/dns';
import { cloudDnsChanges } from '../batch';
import { Changes } from '../plan';
import { RecordSet, RecordType } from '../types';
import { DnsCallCounts, DnsConflictError, DnsProvider, DnsProviderError, DnsThrottledError } from './port';

interface ApiLikeError {
  code?: number;
  message?: string;
}

export class CloudDnsProvider implements DnsProvider {
  readonly kind = 'clouddns' as const;
  readonly calls: DnsCallCounts = { reads: 0, writes: 0 };
  private readonly managedZone: Zone;

  /** `client` is a configured DNS client; `zone` the DNS name (e.g. `example.com.`). */
  constructor(
    client: DNS,
    managedZoneName: string,
    readonly zone: string,
  ) {
    this.managedZone = client.zone(managedZoneName);
  }

  async records(): Promise<RecordSet[]> {
    this.calls.reads++;
    // The SDK itself retries 429 and 5xx (three times, with back-off); no second retry layer here.
    const [records] = await this.managedZone.getRecords({ autoPaginate: true });
    return records.map((r) => {
      const m = r.metadata as { name: string; type: string; ttl: number; rrdatas?: string[] };
      return { name: m.name.toLowerCase(), type: m.type as RecordType, ttl: m.ttl, rrdatas: m.rrdatas ?? [] };
    });
  }

  async apply(changes: Changes): Promise<void> {
    for (const change of cloudDnsChanges(changes)) {
      this.calls.writes++;
      const toRecord = (r: RecordSet) => this.managedZone.record(r.type.toLowerCase(), { name: r.name, ttl: r.ttl, data: [...r.rrdatas] });
      try {
        await this.managedZone.createChange({ add: change.additions.map(toRecord), delete: change.deletions.map(toRecord) });
      } catch (e) {
        const code = (e as ApiLikeError).code;
        const msg = (e as ApiLikeError).message ?? String(e);
        if (code === 412 || code === 409 || code === 404) throw new DnsConflictError(`Cloud DNS refused the change (${code}): ${msg}`, { cause: e });
        if (code === 429) throw new DnsThrottledError(`Cloud DNS rate limit: ${msg}`, { cause: e });
        throw new DnsProviderError(`Cloud DNS change failed${code ? ` (${code})` : ''}: ${msg}`, { cause: e });
      }
    }
  }
}
