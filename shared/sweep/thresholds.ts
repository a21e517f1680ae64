/**
 * Health with hysteresis: a healthy shard turns unhealthy after `failureThreshold` consecutive
 * failed observations and back after `successThreshold` consecutive good ones. Counters stop at
 * their threshold, so a steady shard's state (and its stored document) does not change sweep to sweep.
 */
import { HealthState } from '../store/shards';

export interface Thresholds {
  readonly failureThreshold: number;
  readonly successThreshold: number;
}

export interface Observation {
  readonly ok: boolean;
  readonly reason: string;
  readonly readyEndpoints: number;
  readonly addresses: readonly string[];
  readonly zones: readonly string[];
  readonly region?: string;
}

export function nextHealth(prev: HealthState | undefined, obs: Observation, t: Thresholds, now: string): HealthState {
  // A new shard starts healthy-unknown: its first good observation makes it healthy at once.
  const wasHealthy = prev?.healthy ?? false;
  const failures = obs.ok ? 0 : Math.min(t.failureThreshold, (prev?.consecutiveFailures ?? 0) + 1);
  const successes = obs.ok ? Math.min(t.successThreshold, (prev?.consecutiveSuccesses ?? 0) + 1) : 0;
  let healthy = wasHealthy;
  if (!prev) healthy = obs.ok;
  else if (wasHealthy && failures >= t.failureThreshold) healthy = false;
  else if (!wasHealthy && successes >= t.successThreshold) healthy = true;
  const since = prev && prev.healthy === healthy && prev.since ? prev.since : now;
  return {
    healthy, reason: obs.reason, readyEndpoints: obs.readyEndpoints,
    consecutiveFailures: failures, consecutiveSuccesses: successes, since,
    addresses: [...obs.addresses], zones: [...obs.zones], ...(obs.region ? { region: obs.region } : {}),
  };
}
