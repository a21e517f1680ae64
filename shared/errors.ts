/**
 * The root of skyfed's errors. Every failure a caller branches on is a SkyfedError: its class says
 * which port failed, its `reason` (one closed list) says how, and `cause` keeps what the adapter
 * caught. Callers branch on class and reason, never on message text; messages never carry
 * credentials. The API answers each one with a Status (shared/api/failures.ts).
 */
import type { StatusReason } from './k8s/status';

/** Why a call to a member cluster's API failed (shared/members/port.ts). */
export type MemberErrorReason =
  | 'Unreachable'
  | 'Timeout'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'Conflict'
  | 'AlreadyExists'
  | 'Invalid'
  | 'ServerError'
  | 'Throttled'
  | 'BadCredentials'
  | 'Other';

/** Why the store failed (shared/store/errors.ts). */
export type StoreErrorReason = 'StoreUnavailable' | 'StoreTimeout' | 'StoreContention' | 'DocumentTooLarge';

/** Why a DNS provider refused or failed a change (shared/dns/providers/port.ts), or a batch cannot be built (shared/dns/batch.ts). */
export type DnsErrorReason = 'DnsConflict' | 'DnsThrottled' | 'DnsProviderFailed' | 'DnsBatchTooLarge';

/** Why a DNS name cannot be built (shared/dns/names.ts). */
export type DnsNameErrorReason = 'Empty' | 'InvalidLabel' | 'LabelTooLong' | 'NameTooLong';

/** Why a zone refused a change under the real services' rules (shared/dns/apply.ts). */
export type ChangeRejectedReason = 'AlreadyExists' | 'NotFound' | 'Mismatch' | 'CnameConflict';

/** Why input from outside could not be used: an address the guard refuses (shared/net), a kubeconfig we do not accept (shared/k8s/kubeconfig.ts), sealed data that does not open (shared/crypto), an event we cannot decode (shared/events). */
export type InputErrorReason = 'DialRefused' | 'KubeconfigRejected' | 'DecryptionFailed' | 'BadEvent';

/** A setting that cannot be used (shared/config.ts). */
export type ConfigErrorReason = 'BadConfiguration';

/** Every reason a SkyfedError can give; API errors give the Kubernetes Status reason they answer with. */
export type Reason =
  MemberErrorReason | StoreErrorReason | DnsErrorReason | DnsNameErrorReason | ChangeRejectedReason | InputErrorReason | ConfigErrorReason | StatusReason;

export class SkyfedError<R extends Reason = Reason> extends Error {
  override readonly name: string = 'SkyfedError';
  constructor(
    readonly reason: R,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
