/**
 * Health sweep end to end on the real emulator with simulated clusters and the local DNS provider:
 * every answer is read back with Node's DNS resolver from the embedded authoritative server.
 */
import { Resolver } from 'node:dns/promises';
import { sweepDeps } from '../../../functions/sweep';
import { LocalDns, startLocalDns } from '../../../local/dns';
import { LocalDnsProvider } from '../../../shared/dns/providers/local';
import { SweepDeps, SweepReport, sweep } from '../../../shared/sweep/sweep';
import { ADMIN_TOKEN } from '../../harness/api-server';
import { ControlPlane, startControlPlane, waitFor } from '../../harness/control-plane';
import { call } from '../../harness/http';
import { FakeKubeFleet } from '../../../local/sim';
import { registerCluster } from '../../harness/federation';

const SEED = [
  { name: 'gce-asia-east1', region: 'asia-east1', zones: ['asia-east1-a'] },
  { name: 'gce-europe-west1', region: 'europe-west1', zones: ['europe-west1-b'] },
  { name: 'gce-us-central1', region: 'us-central1', zones: ['us-central1-a', 'us-central1-f'] },
  { name: 'gce-us-east1', region: 'us-east1', zones: ['us-east1-b'] },
];
const GLOBAL = 'nginx.mynamespace.myfederation.svc.example.com';
const REGIONAL = 'nginx.mynamespace.myfederation.svc.us-central1.example.com';
const ZONAL = 'nginx.mynamespace.myfederation.svc.us-central1-f.us-central1.example.com';
const T = { token: ADMIN_TOKEN };

let cp: ControlPlane;
let fleet: FakeKubeFleet;
let dns: LocalDns;
let deps: SweepDeps;
let provider: LocalDnsProvider;
const resolver = new Resolver({ timeout: 1000, tries: 1 });

async function a(name: string): Promise<string[] | string> {
  try {
    return (await resolver.resolve4(name)).sort();
  } catch (e) {
    return (e as { code: string }).code;
  }
}
const CONTROL = { name: 'control.example.com.', type: 'A' as const, ttl: 300, rrdatas: ['198.51.100.8'] };
/** NXDOMAIN from our server: the name is absent AND a control name in the same zone answers (so ENOTFOUND is not a resolver that reaches nothing). */
async function nx(name: string): Promise<boolean> {
  return (await a(name)) === 'ENOTFOUND' && JSON.stringify(await a('control.example.com')) === JSON.stringify(['198.51.100.8']);
}
async function cname(name: string): Promise<string[] | string> {
  try {
    return await resolver.resolveCname(name);
  } catch (e) {
    return (e as { code: string }).code;
  }
}
const ip = (cluster: string): string => fleet.cluster(cluster).getService('mynamespace', 'nginx')?.status?.loadBalancer?.ingress?.[0]?.ip ?? '';
const sweeps = async (n: number): Promise<SweepReport> => {
  let r: SweepReport | undefined;
  for (let i = 0; i < n; i++) r = await sweep(deps);
  return r as SweepReport;
};

beforeAll(async () => {
  fleet = await FakeKubeFleet.start(SEED.map((s) => ({ ...s, lbDelayMs: 10 })));
  cp = await startControlPlane({ SKYFED_PROBE_TIMEOUT_MS: '500', SKYFED_FAILURE_THRESHOLD: '2', SKYFED_SUCCESS_THRESHOLD: '2' });
  for (const c of fleet.clusters) await registerCluster(cp.apiUrl, c);
  await call(cp.apiUrl, 'POST', '/api/v1/namespaces/mynamespace/services', {
    ...T,
    body: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'nginx' }, spec: { type: 'LoadBalancer', selector: { app: 'nginx' }, ports: [{ port: 80 }] } },
  });
  await waitFor('LB ingress in every cluster', async () => SEED.every((s) => ip(s.name) !== ''));
  await waitFor('cluster zones known', async () => {
    const list = await call(cp.apiUrl, 'GET', '/apis/federation/v1beta1/clusters', T);
    return (list.body['items'] as { status?: { zones?: string[] } }[]).every((c) => (c.status?.zones ?? []).length > 0);
  });
  // Every event delivered (the Service's own event keeps the sweep's catalog).
  await cp.settle();
  provider = new LocalDnsProvider(cp.db, 'example.com.');
  deps = sweepDeps(cp.runtime, provider);
  await provider.apply({ create: [CONTROL], updateOld: [], updateNew: [], delete: [] });
  dns = await startLocalDns(cp.db, 'example.com.', 0);
  resolver.setServers([`127.0.0.1:${dns.port}`]);
}, 90_000);
afterAll(async () => {
  await dns?.close();
  await cp?.close();
  await fleet?.stop();
});

