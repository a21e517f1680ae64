/**
 * The circuit breaker per member: pure decisions as tables, then through whole passes over the
 * in-memory store with two function instances sharing only the store (as Cloud Functions do).
 */
import { BreakerPolicy, BreakerState, admission, afterPass, claimProbe } from '../../../shared/members/breaker';
import { onClusterChanged, onServiceChanged } from '../../../shared/propagation/controller';
import { federation } from './federation';

const P: BreakerPolicy = { failures: 3, coolDownMs: 1000, maxCoolDownMs: 5000, probeLeaseMs: 500 };
const T0 = Date.parse('2026-12-01T10:00:00Z');
const at = (ms: number): string => new Date(T0 + ms).toISOString();
const open: BreakerState = { timeouts: 3, openSince: at(0), retryAt: at(1000), failedProbes: 0, lastError: 'Timeout: no answer' };

describe('admission', () => {
  test.each<[string, BreakerState | undefined, number, string]>([
    ['no breaker stored', undefined, 0, 'call'],
    ['counting time-outs, still closed', { timeouts: 2 }, 0, 'call'],
    ['open, cooling down', open, 999, 'skip'],
    ['open, cool-down over', open, 1000, 'probe'],
    ['half-open, another pass holds the probe', { ...open, probingUntil: at(1400) }, 1200, 'skip'],
    ['half-open, the probe lease ran out', { ...open, probingUntil: at(1400) }, 1400, 'probe'],
  ])('%s', (_t, s, now, go) => {
    expect(admission(s, T0 + now).go).toBe(go);
  });

  test('an open breaker says why and since when', () => {
    const a = admission(open, T0 + 10);
    expect(a).toEqual({
      go: 'skip',
      since: at(0),
      reason: `circuit open after 3 consecutive time-outs (Timeout: no answer); calls to this cluster are paused until ${at(1000)}`,
    });
  });

  test('only one pass claims the probe', () => {
    const claimed = claimProbe(open, T0 + 1000, P);
    expect(claimed?.probingUntil).toBe(at(1500));
    expect(claimProbe(claimed, T0 + 1001, P)).toBeUndefined();
  });
});

describe('afterPass', () => {
  const out = (trailingTimeouts: number, answered: boolean) => ({ trailingTimeouts, answered, ...(trailingTimeouts ? { lastError: 'Timeout: x' } : {}) });
  test.each<[string, BreakerState | undefined, ReturnType<typeof out>, boolean, BreakerState | 'closed' | undefined]>([
    ['healthy member, nothing stored: no write', undefined, out(0, true), false, undefined],
    ['first time-out is counted', undefined, out(1, false), false, { timeouts: 1, lastError: 'Timeout: x' }],
    ['an answer before the time-out restarts the count', { timeouts: 2 }, out(1, true), false, { timeouts: 1, lastError: 'Timeout: x' }],
    [
      'the third in a row opens it',
      { timeouts: 2 },
      out(1, false),
      false,
      { timeouts: 3, lastError: 'Timeout: x', openSince: at(0), failedProbes: 0, retryAt: at(1000) },
    ],
    ['an answer closes a counting breaker', { timeouts: 2 }, out(0, true), false, 'closed'],
    [
      'a failed probe doubles the cool-down, keeps since',
      { ...open, probingUntil: at(1500) },
      out(1, false),
      true,
      { timeouts: 4, lastError: 'Timeout: x', openSince: at(0), failedProbes: 1, retryAt: at(2000) },
    ],
    [
      'the cool-down stops growing at the cap',
      { ...open, failedProbes: 7 },
      out(1, false),
      true,
      { timeouts: 4, lastError: 'Timeout: x', openSince: at(0), failedProbes: 8, retryAt: at(5000) },
    ],
    ['a probe that is answered closes it', { ...open, probingUntil: at(1500) }, out(0, true), true, 'closed'],
    ['a probe that made no call gives the probe back', { ...open, probingUntil: at(1500) }, out(0, false), true, open],
  ])('%s', (_t, s, o, probed, want) => {
    expect(afterPass(s, o, T0, P, probed)).toEqual(want);
  });
});

