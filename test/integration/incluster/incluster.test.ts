/**
 * In-cluster discovery end to end: the real control plane (emulator, triggers) and simulated
 * members; each member's kube-system/skyfed-dns zone is checked by BIND's named-checkzone and
 * served by a real named, and by the simulated cluster DNS the demo runs, through
 * healthy → unhealthy → healthy, placement changes, the CoreDNS opt-in and a cluster leaving.
 */
import { Resolver } from 'node:dns/promises';
import { sweepDeps } from '../../../functions/sweep';
import { LocalDns, startLocalDns } from '../../../local/dns';
import { FakeKubeFleet } from '../../../local/sim';
import { ClusterDns, startClusterDns } from '../../../local/sim/cluster-dns';
import { KUBEADM_COREFILE } from '../../../local/sim/configmaps';
import { LocalDnsProvider } from '../../../shared/dns/providers/local';
import { SweepDeps, SweepReport, sweep } from '../../../shared/sweep/sweep';
import { ADMIN_TOKEN } from '../../harness/api-server';
import { ControlPlane, startControlPlane, waitFor } from '../../harness/control-plane';
import { registerCluster } from '../../harness/federation';
import { call } from '../../harness/http';
import { Named, checkZone, startNamed } from './bind';

const T = { token: ADMIN_TOKEN };
const ORIGIN = 'myfederation.svc.cluster.local.';
const POD_NAME = 'nginx.mynamespace.myfederation.svc.cluster.local';
const LOCAL = 'nginx.mynamespace.svc.cluster.local';
const ZONAL = 'nginx.mynamespace.myfederation.svc.us-central1-a.us-central1.example.com';
const GLOBAL = 'nginx.mynamespace.myfederation.svc.example.com';
const CLUSTERS = [
  { name: 'gce-us-central1', region: 'us-central1', zones: ['us-central1-a', 'us-central1-f'], labels: { cloud: 'gce' } },
  { name: 'gce-europe-west1', region: 'europe-west1', zones: ['europe-west1-b'], labels: { cloud: 'gce' } },
  { name: 'onprem', topologyLabels: 'none' as const, labels: { cloud: 'onprem' } },
];

let cp: ControlPlane;
let fleet: FakeKubeFleet;
let deps: SweepDeps;
let named: Named;
let publicDns: LocalDns;
let clusterDns: ClusterDns;

const zoneOf = (cluster: string): string => fleet.cluster(cluster).configMap('kube-system', 'skyfed-dns')?.data?.['db.myfederation'] ?? '';
const serialOf = (zone: string): number => Number(/SOA \S+ \S+ \( (\d+)/.exec(zone)?.[1] ?? -1);
const memberWrites = (): number => fleet.clusters.reduce((n, c) => n + c.writeCount(), 0);
const sweeps = async (n: number): Promise<SweepReport> => {
  let r: SweepReport | undefined;
  for (let i = 0; i < n; i++) r = await sweep(deps);
  return r as SweepReport;
};
async function cname(resolver: Resolver, name: string): Promise<string[] | string> {
  try {
    return await resolver.resolveCname(name);
  } catch (e) {
    return (e as { code: string }).code;
  }
}
async function podsAreTold(cluster: string): Promise<string[] | string> {
  await named.serve(zoneOf(cluster));
  return cname(named.resolver, POD_NAME);
}
const ip = (cluster: string): string => fleet.cluster(cluster).getService('mynamespace', 'nginx')?.status?.loadBalancer?.ingress?.[0]?.ip ?? '';
const patch = (path: string, body: object) => call(cp.apiUrl, 'PATCH', path, { ...T, body, contentType: 'application/merge-patch+json' });

beforeAll(async () => {
  fleet = await FakeKubeFleet.start(CLUSTERS.map((c) => ({ ...c, lbDelayMs: 10 })));
  cp = await startControlPlane({ SKYFED_PROBE_TIMEOUT_MS: '2000', SKYFED_FAILURE_THRESHOLD: '2', SKYFED_SUCCESS_THRESHOLD: '2' });
  for (const c of CLUSTERS) await registerCluster(cp.apiUrl, fleet.cluster(c.name), c.labels);
  await call(cp.apiUrl, 'POST', '/api/v1/namespaces/mynamespace/services', {
    ...T,
    body: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'nginx' }, spec: { type: 'LoadBalancer', selector: { app: 'nginx' }, ports: [{ port: 80 }] } },
  });
  await waitFor('LB ingress everywhere', async () => CLUSTERS.every((c) => ip(c.name) !== ''));
  await waitFor('cluster zones known', async () => {
    const list = await call(cp.apiUrl, 'GET', '/apis/federation/v1beta1/clusters', T);
    return (list.body['items'] as { metadata: { name: string }; status?: { zones?: string[] } }[])
      .filter((c) => c.metadata.name !== 'onprem')
      .every((c) => (c.status?.zones ?? []).length > 0);
  });
  const provider = new LocalDnsProvider(cp.db, 'example.com.');
  deps = sweepDeps(cp.runtime, provider);
  await cp.settle();
  publicDns = await startLocalDns(cp.db, 'example.com.', 0);
  clusterDns = await startClusterDns(fleet.cluster('gce-us-central1'), { upstream: { host: '127.0.0.1', port: publicDns.port } });
}, 90_000);

