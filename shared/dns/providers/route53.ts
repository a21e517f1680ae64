/**
 * AWS Route 53 adapter (@aws-sdk/client-route-53). Lists the hosted zone (paged) and applies
 * changes as atomic batches within Route 53's limits (1,000 values, 32,000 characters, UPSERT
 * counting twice). `Throttling` and `PriorRequestNotComplete` are retried with exponential backoff
 * and jitter; `InvalidChangeBatch` means the zone moved: DnsConflictError, so the sweep re-plans.
 */
import {
  ChangeResourceRecordSetsCommand,
  ListResourceRecordSetsCommand,
  ListResourceRecordSetsCommandOutput,
  RRType,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { route53Batches } from '../batch';
import { Changes } from '../plan';
import { RecordSet, RecordType } from '../types';
import { RetryPolicy, withRetry } from '../../util/retry';
import { DnsCallCounts, DnsConflictError, DnsProvider, DnsProviderError, DnsThrottledError } from './port';

const THROTTLED = new Set(['Throttling', 'ThrottlingException', 'PriorRequestNotComplete', 'RequestLimitExceeded']);
const nameOf = (e: unknown): string => (e as { name?: string }).name ?? '';
const throttled = (e: unknown): boolean =>
  THROTTLED.has(nameOf(e)) || ((e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? 0) >= 500;

/** Route 53 escapes some characters in names as \\ooo octal; we only publish plain names. */
const unescape = (n: string): string => n.replace(/\\(\d{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));

export class Route53Provider implements DnsProvider {
  readonly kind = 'route53' as const;
  readonly calls: DnsCallCounts = { reads: 0, writes: 0 };
  constructor(
    private readonly client: Route53Client,
    private readonly hostedZoneId: string,
    readonly zone: string,
    private readonly retry: RetryPolicy = { attempts: 6, baseMs: 200, maxMs: 5000 },
  ) {}

  async records(): Promise<RecordSet[]> {
    const out: RecordSet[] = [];
    let start: { StartRecordName?: string; StartRecordType?: RRType; StartRecordIdentifier?: string } = {};
    for (;;) {
      this.calls.reads++;
      const page: ListResourceRecordSetsCommandOutput = await withRetry(
        () => this.client.send(new ListResourceRecordSetsCommand({ HostedZoneId: this.hostedZoneId, ...start })),
        throttled,
        this.retry,
      );
      for (const r of page.ResourceRecordSets ?? []) {
        if (!r.Name || !r.Type || r.AliasTarget) continue;
        out.push({
          name: unescape(r.Name).toLowerCase(),
          type: r.Type as RecordType,
          ttl: r.TTL ?? 0,
          rrdatas: (r.ResourceRecords ?? []).map((x) => x.Value ?? ''),
        });
      }
      if (!page.IsTruncated) return out;
      start = {
        ...(page.NextRecordName ? { StartRecordName: page.NextRecordName } : {}),
        ...(page.NextRecordType ? { StartRecordType: page.NextRecordType } : {}),
        ...(page.NextRecordIdentifier ? { StartRecordIdentifier: page.NextRecordIdentifier } : {}),
      };
    }
  }

  async apply(changes: Changes): Promise<void> {
    // Updates as DELETE (exact old values) + CREATE in one atomic batch, not UPSERT: if someone changed
    // the set since we read it, Route 53 rejects the batch and the sweep re-reads and re-plans.
    for (const batch of route53Batches(changes, { updateAs: 'DELETE_CREATE' })) {
      this.calls.writes++;
      const command = new ChangeResourceRecordSetsCommand({
        HostedZoneId: this.hostedZoneId,
        ChangeBatch: {
          Comment: 'skyfed health sweep',
          Changes: batch.map((c) => ({
            Action: c.action,
            ResourceRecordSet: {
              Name: c.recordSet.name,
              Type: c.recordSet.type as RRType,
              TTL: c.recordSet.ttl,
              ResourceRecords: c.recordSet.rrdatas.map((Value) => ({ Value })),
            },
          })),
        },
      });
      try {
        await withRetry(() => this.client.send(command), throttled, this.retry);
      } catch (e) {
        const name = nameOf(e);
        const msg = (e as Error).message;
        if (name === 'InvalidChangeBatch') throw new DnsConflictError(`Route 53 rejected the batch: ${msg}`, { cause: e });
        if (THROTTLED.has(name)) throw new DnsThrottledError(`Route 53 kept throttling: ${msg}`, { cause: e });
        throw new DnsProviderError(`Route 53 change failed (${name}): ${msg}`, { cause: e });
      }
    }
  }
}
