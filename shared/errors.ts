/**
 * The root of skyfed's errors. Every failure a caller branches on is a SkyfedError: its class says
 * which port failed, its `reason` (one closed list) says how, and `cause` keeps what the adapter
 * caught. Callers branch on class and reason, never on message text; messages never carry
 * credentials. The API answers each one with a Status (shared/api/failures.ts).
 */
import type { StatusReason } from './k8s/status';

/** Why a call to a member cluster's API failed (shared/members/port.ts). */
export type MemberErrorReason =
  | 'Unreachable' | 'Timeout' | 'Unauthorized' | 'Forbidden' | 'NotFound' | 'Conflict' | 'AlreadyExists'
  | 'Invalid' | 'ServerError' | 'Throttled' | 'BadCredentials' | 'Other';

/** Why the store failed (shared/store/errors.ts). */
export type StoreErrorReason = 'StoreUnavailable' | 'StoreTimeout' | 'StoreContention' | 'DocumentTooLarge';

/** Why a DNS provider refused or failed a change (shared/dns/providers/port.ts). */
export type DnsErrorReason = 'DnsConflict' | 'DnsThrottled' | 'DnsProviderFailed';

/** A setting that cannot be used (shared/config.ts). */
export type ConfigErrorReason = 'BadConfiguration';

/** Every reason a SkyfedError can give; API errors give the Kubernetes Status reason they answer with. */
export type Reason = MemberErrorReason | StoreErrorReason | DnsErrorReason | ConfigErrorReason | StatusReason;

export class SkyfedError<R extends Reason = Reason> extends Error {
  override readonly name: string = 'SkyfedError';
  constructor(readonly reason: R, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
