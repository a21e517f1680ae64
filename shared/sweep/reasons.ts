/**
 * Why a shard is healthy or not: a fixed list, so clients and the sweep itself decide on the
 * reason, never on the wording of a message (kubefed's propagation status does the same).
 */
export const SHARD_HEALTH_REASONS = [
  /** The load balancer answered the probe. */
  'ProbeSucceeded',
  /** Ready endpoints and an address; active probes are switched off. */
  'ProbeDisabled',
  /** No answer within the probe time-out (a black-holed address). */
  'ProbeTimedOut',
  /** The probe got an answer that means failure (refused, reset, an HTTP error status). */
  'ProbeFailed',
  /** The address is not one skyfed may dial (the address guard refused it). */
  'AddressRefused',
  /** The load-balancer hostname did not resolve. */
  'AddressUnresolved',
  /** The member holds no Service for it. */
  'NotPresent',
  /** The member's Service is not the one propagation created (uid differs). */
  'NotCreatedBySkyfed',
  'NoReadyEndpoints',
  'NoLoadBalancerAddress',
  /** The cluster's API does not answer and no address of the shard is known. */
  'ClusterUnreachable',
  /** Something unexpected went wrong while probing. */
  'ProbeError',
  /** The shard was planned but not probed in this sweep. */
  'NotProbed',
] as const;

export type ShardHealthReason = (typeof SHARD_HEALTH_REASONS)[number];
