/**
 * A circuit breaker per member cluster, so a member that keeps timing out stops costing every
 * event a full time-out. Closed: calls go through. After `failures` consecutive time-outs: open,
 * no calls, until `retryAt`. Then half-open: one pass (whichever claims it first, on any function
 * instance) probes the member with its ordinary calls; an answer closes the breaker, another
 * time-out opens it again with a doubled cool-down (capped).
 *
 * The state is stored (shared/store/breakers.ts), not kept in memory: Cloud Functions instances
 * come and go and many run at once, so an in-memory breaker would be learnt anew, one time-out at a
 * time, by every instance. The decisions below are pure; the store applies them in transactions.
 */
import { MemberClient, MemberError } from './port';

export interface BreakerPolicy {
  /** Consecutive time-outs that open the breaker. */
  readonly failures: number;
  /** First cool-down before a half-open probe; doubles after each failed probe. */
  readonly coolDownMs: number;
  readonly maxCoolDownMs: number;
  /** How long a claimed probe holds the member before another pass may claim it. */
  readonly probeLeaseMs: number;
}

export interface BreakerState {
  /** Time-outs in a row with no answer between them. */
  readonly timeouts: number;
  /** Set while open: when it opened (kept through failed probes). */
  readonly openSince?: string;
  /** While open: the earliest time of the next half-open probe. */
  readonly retryAt?: string;
  /** Failed half-open probes since it opened (the backoff exponent). */
  readonly failedProbes?: number;
  /** A pass claimed the half-open probe; others keep out until then. */
  readonly probingUntil?: string;
  readonly lastError?: string;
}

export type Admission = { readonly go: 'call' } | { readonly go: 'probe' } | { readonly go: 'skip'; readonly reason: string; readonly since: string };

/** What the calls of one pass to one member came to. */
export interface CallOutcome {
  /** Time-outs after the last answer (all of them if nothing answered). */
  readonly trailingTimeouts: number;
  readonly answered: boolean;
  readonly lastError?: string;
}

const iso = (ms: number): string => new Date(ms).toISOString();
const ms = (t: string | undefined): number => (t ? Date.parse(t) : 0);

export function coolDown(policy: BreakerPolicy, failedProbes: number): number {
  return Math.min(policy.maxCoolDownMs, policy.coolDownMs * 2 ** Math.min(failedProbes, 30));
}

/** Open breakers describe themselves in the member's shard status: why and since when. */
export function openReason(s: BreakerState): string {
  return `circuit open after ${s.timeouts} consecutive time-outs${s.lastError ? ` (${s.lastError})` : ''}; calls to this cluster are paused until ${s.retryAt ?? 'the next probe'}`;
}

/** May this pass call the member? `probe` means: claim the half-open probe first (claimProbe). */
export function admission(s: BreakerState | undefined, now: number): Admission {
  if (!s?.openSince) return { go: 'call' };
  if (now < ms(s.retryAt) || now < ms(s.probingUntil)) return { go: 'skip', reason: openReason(s), since: s.openSince };
  return { go: 'probe' };
}

/** The state with the probe claimed by this pass, or undefined when it is not (or no longer) claimable. */
export function claimProbe(s: BreakerState | undefined, now: number, policy: BreakerPolicy): BreakerState | undefined {
  if (admission(s, now).go !== 'probe' || !s) return undefined;
  return { ...s, probingUntil: iso(now + policy.probeLeaseMs) };
}

/**
 * The state after a pass, 'closed' when the breaker closes (nothing to keep), or undefined when
 * nothing changes (a healthy member costs no write).
 */
export function afterPass(
  s: BreakerState | undefined,
  out: CallOutcome,
  now: number,
  policy: BreakerPolicy,
  probed: boolean,
): BreakerState | 'closed' | undefined {
  if (out.trailingTimeouts === 0) {
    if (out.answered) return s ? 'closed' : undefined;
    if (!probed || !s) return undefined;
    const { probingUntil: _released, ...rest } = s;
    return rest; // the probe made no call: let the next pass try
  }
  const timeouts = (out.answered ? 0 : (s?.timeouts ?? 0)) + out.trailingTimeouts;
  const lastError = out.lastError ?? s?.lastError;
  const base = { timeouts, ...(lastError ? { lastError } : {}) };
  if (probed && s?.openSince) {
    const failedProbes = (s.failedProbes ?? 0) + 1;
    return { ...base, openSince: s.openSince, failedProbes, retryAt: iso(now + coolDown(policy, failedProbes)) };
  }
  if (s?.openSince) return { ...s, ...base }; // opened meanwhile by another pass: keep its schedule
  if (timeouts >= policy.failures) return { ...base, openSince: iso(now), failedProbes: 0, retryAt: iso(now + coolDown(policy, 0)) };
  return base;
}

/**
 * Wraps a member client to watch its calls: which timed out and whether any answered after them.
 * An answer is any reply from the member's API, an error status included; a refused connection or
 * bad credentials neither count as a time-out nor as an answer.
 */
export function watchCalls(client: MemberClient): { client: MemberClient; outcome(): CallOutcome } {
  let trailingTimeouts = 0;
  let answered = false;
  let lastError: string | undefined;
  // One `then` per call, not an async wrapper: every promise counts on the fan-out's path.
  const track = <T>(call: () => Promise<T>): Promise<T> =>
    call().then(
      (v) => {
        trailingTimeouts = 0;
        answered = true;
        return v;
      },
      (e: unknown) => {
        if (e instanceof MemberError && e.reason === 'Timeout') {
          trailingTimeouts++;
          lastError = `${e.reason}: ${e.message}`;
        } else if (e instanceof MemberError && e.status !== undefined) {
          trailingTimeouts = 0;
          answered = true;
        }
        throw e;
      },
    );
  const watched: MemberClient = {
    cluster: client.cluster,
    listServices: (sel) => track(() => client.listServices(sel)),
    getService: (ns, n) => track(() => client.getService(ns, n)),
    createService: (ns, b) => track(() => client.createService(ns, b)),
    replaceService: (ns, n, b) => track(() => client.replaceService(ns, n, b)),
    deleteService: (ns, n, rv) => track(() => client.deleteService(ns, n, rv)),
    createNamespace: (ns) => track(() => client.createNamespace(ns)),
    ready: () => track(() => client.ready()),
    version: () => track(() => client.version()),
    topology: () => track(() => client.topology()),
    readyEndpoints: (ns, n) => track(() => client.readyEndpoints(ns, n)),
    readyEndpointsAll: () => track(() => client.readyEndpointsAll()),
    getConfigMap: (ns, n) => track(() => client.getConfigMap(ns, n)),
    createConfigMap: (ns, b) => track(() => client.createConfigMap(ns, b)),
    replaceConfigMap: (ns, n, b) => track(() => client.replaceConfigMap(ns, n, b)),
    deleteConfigMap: (ns, n, rv) => track(() => client.deleteConfigMap(ns, n, rv)),
    getDeployment: (ns, n) => track(() => client.getDeployment(ns, n)),
    replaceDeployment: (ns, n, b) => track(() => client.replaceDeployment(ns, n, b)),
  };
  return { client: watched, outcome: () => ({ trailingTimeouts, answered, ...(lastError ? { lastError } : {}) }) };
}
