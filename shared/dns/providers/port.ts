/**
 * The DNS provider port: one zone, read its record sets, apply a set of changes. Each adapter
 * batches within its service's limits and turns its service's errors into these classes, so the
 * sweep can tell "re-read and re-plan" from "back off" from "give up".
 */
import { DnsErrorReason, SkyfedError } from '../../errors';
import { Changes } from '../plan';
import { RecordSet } from '../types';

export interface DnsProvider {
  readonly kind: 'local' | 'clouddns' | 'route53';
  /** The zone's DNS name, absolute, e.g. `example.com.` */
  readonly zone: string;
  records(): Promise<RecordSet[]>;
  apply(changes: Changes): Promise<void>;
}

/** A DNS provider refused or failed a change; `cause` is the provider's own error. */
export abstract class DnsError extends SkyfedError<DnsErrorReason> {}

/** The zone changed under us (a deletion did not match, a set already exists): re-read and re-plan. */
export class DnsConflictError extends DnsError {
  override readonly name = 'DnsConflictError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('DnsConflict', message, options);
  }
}

/** The provider asked us to slow down and retries ran out. */
export class DnsThrottledError extends DnsError {
  override readonly name = 'DnsThrottledError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('DnsThrottled', message, options);
  }
}

/** Any other failure of the provider's API. */
export class DnsProviderError extends DnsError {
  override readonly name = 'DnsProviderError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('DnsProviderFailed', message, options);
  }
}

export interface DnsCallCounts {
  reads: number;
  writes: number;
}
