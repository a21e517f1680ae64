/**
 * The circuit breaker at the door of one cluster's pipeline: before the pipeline calls the member,
 * `enter` decides (from the stored breaker, claiming the half-open probe in a transaction when
 * its cool-down is over); after, `leave` records what the calls came to. Writes happen only when
 * the breaker's state changes, so a healthy cluster costs nothing.
 */
import { Logger } from '../log';
import { BreakerPolicy, BreakerState, CallOutcome, admission, afterPass, claimProbe } from '../members/breaker';
import { BreakerStore } from '../store/breakers';

export interface GateDeps {
  readonly breakers: BreakerStore;
  readonly breaker: BreakerPolicy;
  readonly now: () => Date;
  readonly log: Logger;
}

export type Entry = { readonly open: false; readonly probing: boolean } | { readonly open: true; readonly reason: string; readonly since: string };

export async function enter(deps: GateDeps, cluster: string, stored: BreakerState | undefined): Promise<Entry> {
  const now = deps.now().getTime();
  const first = admission(stored, now);
  if (first.go === 'call') return { open: false, probing: false };
  if (first.go === 'skip') return { open: true, reason: first.reason, since: first.since };
  let claimed = false;
  const after = await deps.breakers.update(cluster, (cur) => {
    const next = claimProbe(cur, now, deps.breaker);
    claimed = next !== undefined;
    return next;
  });
  if (claimed) {
    deps.log.info('circuit half-open: probing member', { cluster });
    return { open: false, probing: true };
  }
  const again = admission(after, now);
  if (again.go === 'skip') return { open: true, reason: again.reason, since: again.since };
  return { open: false, probing: false }; // closed meanwhile by another pass
}

export async function leave(deps: GateDeps, cluster: string, stored: BreakerState | undefined, outcome: CallOutcome, probing: boolean): Promise<void> {
  // No time-out and no breaker stored when the pass began: nothing to write (the common case).
  if (outcome.trailingTimeouts === 0 && !probing && !stored) return;
  const now = deps.now().getTime();
  let change: BreakerState | 'closed' | undefined;
  await deps.breakers.update(cluster, (cur) => (change = afterPass(cur, outcome, now, deps.breaker, probing)));
  if (change === 'closed') deps.log.info('circuit closed: member answers again', { cluster });
  else if (change?.openSince && change.retryAt !== stored?.retryAt)
    deps.log.warn('circuit open: member keeps timing out', { cluster, timeouts: change.timeouts, retryAt: change.retryAt });
}
