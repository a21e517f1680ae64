/**
 * Attacker's side (and bad day's side) of garbage collection: after the store lost its data,
 * re-registering the clusters must not delete the member Services skyfed made before: they carry
 * the uid of a federated Service this store never knew, so they are reported, never removed.
 */
import { ADMIN_TOKEN } from '../../harness/api-server';
import { ControlPlane, startControlPlane, waitFor } from '../../harness/control-plane';
import { call } from '../../harness/http';
import { registerCluster } from '../../harness/federation';
import { FakeKubeFleet } from '../../../local/sim';

const T = { token: ADMIN_TOKEN };
let fleet: FakeKubeFleet;
let cp: ControlPlane | undefined;

beforeAll(async () => {
  fleet = await FakeKubeFleet.start([
    { name: 'm1', region: 'r1', zones: ['r1-a'] },
    { name: 'm2', region: 'r2', zones: ['r2-a'] },
  ]);
}, 60_000);
afterAll(async () => {
  await cp?.close();
  await fleet?.stop();
});

const members = (): string[] =>
  fleet.clusters.flatMap((c) => ['a', 'b', 'c'].filter((s) => c.getService('shop', s) !== undefined).map((s) => `${c.name}/${s}`)).sort();

test('a fresh store re-registering the same clusters deletes none of the earlier member Services', async () => {
  const first = await startControlPlane();
  for (const c of fleet.clusters) await registerCluster(first.apiUrl, c);
  for (const s of ['a', 'b', 'c']) {
    await call(first.apiUrl, 'POST', '/api/v1/namespaces/shop/services', {
      ...T,
      body: { apiVersion: 'v1', kind: 'Service', metadata: { name: s }, spec: { type: 'ClusterIP', ports: [{ port: 80 }] } },
    });
  }
  await waitFor('members everywhere', async () => (members().length === 6 ? true : undefined), 30_000);
  await first.close();

  // The store is gone: a new project, the same clusters registered again, a full reconcile.
  cp = await startControlPlane();
  for (const c of fleet.clusters) await registerCluster(cp.apiUrl, c);
  await cp.settle(500);
  const res = await call(cp.functionUrl('reconcile').replace(/\/$/, ''), 'POST', '/', { body: {} });
  expect(res.status).toBeLessThan(300);
  await cp.settle(500);
  expect(members()).toEqual(['m1/a', 'm1/b', 'm1/c', 'm2/a', 'm2/b', 'm2/c']);
}, 120_000);
