/**
 * What skyfed records for `kubectl describe`, on the production path (emulator triggers, simulated
 * member clusters, the sweep with the local DNS provider): propagation per cluster, a foreign member
 * Service as a conflict, shard health and DNS publication — and nothing at all while nothing changes.
 */
import { sweepDeps } from '../../../functions/sweep';
import { LocalDnsProvider } from '../../../shared/dns/providers/local';
import { CoreEvent } from '../../../shared/recorder/event';
import { StoreEventRecorder } from '../../../shared/recorder/recorder';
import { SweepDeps, sweep } from '../../../shared/sweep/sweep';
import { FakeKubeFleet } from '../../../local/sim';
import { ADMIN_TOKEN } from '../../harness/api-server';
import { ControlPlane, startControlPlane, waitFor } from '../../harness/control-plane';
import { registerCluster } from '../../harness/federation';
import { call } from '../../harness/http';

const T = { token: ADMIN_TOKEN };
let cp: ControlPlane;
let fleet: FakeKubeFleet;
let deps: SweepDeps;

beforeAll(async () => {
  fleet = await FakeKubeFleet.start([
    { name: 'east', region: 'us-east1', zones: ['us-east1-b'], lbDelayMs: 10 },
    { name: 'west', region: 'us-west1', zones: ['us-west1-a'], lbDelayMs: 10 },
  ]);
  cp = await startControlPlane({ SKYFED_PROBE_TIMEOUT_MS: '500', SKYFED_FAILURE_THRESHOLD: '1', SKYFED_SUCCESS_THRESHOLD: '1' });
  for (const c of fleet.clusters) await registerCluster(cp.apiUrl, c);
  deps = sweepDeps(cp.runtime, new LocalDnsProvider(cp.db, 'example.com.'));
}, 90_000);
afterAll(async () => {
  await cp?.close();
  await fleet?.stop();
});

async function eventsOf(name: string): Promise<CoreEvent[]> {
  const sel = encodeURIComponent(`involvedObject.kind=Service,involvedObject.name=${name},involvedObject.namespace=shop`);
  const r = await call(cp.apiUrl, 'GET', `/api/v1/namespaces/shop/events?fieldSelector=${sel}`, T);
  return (r.body['items'] as CoreEvent[]).sort((a, b) => `${a.reason ?? ''}${a.message ?? ''}`.localeCompare(`${b.reason ?? ''}${b.message ?? ''}`));
}
const summary = (es: CoreEvent[]): string[] => es.map((e) => `${e.type ?? ''} ${e.reason ?? ''} ${e.message ?? ''} x${e.count ?? 0}`);
const service = (name: string) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name },
  spec: { type: 'LoadBalancer', selector: { app: name }, ports: [{ port: 80 }] },
});

test("propagation records each cluster's outcome, and a foreign member Service as a conflict", async () => {
  fleet.cluster('west').createServiceByHand('shop', { metadata: { name: 'legacy' }, spec: { ports: [{ port: 9000 }] } });
  await call(cp.apiUrl, 'POST', '/api/v1/namespaces/shop/services', { ...T, body: service('web') });
  await call(cp.apiUrl, 'POST', '/api/v1/namespaces/shop/services', { ...T, body: service('legacy') });
  await waitFor('web propagated to both clusters', async () => (await eventsOf('web')).length >= 2);
  await waitFor('legacy conflict recorded', async () => (await eventsOf('legacy')).some((e) => e.reason === 'Conflict'));
  await cp.settle();
  expect(summary(await eventsOf('web'))).toEqual([
    'Normal Propagated Created the Service in cluster east x1',
    'Normal Propagated Created the Service in cluster west x1',
  ]);
  const legacy = summary(await eventsOf('legacy'));
  expect(legacy).toContain('Normal Propagated Created the Service in cluster east x1');
  expect(legacy.filter((l) => l.startsWith('Warning Conflict Cluster west: '))).toHaveLength(1);
  expect(fleet.cluster('west').getService('shop', 'legacy')?.spec.ports?.[0]?.port).toBe(9000);
  // Each cluster's first probe: Ready, as `kubectl describe cluster` lists it (Events of cluster-scoped objects live in "default").
  const sel = encodeURIComponent('involvedObject.kind=Cluster,involvedObject.name=east,involvedObject.namespace=');
  const clusterEvents = (await call(cp.apiUrl, 'GET', `/api/v1/events?fieldSelector=${sel}`, T)).body['items'] as CoreEvent[];
  expect(summary(clusterEvents)).toEqual(['Normal ClusterReady Cluster is Ready: /readyz responded with ok x1']);
}, 60_000);

test('every line the propagation functions logged carries the id of the event it handled', () => {
  const eventIds = new Set(cp.deliveries.map((d) => d.headers['ce-id']).filter(Boolean));
  const lines = cp.logs.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l['component'] === 'propagation');
  const web = lines.filter((l) => l['message'] === 'service reconciled' && l['service'] === 'shop/web');
  expect(web.length).toBeGreaterThan(0);
  for (const l of lines) expect(eventIds).toContain(l['executionId']);
  // Only an event that named shop/web reconciled it.
  const webDeliveries = cp.deliveries.filter((d) => d.target === 'onServiceWritten' && (d.headers['ce-subject'] ?? '').endsWith('/services/web'));
  for (const l of web) expect(webDeliveries.map((d) => d.headers['ce-id'])).toContain(l['executionId']);
});

test('the sweep records shard health and DNS publication once; steady sweeps and reconciles record nothing', async () => {
  await waitFor('load balancers', async () => fleet.clusters.every((c) => (c.getService('shop', 'web')?.status?.loadBalancer?.ingress ?? []).length > 0));
  // The first sweeps may catch a load balancer still opening: sweep until both shards are healthy.
  await waitFor('both web shards healthy', async () => {
    await sweep(deps);
    return summary(await eventsOf('web')).filter((l) => l.includes(' ShardHealthy ')).length === 2;
  });
  const afterFirst = summary(await eventsOf('web'));
  expect(afterFirst.filter((l) => / ShardHealthy Shard in cluster (east|west) is healthy: /.test(l))).toHaveLength(2);
  expect(afterFirst.filter((l) => l.startsWith('Normal DNSPublished Published web.shop.myfederation.svc.example.com. A '))).toHaveLength(1);

  const recorder = (r: unknown): StoreEventRecorder['stats'] => (r as StoreEventRecorder).stats;
  const before = { ...recorder(deps.events) };
  const snapshot = JSON.stringify((await call(cp.apiUrl, 'GET', '/api/v1/events', T)).body['items']);
  for (let i = 0; i < 3; i++) await sweep(deps);
  await call(cp.functionUrl('reconcile').replace(/\/$/, ''), 'POST', '/', { body: {} });
  await cp.settle();
  expect(recorder(deps.events).recorded - before.recorded).toBe(0); // events written per steady sweep: 0
  expect(JSON.stringify((await call(cp.apiUrl, 'GET', '/api/v1/events', T)).body['items'])).toBe(snapshot);

  await fleet.cluster('east').setLoadBalancerAnswering('shop', 'web', false);
  await sweep(deps);
  await sweep(deps);
  const failed = summary(await eventsOf('web'));
  expect(failed.filter((l) => l.startsWith('Warning ShardUnhealthy Shard in cluster east is unhealthy: '))).toHaveLength(1);
  expect(failed.filter((l) => l.startsWith('Normal DNSPublished '))).toHaveLength(2);
}, 60_000);
