/**
 * Health with hysteresis: a healthy shard turns unhealthy after `failureThreshold` consecutive
 * failed observations and back after `successThreshold` consecutive good ones.
 */
import { HealthState } from '../store/shards';
import { ShardHealthReason } from './reasons';

export interface Thresholds {
  readonly failureThreshold: number;
  readonly successThreshold: number;
}

export interface Observation {
  readonly ok: boolean;
  readonly code: ShardHealthReason;
  readonly reason: string;
  readonly readyEndpoints: number;
  readonly addresses: readonly string[];
  readonly zones: readonly string[];
  readonly region?: string;
}

export function nextHealth(prev: HealthState | undefined, obs: Observation, t: Thresholds, now: string): HealthState {
  // Counters count observations that disagree with the current state; agreement resets them, so a
  // steady shard's state is identical from one sweep to the next. A new shard is judged at once.
  let healthy = prev ? prev.healthy : obs.ok;
  let failures = 0;
  let successes = 0;
  if (prev && prev.healthy && !obs.ok) {
    failures = prev.consecutiveFailures + 1;
    if (failures >= t.failureThreshold) {
      healthy = false;
      failures = 0;
    }
  } else if (prev && !prev.healthy && obs.ok) {
    // A shard that was never healthy (a new load balancer coming up) is admitted at once;
    // one that failed must prove itself successThreshold times.
    successes = prev.everHealthy ? prev.consecutiveSuccesses + 1 : t.successThreshold;
    if (successes >= t.successThreshold) {
      healthy = true;
      successes = 0;
    }
  }
  const since = prev && prev.healthy === healthy && prev.since ? prev.since : now;
  return {
    healthy,
    code: obs.code,
    reason: obs.reason,
    readyEndpoints: obs.readyEndpoints,
    consecutiveFailures: failures,
    consecutiveSuccesses: successes,
    since,
    ...(healthy || prev?.everHealthy ? { everHealthy: true } : {}),
    addresses: [...obs.addresses],
    zones: [...obs.zones],
    ...(obs.region ? { region: obs.region } : {}),
  };
}
