/**
 * The simulated members' ConfigMaps and Deployments, driven through skyfed's real member client:
 * kube-apiserver's rules for what in-cluster discovery writes.
 */
import { FakeKubeFleet } from '../../../local/sim';
import { KUBEADM_COREFILE } from '../../../local/sim/configmaps';
import { KubeMemberClient } from '../../../shared/members/kube-client';
import { MemberError } from '../../../shared/members/port';
import { addressGuard, parseCidr } from '../../../shared/net/address-guard';

let fleet: FakeKubeFleet;
let c: KubeMemberClient;
const reason = async (p: Promise<unknown>): Promise<string> =>
  p.then(
    () => 'ok',
    (e: unknown) => (e instanceof MemberError ? e.reason : String(e)),
  );

beforeAll(async () => {
  fleet = await FakeKubeFleet.start([{ name: 'a' }]);
  const a = fleet.cluster('a');
  c = new KubeMemberClient({
    cluster: 'a',
    server: a.url,
    kubeconfig: a.kubeconfig(),
    timeoutMs: 2000,
    retry: { attempts: 1, baseMs: 1, maxMs: 1 },
    guard: addressGuard([parseCidr('127.0.0.0/8')]),
  });
});
afterAll(async () => {
  c?.close();
  await fleet?.stop();
});

test('ConfigMaps: create, AlreadyExists, stale replace and delete are Conflicts, over 1 MiB is Invalid, a missing one reads as absent', async () => {
  expect(await c.getConfigMap('kube-system', 'skyfed-dns')).toBeUndefined();
  const made = await c.createConfigMap('kube-system', { metadata: { name: 'skyfed-dns' }, data: { k: 'v' } });
  expect(made.metadata.resourceVersion).toBeDefined();
  expect(await reason(c.createConfigMap('kube-system', { metadata: { name: 'skyfed-dns' }, data: {} }))).toBe('AlreadyExists');
  expect(await reason(c.createConfigMap('nowhere', { metadata: { name: 'x' }, data: {} }))).toBe('NotFound');
  const next = await c.replaceConfigMap('kube-system', 'skyfed-dns', { ...made, data: { k: 'w' } });
  expect(await reason(c.replaceConfigMap('kube-system', 'skyfed-dns', { ...made, data: { k: 'stale' } }))).toBe('Conflict');
  expect(await reason(c.replaceConfigMap('kube-system', 'skyfed-dns', { ...next, data: { k: 'x'.repeat(1024 * 1024 + 1) } }))).toBe('Invalid');
  expect(await reason(c.deleteConfigMap('kube-system', 'skyfed-dns', made.metadata.resourceVersion))).toBe('Conflict');
  await c.deleteConfigMap('kube-system', 'skyfed-dns', next.metadata.resourceVersion);
  expect(await c.getConfigMap('kube-system', 'skyfed-dns')).toBeUndefined();
  await c.deleteConfigMap('kube-system', 'skyfed-dns'); // already gone: not an error
});

test('a fresh member looks like kubeadm: the coredns Corefile and Deployment; a stale Deployment replace is a Conflict', async () => {
  expect((await c.getConfigMap('kube-system', 'coredns'))?.data?.['Corefile']).toBe(KUBEADM_COREFILE);
  const dep = await c.getDeployment('kube-system', 'coredns');
  expect(dep?.spec?.template?.spec?.containers?.[0]?.name).toBe('coredns');
  const next = await c.replaceDeployment('kube-system', 'coredns', { ...(dep as NonNullable<typeof dep>), spec: { ...dep?.spec, replicas: 3 } });
  expect(next.metadata['generation']).toBe(2);
  expect(await reason(c.replaceDeployment('kube-system', 'coredns', dep as NonNullable<typeof dep>))).toBe('Conflict');
  expect(await c.getDeployment('kube-system', 'absent')).toBeUndefined();
});