describe('through whole passes', () => {
  const TIMEOUT = 200;
  async function hungFederation() {
    const f = await federation(['ok', 'hung'], { latencyMs: 5, timeoutMs: TIMEOUT, failures: 2, coolDownMs: 10_000 });
    (f.members.get('hung') as { hanging: boolean }).hanging = true;
    await f.addService('nginx');
    return f;
  }

  test('time-outs open the breaker; later passes, on any instance, skip the member and its shard says why and since when', async () => {
    const f = await hungFederation();
    const hung = f.members.get('hung') as { calls: number; hanging: boolean };
    await onServiceChanged(f.instance(), 'web', 'nginx');
    await onServiceChanged(f.instance(), 'web', 'nginx');
    const opened = (await f.breakers.listAll()).get('hung');
    expect(opened?.openSince).toBeDefined();
    const calls = hung.calls;
    // A fresh instance (nothing in memory) reads the breaker and does not wait for the member.
    const t0 = Date.now();
    const report = await onServiceChanged(f.instance(), 'web', 'nginx');
    expect(Date.now() - t0).toBeLessThan(TIMEOUT);
    expect(hung.calls).toBe(calls);
    expect(report.errors['hung']).toMatch(/^circuit open after 2 consecutive time-outs/);
    const shard = (await f.shards.list('web', 'nginx')).find((d) => d.cluster === 'hung');
    expect(shard?.propagation?.error).toMatch(
      /circuit open after 2 consecutive time-outs \(Timeout: no answer within 200 ms\); calls to this cluster are paused until/,
    );
    expect(shard?.propagation?.since).toBe(opened?.openSince);
  });

  test('after the cool-down one pass probes (the others keep out); an answer closes the breaker and the member catches up', async () => {
    const f = await hungFederation();
    const hung = f.members.get('hung') as { calls: number; hanging: boolean; services: Map<string, unknown> };
    for (let i = 0; i < 2; i++) await onServiceChanged(f.instance(), 'web', 'nginx');
    f.advance(10_000);
    const calls = hung.calls;
    // Two instances at once, member still hanging: one probe (one read), then open again with a longer cool-down.
    await Promise.all([onServiceChanged(f.instance(), 'web', 'nginx'), onServiceChanged(f.instance(), 'web', 'nginx')]);
    expect(hung.calls - calls).toBe(1);
    const reopened = (await f.breakers.listAll()).get('hung');
    expect(reopened?.failedProbes).toBe(1);
    expect(Date.parse(reopened?.retryAt ?? '') - Date.now()).toBeGreaterThan(29_000); // now + 10 s offset + 20 s
    f.advance(20_000);
    hung.hanging = false;
    await onServiceChanged(f.instance(), 'web', 'nginx');
    expect(await f.breakers.listAll()).toEqual(new Map());
    expect(hung.services.has('web/nginx')).toBe(true);
    const shard = (await f.shards.list('web', 'nginx')).find((d) => d.cluster === 'hung');
    expect(shard?.propagation).toMatchObject({ present: true });
    expect(shard?.propagation?.error).toBeUndefined();
  });

  test('a changed registration resets the breaker at once', async () => {
    const f = await hungFederation();
    const hung = f.members.get('hung') as { hanging: boolean; services: Map<string, unknown> };
    for (let i = 0; i < 2; i++) await onServiceChanged(f.instance(), 'web', 'nginx');
    hung.hanging = false;
    await onClusterChanged(f.instance(), 'hung', { spec: { a: 1 } }, { spec: { a: 2 } });
    expect(await f.breakers.listAll()).toEqual(new Map());
    expect(hung.services.has('web/nginx')).toBe(true);
  });
});