afterAll(async () => {
  await named?.stop();
  await clusterDns?.close();
  await publicDns?.close();
  await cp?.close();
  await fleet?.stop();
});

test('after a sweep every member holds a zone BIND accepts, and Pods are told their local shard', async () => {
  // A busy machine can miss a probe; every shard is admitted on its first good one.
  await waitFor('every shard healthy', async () => (await sweeps(1)).healthy === 3, 30_000);
  for (const c of CLUSTERS) {
    const zone = zoneOf(c.name);
    expect(checkZone(ORIGIN, zone)).toMatchObject({ ok: true });
    expect(fleet.cluster(c.name).configMap('kube-system', 'skyfed-dns')?.data?.['Corefile']).toContain(
      `file /etc/coredns/skyfed/db.myfederation myfederation.svc.cluster.local {`,
    );
  }
  named = await startNamed(ORIGIN, zoneOf('gce-us-central1'));
  for (const c of CLUSTERS) expect(await podsAreTold(c.name)).toEqual([LOCAL]);
  const svc = await call(cp.apiUrl, 'GET', '/api/v1/namespaces/mynamespace/services/nginx', T);
  const shards = (svc.body['status'] as { federation: { shards: { cluster: string; inCluster?: unknown }[] } }).federation.shards;
  expect(shards.map((s) => [s.cluster, s.inCluster])).toEqual(CLUSTERS.map((c) => [c.name, { name: `${POD_NAME}.`, cname: `${LOCAL}.`, local: true }]).sort());
});

test('a steady sweep writes nothing to members', async () => {
  const before = memberWrites();
  const r = await sweeps(2);
  expect(r.memberWrites).toBe(0);
  expect(memberWrites()).toBe(before);
});

