/**
 * The DNS provider port: one zone, read its record sets, apply a set of changes. Each adapter
 * batches within its service's limits and turns its service's errors into these classes, so the
 * sweep can tell "re-read and re-plan" from "back off" from "give up".
 */
import { Changes } from '../plan';
import { RecordSet } from '../types';

export interface DnsProvider {
  readonly kind: 'local' | 'clouddns' | 'route53';
  /** The zone's DNS name, absolute, e.g. `example.com.` */
  readonly zone: string;
  records(): Promise<RecordSet[]>;
  apply(changes: Changes): Promise<void>;
}

/** The zone changed under us (a deletion did not match, a set already exists): re-read and re-plan. */
export class DnsConflictError extends Error {
  override readonly name = 'DnsConflictError';
}

/** The provider asked us to slow down and retries ran out. */
export class DnsThrottledError extends Error {
  override readonly name = 'DnsThrottledError';
}

export class DnsProviderError extends Error {
  override readonly name = 'DnsProviderError';
}

export interface DnsCallCounts {
  reads: number;
  writes: number;
}
