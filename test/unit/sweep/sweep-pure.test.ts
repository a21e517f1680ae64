import { nextHealth, Observation } from '../../../shared/sweep/thresholds';
import { planShards } from '../../../shared/sweep/shards';
import { ClusterObservation } from '../../../shared/sweep/observe';
import { Cluster } from '../../../shared/model/cluster';
import { Service } from '../../../shared/model/service';
import { MemberService } from '../../../shared/propagation/member';
import { HealthState } from '../../../shared/store/shards';

describe('health hysteresis (fail after 2, recover after 2)', () => {
  const t = { failureThreshold: 2, successThreshold: 2 };
  const obs = (ok: boolean): Observation => ({
    ok,
    code: ok ? 'ProbeSucceeded' : 'ProbeFailed',
    reason: ok ? 'ok' : 'down',
    readyEndpoints: ok ? 1 : 0,
    addresses: ['203.0.113.1'],
    zones: ['a'],
    region: 'r',
  });
  const run = (seq: boolean[]): boolean[] => {
    let h: HealthState | undefined;
    return seq.map((ok) => (h = nextHealth(h, obs(ok), t, 'now')).healthy);
  };
  test.each<[string, boolean[], boolean[]]>([
    ['new shard is judged by its first observation', [true], [true]],
    ['new failing shard is unhealthy at once', [false], [false]],
    ['one failure is tolerated', [true, false, true], [true, true, true]],
    ['two failures turn it unhealthy', [true, false, false], [true, true, false]],
    ['one success does not bring it back', [true, false, false, true], [true, true, false, false]],
    ['two successes do', [true, false, false, true, true], [true, true, false, false, true]],
    ['flapping never crosses', [true, false, true, false, true, false], [true, true, true, true, true, true]],
    ['a shard that was never healthy is admitted on its first good sweep', [false, false, true], [false, false, true]],
  ])('%s', (_n, seq, expected) => expect(run(seq)).toEqual(expected));

  test('a steady shard keeps an identical state from its first sweep on (no write per sweep)', () => {
    const h = nextHealth(undefined, obs(true), t, 't1');
    expect(nextHealth(h, obs(true), t, 't2')).toEqual(h);
    const down = nextHealth(nextHealth(h, obs(false), t, 't2'), obs(false), t, 't3');
    expect(nextHealth(down, obs(false), t, 't4')).toEqual(down);
  });
});

describe('shard planning', () => {
  const cluster = (name: string, labels: Record<string, string> = {}): Cluster => ({
    apiVersion: 'federation/v1beta1',
    kind: 'Cluster',
    metadata: { name, labels },
    spec: { serverAddressByClientCIDRs: [], region: 'us-central1' },
    status: { zones: ['us-central1-a', 'us-central1-f'] },
  });
  const fed: Service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'nginx', namespace: 'web' },
    spec: { type: 'LoadBalancer', ports: [{ port: 443 }] },
  };
  const member = (ingress: { ip?: string; hostname?: string }[], uid = 'uid-1', extra: Partial<MemberService> = {}): MemberService => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'nginx', namespace: 'web', uid },
    spec: {},
    status: { loadBalancer: { ingress } },
    ...extra,
  });
  const created = new Map([['a', new Map([['web/nginx', 'uid-1']])]]);
  const obs = (c: Cluster, m: MemberService | undefined, ready: number, reachable = true): ClusterObservation => ({
    cluster: c,
    reachable,
    members: new Map(m ? [['web/nginx', m]] : []),
    readyEndpoints: new Map([['web/nginx', ready]]),
    ...(reachable ? {} : { error: 'Timeout' }),
  });
  test.each<[string, ClusterObservation, string | undefined]>([
    ['healthy candidates are left to the probe', obs(cluster('a'), member([{ ip: '203.0.113.1' }]), 2), undefined],
    ['missing member', obs(cluster('a'), undefined, 0), 'NotPresent'],
    ['no ready endpoints', obs(cluster('a'), member([{ ip: '203.0.113.1' }]), 0), 'NoReadyEndpoints'],
    ['no load balancer yet', obs(cluster('a'), member([]), 3), 'NoLoadBalancerAddress'],
  ])('%s', (_n, o, down) => {
    const [shard] = planShards([fed], new Map([['a', o]]), new Map(), created);
    expect(shard?.downBecause?.code).toBe(down);
    expect(shard?.zones).toEqual(['us-central1-a', 'us-central1-f']);
    expect(shard?.port).toBe(443);
  });
  test('control plane down: judged by the data plane at the last known addresses', () => {
    // cluster → Service → health, as the sweep keeps it
    const prev = new Map([
      ['a', { 'web/nginx': { healthy: true, reason: 'ok', readyEndpoints: 2, consecutiveFailures: 0, consecutiveSuccesses: 2, addresses: ['203.0.113.9'] } }],
    ]);
    const [shard] = planShards([fed], new Map([['a', obs(cluster('a'), undefined, 0, false)]]), prev, created);
    expect(shard?.controlPlaneDown).toBe(true);
    expect(shard?.downBecause).toBeUndefined();
    expect(shard?.ingress).toEqual([{ ip: '203.0.113.9' }]);
  });
  test('only LoadBalancer Services, only placed clusters', () => {
    const placed = {
      ...fed,
      metadata: { ...fed.metadata, annotations: { 'federation.alpha.kubernetes.io/cluster-selector': '[{"key":"env","operator":"In","values":["prod"]}]' } },
    };
    const ci = { ...fed, spec: { type: 'ClusterIP' as const, ports: [{ port: 80 }] } };
    const o = new Map([
      ['a', obs(cluster('a', { env: 'prod' }), undefined, 0)],
      ['b', obs(cluster('b', { env: 'dev' }), undefined, 0)],
    ]);
    expect(planShards([placed, ci], o, new Map(), created).map((s) => s.cluster)).toEqual(['a']);
  });
  // Attacker's side: the member reports what it likes; skyfed probes only its own Service, on the
  // federated Service's port and path.
  test('a member Service skyfed did not create (unknown uid) is never probed', () => {
    const impostor = member([{ ip: '203.0.113.66' }], 'uid-forged');
    const [shard] = planShards([fed], new Map([['a', obs(cluster('a'), impostor, 3)]]), new Map(), created);
    expect(shard?.downBecause?.code).toBe('NotCreatedBySkyfed');
    expect(shard?.ingress).toEqual([]);
    const [none] = planShards([fed], new Map([['a', obs(cluster('a'), member([{ ip: '203.0.113.1' }]), 3)]]), new Map(), new Map());
    expect(none?.downBecause?.code).toBe('NotCreatedBySkyfed');
  });
  test('port and probe path come from the federated Service, never from the member', () => {
    const withPath = { ...fed, metadata: { ...fed.metadata, annotations: { 'skyfed.io/probe-http-path': '/healthz' } } };
    const steering = member([{ ip: '203.0.113.1' }], 'uid-1', {
      metadata: { name: 'nginx', namespace: 'web', uid: 'uid-1', annotations: { 'skyfed.io/probe-http-path': '/admin/delete-everything' } },
      spec: { ports: [{ port: 22 }] },
    });
    const [shard] = planShards([withPath], new Map([['a', obs(cluster('a'), steering, 3)]]), new Map(), created);
    expect(shard).toMatchObject({ port: 443, httpPath: '/healthz' });
    expect(shard?.downBecause).toBeUndefined();
  });
});