const allIps = (): string[] => SEED.map((s) => ip(s.name)).sort();

test('a dry run of the healthSweep function lists the records it would create and writes none', async () => {
  const before = (await provider.records()).map((r) => `${r.name} ${r.type}`).sort();
  const dry = await call(cp.functionUrl('healthSweep').replace(/\/$/, ''), 'POST', '/?dryRun=true', { body: {} });
  expect(dry.status).toBe(200);
  const plan = (dry.body['rounds'] as { plan: string[] }[])[0]?.plan ?? [];
  expect(plan).toContain(`CREATE ${GLOBAL}. A 30 ${allIps().join(',')}`);
  expect((await provider.records()).map((r) => `${r.name} ${r.type}`).sort()).toEqual(before);
});

test('a sweep publishes every healthy shard at the global, regional and zonal names', async () => {
  const r = await sweeps(1);
  expect(r.shards).toBe(4);
  expect(r.healthy).toBe(4);
  await waitFor('answers served', async () => JSON.stringify(await a(GLOBAL)) === JSON.stringify(allIps()));
  expect(await a(REGIONAL)).toEqual([ip('gce-us-central1')]);
  expect(await a(ZONAL)).toEqual([ip('gce-us-central1')]);
  expect(await a('nginx.mynamespace.myfederation.svc.us-central1-a.us-central1.example.com')).toEqual([ip('gce-us-central1')]);
  expect(await a('nginx.mynamespace.myfederation.svc.asia-east1-a.asia-east1.example.com')).toEqual([ip('gce-asia-east1')]);
});

test('a steady sweep writes nothing to DNS or Firestore', async () => {
  const writesBefore = provider.calls.writes;
  const r = await sweeps(1);
  expect(r.dnsApplyCalls).toBe(0);
  expect(r.stateWrites).toBe(0);
  expect(provider.calls.writes).toBe(writesBefore);
});

test('a dead load balancer leaves after the failure threshold; its names fall back by CNAME; it comes back', async () => {
  const dead = ip('gce-us-central1');
  await fleet.cluster('gce-us-central1').setLoadBalancerAnswering('mynamespace', 'nginx', false);
  await sweeps(1);
  expect(await a(GLOBAL)).toContain(dead); // one failure is tolerated (threshold 2)
  await sweeps(1);
  await waitFor('global without the dead shard', async () => !(await a(GLOBAL)).includes(dead));
  expect(await a(GLOBAL)).toEqual(allIps().filter((x) => x !== dead));
  expect(await cname(ZONAL)).toEqual([REGIONAL]);
  expect(await cname(REGIONAL)).toEqual([GLOBAL]);
  const svc = await call(cp.apiUrl, 'GET', '/api/v1/namespaces/mynamespace/services/nginx', T);
  const fed = (
    svc.body['status'] as {
      federation: {
        shards: { cluster: string; healthy: boolean; health: string; healthReason: string }[];
        history: { message: string }[];
        dns: { lastChange: string };
      };
    }
  ).federation;
  const shard = fed.shards.find((s) => s.cluster === 'gce-us-central1');
  expect(shard?.healthy).toBe(false);
  expect(shard?.health).toMatch(/ECONNREFUSED|no TCP answer/);
  expect(['ProbeFailed', 'ProbeTimedOut']).toContain(shard?.healthReason);
  expect(fed.history.some((h) => h.message.startsWith('gce-us-central1: unhealthy'))).toBe(true);
  expect(fed.dns.lastChange).toBeDefined();

  await fleet.cluster('gce-us-central1').setLoadBalancerAnswering('mynamespace', 'nginx', true);
  await sweeps(2);
  await waitFor('recovered', async () => JSON.stringify(await a(GLOBAL)) === JSON.stringify(allIps()));
  expect(await a(ZONAL)).toEqual([dead]);
});

