/**
 * Propagation on the production path: API write → Firestore emulator → Eventarc CloudEvent →
 * functions-framework function → member Services in simulated clusters (wire-level fakes, each with
 * its own CA and token), through the real @kubernetes/client-node.
 */
import { ControlPlane, startControlPlane, waitFor } from '../../harness/control-plane';
import { ADMIN_TOKEN } from '../../harness/api-server';
import { call } from '../../harness/http';
import { FakeKubeFleet } from '../../../local/sim';
import { registerCluster } from '../../harness/federation';

const NAMES = ['gce-asia-east1', 'gce-europe-west1', 'gce-us-central1', 'gce-us-east1', 'gce-late-joiner'];
let cp: ControlPlane;
let fleet: FakeKubeFleet;
const T = { token: ADMIN_TOKEN };

beforeAll(async () => {
  fleet = await FakeKubeFleet.start(
    NAMES.map((name, i) => ({ name, region: ['asia-east1', 'europe-west1', 'us-central1', 'us-east1', 'us-west1'][i] as string, zones: [`z${i}-a`] })),
  );
  cp = await startControlPlane({ SKYFED_MEMBER_TIMEOUT_MS: '3000', SKYFED_BREAKER_FAILURES: '2', SKYFED_BREAKER_COOLDOWN_MS: '60000' });
  for (const name of NAMES.slice(0, 4)) await register(name);
  await cp.settle();
}, 90_000);
afterAll(async () => {
  await cp?.close();
  await fleet?.stop();
});

async function register(name: string): Promise<void> {
  await registerCluster(cp.apiUrl, fleet.cluster(name), { idx: String(NAMES.indexOf(name)) });
}

const svc = (name: string, port = 80, annotations: Record<string, string> = {}) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, labels: { app: name }, annotations },
  spec: { type: 'LoadBalancer', selector: { app: name }, ports: [{ name: 'http', port }] },
});
const members = (name: string, ns = 'web') => NAMES.slice(0, 4).map((c) => fleet.cluster(c).getService(ns, name));

test('a federated Service appears in every cluster, labelled as ours, and cluster status is real', async () => {
  expect((await call(cp.apiUrl, 'POST', '/api/v1/namespaces/web/services', { ...T, body: svc('nginx') })).status).toBe(201);
  await waitFor('nginx in 4 clusters', async () => members('nginx').every((m) => m !== undefined));
  for (const m of members('nginx')) {
    expect(m?.metadata.labels?.['app.kubernetes.io/managed-by']).toBe('skyfed');
    expect(m?.spec.clusterIP).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
  }
  const clusters = await call(cp.apiUrl, 'GET', '/apis/federation/v1beta1/clusters', T);
  for (const c of clusters.body['items'] as { status: { conditions: { type: string; status: string }[]; version: string; region: string } }[]) {
    expect(c.status.conditions.find((x) => x.type === 'Ready')?.status).toBe('True');
    expect(c.status.version).toBe('v1.30.2');
  }
  // Shard status shows each cluster's ingress once the load balancers answer.
  const shown = await waitFor('4 shards with ingress', async () => {
    const got = await call(cp.apiUrl, 'GET', '/api/v1/namespaces/web/services/nginx', T);
    const fed = (got.body['status'] as { federation?: { shards: { present: boolean; ingress: unknown[] }[] } }).federation;
    return fed && fed.shards.filter((s) => s.present).length === 4 ? fed : undefined;
  });
  expect(shown.shards.map((s) => s.present)).toEqual([true, true, true, true]);
});

test('an edit follows to every cluster; keeping allocated clusterIP and nodePort', async () => {
  const before = members('nginx').map((m) => [m?.spec.clusterIP, m?.spec.ports?.[0]?.nodePort]);
  const got = await call(cp.apiUrl, 'GET', '/api/v1/namespaces/web/services/nginx', T);
  const body = {
    ...svc('nginx'),
    metadata: { ...svc('nginx').metadata, resourceVersion: (got.body['metadata'] as { resourceVersion: string }).resourceVersion },
    spec: { ...svc('nginx').spec, selector: { app: 'nginx-v2' } },
  };
  expect((await call(cp.apiUrl, 'PUT', '/api/v1/namespaces/web/services/nginx', { ...T, body })).status).toBe(200);
  await waitFor('selector updated everywhere', async () => members('nginx').every((m) => m?.spec.selector?.['app'] === 'nginx-v2'));
  expect(members('nginx').map((m) => [m?.spec.clusterIP, m?.spec.ports?.[0]?.nodePort])).toEqual(before);
});