test('healthy → unhealthy → healthy: Pods go to the zonal federated name and come back, with an increasing serial', async () => {
  const serial0 = serialOf(zoneOf('gce-us-central1'));
  const europe = zoneOf('gce-europe-west1');
  await fleet.cluster('gce-us-central1').setLoadBalancerAnswering('mynamespace', 'nginx', false);
  await sweeps(1);
  expect(await podsAreTold('gce-us-central1')).toEqual([LOCAL]); // one failure is tolerated (threshold 2)
  const r = await sweeps(1);
  expect(r.memberWrites).toBe(1);
  expect(await podsAreTold('gce-us-central1')).toEqual([ZONAL]);
  const serial1 = serialOf(zoneOf('gce-us-central1'));
  expect(serial1).toBeGreaterThan(serial0);
  expect(zoneOf('gce-europe-west1')).toBe(europe);
  expect(checkZone(ORIGIN, zoneOf('gce-us-central1'))).toMatchObject({ ok: true });
  // What the demo cluster DNS tells a Pod: the chain to the closest healthy shard.
  const pod = new Resolver({ timeout: 1000, tries: 1 });
  pod.setServers([`127.0.0.1:${clusterDns.port}`]);
  await waitFor('public records without the dead shard', async () => !(await pod.resolve4(POD_NAME)).includes(ip('gce-us-central1')));
  expect((await pod.resolve4(POD_NAME)).sort()).toEqual([ip('gce-europe-west1'), ip('onprem')].sort());
  const svc = await call(cp.apiUrl, 'GET', '/api/v1/namespaces/mynamespace/services/nginx', T);
  const shard = (svc.body['status'] as { federation: { shards: { cluster: string; inCluster?: { cname: string; local: boolean } }[] } }).federation.shards.find(
    (s) => s.cluster === 'gce-us-central1',
  );
  expect(shard?.inCluster).toMatchObject({ cname: `${ZONAL}.`, local: false });

  await fleet.cluster('gce-us-central1').setLoadBalancerAnswering('mynamespace', 'nginx', true);
  await sweeps(2);
  expect(await podsAreTold('gce-us-central1')).toEqual([LOCAL]);
  expect(serialOf(zoneOf('gce-us-central1'))).toBeGreaterThan(serial1);
  const clusterIp = fleet.cluster('gce-us-central1').getService('mynamespace', 'nginx')?.spec.clusterIP;
  expect(await pod.resolve4(POD_NAME)).toEqual([clusterIp]);
});

test('a cluster without topology labels sends its Pods to the global name', async () => {
  fleet.cluster('onprem').setReadyEndpoints('mynamespace', 'nginx', 0);
  await sweeps(2);
  expect(await podsAreTold('onprem')).toEqual([GLOBAL]);
  fleet.cluster('onprem').setReadyEndpoints('mynamespace', 'nginx', 2);
  await sweeps(2);
  expect(await podsAreTold('onprem')).toEqual([LOCAL]);
});

test('propagation adds a placed Service to the zone before any sweep, and removes one unplaced from a cluster', async () => {
  await call(cp.apiUrl, 'POST', '/api/v1/namespaces/mynamespace/services', {
    ...T,
    body: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { type: 'LoadBalancer', selector: { app: 'web' }, ports: [{ port: 8080 }] } },
  });
  await waitFor('web in every zone', async () => CLUSTERS.every((c) => zoneOf(c.name).includes('\nweb.mynamespace IN CNAME ')));
  expect(zoneOf('gce-us-central1')).toContain('web.mynamespace IN CNAME web.mynamespace.myfederation.svc.us-central1-a.us-central1.example.com.');

  const unplace = await patch('/api/v1/namespaces/mynamespace/services/nginx', {
    metadata: { annotations: { 'federation.alpha.kubernetes.io/cluster-selector': '[{"key":"cloud","operator":"In","values":["gce"]}]' } },
  });
  expect(unplace.status).toBe(200);
  await waitFor("nginx gone from onprem's zone", async () => !zoneOf('onprem').includes('\nnginx.mynamespace '));
  await sweeps(1);
  expect(await podsAreTold('onprem')).toBe('ENOTFOUND');
  expect(checkZone(ORIGIN, zoneOf('onprem'))).toMatchObject({ ok: true });
  expect(await podsAreTold('gce-europe-west1')).toEqual([LOCAL]);
});