test('a shard with no ready endpoints leaves too', async () => {
  fleet.cluster('gce-asia-east1').setReadyEndpoints('mynamespace', 'nginx', 0);
  await sweeps(2);
  await waitFor('asia gone', async () => !(await a(GLOBAL)).includes(ip('gce-asia-east1')));
  fleet.cluster('gce-asia-east1').setReadyEndpoints('mynamespace', 'nginx', 2);
  await sweeps(2);
  await waitFor('asia back', async () => (await a(GLOBAL)).includes(ip('gce-asia-east1')));
});

async function setPolicy(policy: string): Promise<void> {
  const r = await call(cp.apiUrl, 'PATCH', '/api/v1/namespaces/mynamespace/services/nginx', {
    ...T,
    body: { metadata: { annotations: { 'skyfed.io/dns-all-down-policy': policy } } },
    contentType: 'application/merge-patch+json',
  });
  expect(r.status).toBe(200);
  // The sweep sees the new policy once the Service's event has updated its catalog (in production
  // that event also asks for the next sweep).
  await cp.settle();
}

test('all shards down: failStatic keeps the last answer, failOpen serves every shard, remove is NXDOMAIN', async () => {
  const before = await a(GLOBAL);
  for (const s of SEED) await fleet.cluster(s.name).setLoadBalancerAnswering('mynamespace', 'nginx', false);
  await sweeps(2);
  expect(await a(GLOBAL)).toEqual(before);
  await setPolicy('failOpen');
  await sweeps(1);
  expect(await a(GLOBAL)).toEqual(allIps());
  await setPolicy('remove');
  await sweeps(1);
  await waitFor('NXDOMAIN', async () => nx(GLOBAL));
  await setPolicy('failStatic');
  for (const s of SEED) await fleet.cluster(s.name).setLoadBalancerAnswering('mynamespace', 'nginx', true);
  await sweeps(2);
  await waitFor('all back', async () => JSON.stringify(await a(GLOBAL)) === JSON.stringify(allIps()));
});

test('records skyfed does not own are never touched', async () => {
  const foreign = { name: 'www.example.com.', type: 'A' as const, ttl: 300, rrdatas: ['198.51.100.7'] };
  await provider.apply({ create: [foreign], updateOld: [], updateNew: [], delete: [] });
  await sweeps(1);
  expect((await provider.records()).find((r) => r.name === 'www.example.com.')).toEqual(foreign);
});

test('removing a cluster removes its addresses', async () => {
  const gone = ip('gce-us-east1');
  expect((await call(cp.apiUrl, 'DELETE', '/apis/federation/v1beta1/clusters/gce-us-east1', T)).status).toBe(200);
  await sweeps(1);
  await waitFor('us-east1 gone', async () => !(await a(GLOBAL)).includes(gone));
  expect(await nx('nginx.mynamespace.myfederation.svc.us-east1.example.com')).toBe(true);
});

test('deleting the Service removes all its records', async () => {
  expect((await call(cp.apiUrl, 'DELETE', '/api/v1/namespaces/mynamespace/services/nginx', T)).status).toBe(200);
  await waitFor('federated Service gone', async () => (await call(cp.apiUrl, 'GET', '/api/v1/namespaces/mynamespace/services/nginx', T)).status === 404);
  await sweeps(1);
  await waitFor('NXDOMAIN everywhere', async () => (await nx(GLOBAL)) && nx(REGIONAL));
  expect((await provider.records()).map((r) => r.name).sort()).toEqual(['control.example.com.', 'www.example.com.']);
});