test('a duplicated and a reordered event change nothing twice', async () => {
  await cp.settle();
  const serviceEvents = cp.deliveries.filter((d) => d.target === 'onServiceWritten');
  const writesBefore = NAMES.slice(0, 4).map((c) => fleet.cluster(c).writeCount());
  const lastTwo = serviceEvents.slice(-2);
  for (const d of [...lastTwo].reverse()) expect(await cp.redeliver(d)).toBeLessThan(300);
  for (const d of lastTwo) expect(await cp.redeliver(d)).toBeLessThan(300);
  expect(NAMES.slice(0, 4).map((c) => fleet.cluster(c).writeCount())).toEqual(writesBefore);
});

test('a cluster registered later receives every existing Service', async () => {
  await call(cp.apiUrl, 'POST', '/api/v1/namespaces/web/services', { ...T, body: svc('api', 8080) });
  await waitFor('api everywhere', async () => members('api').every((m) => m !== undefined));
  await register('gce-late-joiner');
  await waitFor('late joiner converged', async () => ['nginx', 'api'].every((n) => fleet.cluster('gce-late-joiner').getService('web', n) !== undefined));
});

test('one hanging cluster does not delay the others at all, shows its error, and is backed off once it keeps timing out', async () => {
  const europe = fleet.cluster('gce-europe-west1');
  await europe.setFault({ mode: 'hang' });
  const before = europe.received.count;
  await call(cp.apiUrl, 'POST', '/api/v1/namespaces/web/services', { ...T, body: svc('checkout') });
  const healthy = ['gce-asia-east1', 'gce-us-central1', 'gce-us-east1', 'gce-late-joiner'];
  await waitFor('checkout in the healthy clusters', async () => healthy.every((c) => fleet.cluster(c).getService('web', 'checkout') !== undefined), 10_000);
  // The healthy clusters have it well within the member time-out (3 s) of the call that hangs.
  expect(europe.received.count).toBeGreaterThan(before);
  expect(Date.now() - europe.received.lastAt).toBeLessThan(2000);
  const shardOf = async (name: string, cluster: string) => {
    const got = await call(cp.apiUrl, 'GET', `/api/v1/namespaces/web/services/${name}`, T);
    const shards = (got.body['status'] as { federation?: { shards: { cluster: string; error?: string; errorSince?: string }[] } }).federation?.shards ?? [];
    return shards.find((s) => s.cluster === cluster && s.error);
  };
  const shard = await waitFor('error in the hanging shard', () => shardOf('checkout', 'gce-europe-west1'));
  expect(shard.error).toMatch(/Timeout/);
  expect(shard.errorSince).toMatch(/^\d{4}-\d\d-\d\dT/);

  // Two time-outs in a row (checkout's create and finalizer events) open the breaker, kept in
  // Firestore; later events skip the member at once, and its shard says why and since when.
  await cp.settle();
  const stored = (await cp.db.collection('memberBreakers').doc('gce-europe-west1').get()).data();
  expect(stored?.['openSince']).toBeDefined();
  const calls = europe.received.count;
  await call(cp.apiUrl, 'POST', '/api/v1/namespaces/web/services', { ...T, body: svc('cart') });
  await waitFor('cart in the healthy clusters', async () => healthy.every((c) => fleet.cluster(c).getService('web', 'cart') !== undefined));
  await cp.settle(100);
  expect(europe.received.count).toBe(calls);
  const open = await shardOf('cart', 'gce-europe-west1');
  expect(open?.error).toMatch(
    /^circuit open after 2 consecutive time-outs \(Timeout: no answer within 3000 ms\); calls to this cluster are paused until \d{4}-/,
  );
  expect(open?.errorSince).toBe(stored?.['openSince']);

  // The member is repaired and its registration edited: that resets the breaker at once (no
  // waiting out the cool-down, a minute here), and the cluster catches up.
  await europe.setFault({ mode: 'none' });
  const patched = await call(cp.apiUrl, 'PATCH', '/apis/federation/v1beta1/clusters/gce-europe-west1', {
    ...T,
    contentType: 'application/merge-patch+json',
    body: { metadata: { labels: { repaired: 'true' } } },
  });
  expect(patched.status).toBe(200);
  await waitFor('europe caught up', async () => fleet.cluster('gce-europe-west1').getService('web', 'cart') !== undefined);
  expect((await cp.db.collection('memberBreakers').get()).size).toBe(0);
});