test('CoreDNS opt-in: patched when turned on, restored byte for byte when turned off and when the Cluster leaves', async () => {
  const europe = fleet.cluster('gce-europe-west1');
  const corefile = (): string => europe.configMap('kube-system', 'coredns')?.data?.['Corefile'] ?? '';
  const mounts = (): unknown =>
    (europe.configs.deployments.get('kube-system/coredns')?.spec as { template: { spec: { volumes: { name: string }[] } } }).template.spec.volumes.map(
      (v) => v.name,
    );
  const path = '/apis/federation/v1beta1/clusters/gce-europe-west1';
  expect((await patch(path, { spec: { dns: { manageCoreDNS: 'yes' } } })).status).toBe(400);
  expect((await patch(path, { spec: { dns: { manageCoreDNS: true } } })).status).toBe(200);
  await waitFor("Corefile imports skyfed's block", async () => corefile().includes('import /etc/coredns/skyfed/Corefil[e]'));
  expect(corefile().startsWith(KUBEADM_COREFILE)).toBe(true);
  await waitFor('zone mounted', async () => JSON.stringify(mounts()) === '["config-volume","skyfed-dns"]');

  expect((await patch(path, { spec: { dns: { manageCoreDNS: false } } })).status).toBe(200);
  await waitFor('Corefile restored', async () => corefile() === KUBEADM_COREFILE);
  await waitFor('mount removed', async () => JSON.stringify(mounts()) === '["config-volume"]');

  expect((await patch(path, { spec: { dns: { manageCoreDNS: true } } })).status).toBe(200);
  await waitFor('patched again', async () => corefile().includes('skyfed-dns begin'));
  expect((await call(cp.apiUrl, 'DELETE', path, T)).status).toBe(200);
  await waitFor(
    'left: Corefile restored, zone ConfigMap deleted',
    async () => corefile() === KUBEADM_COREFILE && europe.configMap('kube-system', 'skyfed-dns') === undefined,
  );
  expect(mounts()).toEqual(['config-volume']);
});

test('an opt-out whose Cluster event was missed is undone by the periodic full pass', async () => {
  const central = fleet.cluster('gce-us-central1');
  const corefile = (): string => central.configMap('kube-system', 'coredns')?.data?.['Corefile'] ?? '';
  const path = '/apis/federation/v1beta1/clusters/gce-us-central1';
  expect((await patch(path, { spec: { dns: { manageCoreDNS: true } } })).status).toBe(200);
  await waitFor('patched', async () => corefile().includes('skyfed-dns begin'));
  await waitFor('mounted', async () => JSON.stringify(central.configs.deployments.get('kube-system/coredns')).includes('"skyfed-dns"'));
  const patchedConfigMap = structuredClone(central.configs.configMaps.get('kube-system/coredns'));
  const patchedDeployment = structuredClone(central.configs.deployments.get('kube-system/coredns'));
  expect((await patch(path, { spec: { dns: { manageCoreDNS: false } } })).status).toBe(200);
  await waitFor('restored by the event', async () => corefile() === KUBEADM_COREFILE);
  await cp.settle();
  // The member is left as it was before the opt-out, as if that Cluster event had never arrived.
  central.configs.configMaps.set('kube-system/coredns', patchedConfigMap as NonNullable<typeof patchedConfigMap>);
  central.configs.deployments.set('kube-system/coredns', patchedDeployment as NonNullable<typeof patchedDeployment>);
  expect(corefile()).not.toBe(KUBEADM_COREFILE);

  expect((await call(cp.functionUrl('reconcile').replace(/\/$/, ''), 'POST', '/', { body: {} })).status).toBe(200);
  expect(corefile()).toBe(KUBEADM_COREFILE);
  expect(JSON.stringify(central.configs.deployments.get('kube-system/coredns'))).not.toContain('"skyfed-dns"');
  // The next pass finds nothing left to undo and writes nothing.
  const writes = memberWrites();
  expect((await call(cp.functionUrl('reconcile').replace(/\/$/, ''), 'POST', '/', { body: {} })).status).toBe(200);
  expect(memberWrites()).toBe(writes);
});

test('a Cluster with another cluster domain gets its zone there', async () => {
  expect((await patch('/apis/federation/v1beta1/clusters/gce-us-central1', { spec: { clusterDomain: 'corp.internal' } })).status).toBe(200);
  expect((await patch('/apis/federation/v1beta1/clusters/onprem', { spec: { clusterDomain: 'Not A Domain' } })).status).toBe(422);
  await waitFor('new origin', async () => zoneOf('gce-us-central1').includes('$ORIGIN myfederation.svc.corp.internal.'));
  await sweeps(1);
  expect(zoneOf('gce-us-central1')).toContain('nginx.mynamespace IN CNAME nginx.mynamespace.svc.corp.internal.');
  expect(checkZone('myfederation.svc.corp.internal.', zoneOf('gce-us-central1'))).toMatchObject({ ok: true });
});
