import { planInCluster, podAnswerFor } from '../../../shared/incluster/sweep-zones';
import { Cluster } from '../../../shared/model/cluster';
import { Service } from '../../../shared/model/service';
import { MemberService } from '../../../shared/propagation/member';
import { ClusterHealth } from '../../../shared/store/sweep-health';
import { ClusterObservation } from '../../../shared/sweep/observe';

const NAMES = { federation: 'myfederation', suffix: 'example.com', ttl: 30 };
const cluster = (name: string, labels: Record<string, string>, spec: Partial<Cluster['spec']> = {}): Cluster => ({
  apiVersion: 'federation/v1beta1',
  kind: 'Cluster',
  metadata: { name, labels },
  spec: { serverAddressByClientCIDRs: [], region: 'r1', zones: ['r1-a'], ...spec },
});
const svc = (name: string, extra: Partial<Service['metadata']> = {}, type: 'LoadBalancer' | 'ClusterIP' = 'LoadBalancer'): Service => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: 'ns', ...extra },
  spec: { type, ports: [{ port: 80 }] },
});
const obs = (c: Cluster, members: string[], reachable = true): ClusterObservation => ({
  cluster: c,
  reachable,
  members: new Map(members.map((k) => [k, { metadata: {}, spec: {} } as MemberService])),
  readyEndpoints: new Map(),
});
const shard = (h: boolean) => ({ healthy: h, reason: '', readyEndpoints: 1, consecutiveFailures: 0, consecutiveSuccesses: 0 });

const a = cluster('a', { cloud: 'gce' });
const b = cluster('b', { cloud: 'aws' }, { clusterDomain: 'corp.internal' });
const selector = { annotations: { 'federation.alpha.kubernetes.io/cluster-selector': '[{"key":"cloud","operator":"In","values":["gce"]}]' } };
const services = [svc('web'), svc('only-gce', selector), svc('internal', {}, 'ClusterIP'), svc('going', { deletionTimestamp: '2026-01-01T00:00:00Z' })];
// cluster → Service → health, as the sweep keeps it.
const states = new Map<string, ClusterHealth>([
  ['a', { 'ns/web': shard(true), 'ns/only-gce': shard(true) }],
  ['b', { 'ns/web': shard(true) }],
]);

test.each([
  [
    'a: both placed LoadBalancer Services, local where the member exists and is healthy',
    a,
    ['ns/web', 'ns/only-gce'],
    {
      'ns/web': 'web.ns.svc.cluster.local.',
      'ns/only-gce': 'only-gce.ns.svc.cluster.local.',
    },
  ],
  [
    'a without the member of only-gce: the fallback despite stale health',
    a,
    ['ns/web'],
    {
      'ns/web': 'web.ns.svc.cluster.local.',
      'ns/only-gce': 'only-gce.ns.myfederation.svc.r1-a.r1.example.com.',
    },
  ],
  ['b: only-gce is not placed there; its own cluster domain', b, ['ns/web'], { 'ns/web': 'web.ns.svc.corp.internal.' }],
])('%s', (_n, c, members, want) => {
  const plan = planInCluster(NAMES, services, new Map([[c.metadata.name as string, obs(c, members)]]), states);
  const zone = plan.zones.get(c.metadata.name as string);
  expect(Object.fromEntries((zone?.entries ?? []).map((e) => [`${e.namespace}/${e.service}`, e.target]))).toEqual(want);
});

test('an unreachable cluster gets no zone write and keeps what its Pods were last told; a removed cluster drops out', () => {
  const observations = new Map([
    ['a', obs(a, ['ns/web'])],
    ['b', obs(b, [], false)],
  ]);
  const plan = planInCluster(NAMES, services, observations, states);
  expect([...plan.zones.keys()]).toEqual(['a']);
  const lastToldB = { name: 'web.ns.myfederation.svc.corp.internal.', cname: 'web.ns.svc.corp.internal.', local: true };
  const stale = { name: 'x.', cname: 'y.', local: true };
  expect(podAnswerFor('ns/web', 'a', plan, observations, stale)).toEqual({
    name: 'web.ns.myfederation.svc.cluster.local.',
    cname: 'web.ns.svc.cluster.local.',
    local: true,
  });
  expect(podAnswerFor('ns/web', 'b', plan, observations, lastToldB)).toEqual(lastToldB);
  expect(podAnswerFor('ns/web', 'gone', plan, observations, stale)).toBeUndefined();
});