test('a hand-deleted member Service comes back after reconcile, and a refused cluster goes Offline', async () => {
  fleet.cluster('gce-us-east1').deleteServiceByHand('web', 'nginx');
  await fleet.cluster('gce-late-joiner').setFault({ mode: 'refused' });
  const res = await call(cp.functionUrl('reconcile').replace(/\/$/, ''), 'POST', '/', { body: {} });
  expect(res.status).toBe(200);
  expect(fleet.cluster('gce-us-east1').getService('web', 'nginx')).toBeDefined();
  expect(fleet.cluster('gce-europe-west1').getService('web', 'checkout')).toBeDefined();
  const c = await call(cp.apiUrl, 'GET', '/apis/federation/v1beta1/clusters/gce-late-joiner', T);
  expect((c.body['status'] as { conditions: { type: string; status: string }[] }).conditions.find((x) => x.type === 'Offline')?.status).toBe('True');
  await fleet.cluster('gce-late-joiner').setFault({ mode: 'none' });
  await call(cp.functionUrl('reconcile').replace(/\/$/, ''), 'POST', '/', { body: {} });
});

test('a same-named Service skyfed did not create is reported, not taken over', async () => {
  fleet.cluster('gce-us-central1').createServiceByHand('web', { metadata: { name: 'legacy' }, spec: { ports: [{ port: 9000 }] } });
  await call(cp.apiUrl, 'POST', '/api/v1/namespaces/web/services', { ...T, body: svc('legacy') });
  const conflict = await waitFor('conflict reported', async () => {
    const got = await call(cp.apiUrl, 'GET', '/api/v1/namespaces/web/services/legacy', T);
    return ((got.body['status'] as { federation?: { shards: { cluster: string; conflict?: string }[] } }).federation?.shards ?? []).find((s) => s.conflict);
  });
  expect(conflict.cluster).toBe('gce-us-central1');
  expect(fleet.cluster('gce-us-central1').getService('web', 'legacy')?.spec.ports?.[0]?.port).toBe(9000);
});

test('delete cascades by default; Orphan leaves members, no longer labelled as ours', async () => {
  expect((await call(cp.apiUrl, 'DELETE', '/api/v1/namespaces/web/services/api', { ...T, body: { propagationPolicy: 'Background' } })).status).toBe(200);
  await waitFor('api gone everywhere', async () => members('api').every((m) => m === undefined));
  await waitFor('federated api gone', async () => (await call(cp.apiUrl, 'GET', '/api/v1/namespaces/web/services/api', T)).status === 404);

  expect((await call(cp.apiUrl, 'DELETE', '/api/v1/namespaces/web/services/nginx', { ...T, body: { propagationPolicy: 'Orphan' } })).status).toBe(200);
  await waitFor('federated nginx gone', async () => (await call(cp.apiUrl, 'GET', '/api/v1/namespaces/web/services/nginx', T)).status === 404);
  for (const m of members('nginx')) {
    expect(m).toBeDefined();
    expect(m?.metadata.labels?.['app.kubernetes.io/managed-by']).toBeUndefined();
  }
});

test('shard status in Firestore: an earlier observation finishing last does not overwrite a later one', async () => {
  const shards = cp.runtime.shards;
  const at = (s: number) => `2026-12-01T10:00:0${s}.000Z`;
  expect(await shards.put('race', 'svc', 'c1', 'propagation', { present: false, ingress: [], observedAt: at(0) })).toBe(true);
  const [read] = await shards.list('race', 'svc');
  expect(read?.version).toBeDefined();
  // Two passes held that version; the later observation lands first, with a conditional update.
  expect(await shards.put('race', 'svc', 'c1', 'propagation', { present: false, ingress: [], error: 'delete failed', observedAt: at(2) }, read)).toBe(true);
  expect(await shards.put('race', 'svc', 'c1', 'propagation', { present: true, ingress: [], observedAt: at(1) }, read)).toBe(false);
  // A shard nobody had read yet: create, and a second creator decides again in a transaction.
  expect(await shards.put('race', 'svc', 'c2', 'propagation', { present: true, ingress: [], observedAt: at(1) })).toBe(true);
  expect(await shards.put('race', 'svc', 'c2', 'propagation', { present: false, ingress: [], observedAt: at(0) })).toBe(false);
  const now = new Map((await shards.list('race', 'svc')).map((d) => [d.cluster, d.propagation]));
  expect(now.get('c1')).toMatchObject({ present: false, error: 'delete failed' });
  expect(now.get('c2')).toMatchObject({ present: true });
});
