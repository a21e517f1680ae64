/**
 * Attacker's side of DNS ownership, against both provider doubles through the real SDKs: record sets
 * someone else made — at skyfed's own names, created between skyfed's read and its write, or
 * hundreds of them across many pages — are never modified or deleted, through failover, Service
 * deletion and every sweep in between. Only sets skyfed created are ever changed.
 */
import { sweepDeps } from '../../../functions/sweep';
import { CloudDnsProvider } from '../../../shared/dns/providers/clouddns';
import { DnsProvider } from '../../../shared/dns/providers/port';
import { Route53Provider } from '../../../shared/dns/providers/route53';
import { RecordSet } from '../../../shared/dns/types';
import { sweep } from '../../../shared/sweep/sweep';
import { ADMIN_TOKEN } from '../../harness/api-server';
import { ControlPlane, startControlPlane, waitFor } from '../../harness/control-plane';
import { call } from '../../harness/http';
import { registerCluster } from '../../harness/federation';
import { FakeKubeFleet } from '../../../local/sim';
import { FakeCloudDns } from '../../fakes/gdns';
import { FakeRoute53 } from '../../fakes/r53';

const T = { token: ADMIN_TOKEN };
const SEED = [
  { name: 'gce-us-central1', region: 'us-central1', zones: ['us-central1-a'] },
  { name: 'gce-us-east1', region: 'us-east1', zones: ['us-east1-b'] },
];
const name = (svc: string, middle = ''): string => `${svc}.mynamespace.myfederation.svc.${middle ? `${middle}.` : ''}example.com.`;

interface Double {
  provider: DnsProvider;
  records(): RecordSet[];
  seed(r: RecordSet[]): void;
  close(): Promise<void>;
}

async function cloudDns(): Promise<Double> {
  const fake = await FakeCloudDns.start({ pageSize: 100 });
  fake.addZone('skyfed', 'example.com.');
  return {
    provider: new CloudDnsProvider(fake.client(), 'skyfed', 'example.com.'),
    records: () => fake.records('skyfed'),
    seed: (r) => fake.seed('skyfed', r),
    close: () => fake.stop(),
  };
}
async function route53(): Promise<Double> {
  const fake = await FakeRoute53.start({ pageSize: 100 });
  fake.addZone('Z9');
  return {
    provider: new Route53Provider(fake.client(), 'Z9', 'example.com.', { attempts: 4, baseMs: 5, maxMs: 20 }),
    records: () => fake.records('Z9'),
    seed: (r) => fake.seed('Z9', r),
    close: () => fake.stop(),
  };
}

const key = (r: RecordSet): string => `${r.name} ${r.type}`;
const text = (r: RecordSet): string => `${key(r)} ${r.ttl} ${[...r.rrdatas].sort().join(',')}`;

describe.each([
  ['Cloud DNS', cloudDns],
  ['Route 53', route53],
] as const)('%s', (_label, make) => {
  let fleet: FakeKubeFleet;
  let cp: ControlPlane;
  let dbl: Double;
  const foreign = new Map<string, string>();
  const untouched = (): void => {
    const now = new Map(dbl.records().map((r) => [key(r), text(r)]));
    for (const [k, t] of foreign) expect(now.get(k)).toBe(t);
  };
  const addForeign = (sets: RecordSet[]): void => {
    dbl.seed(sets);
    for (const r of sets) foreign.set(key(r), text(r));
  };

  beforeAll(async () => {
    fleet = await FakeKubeFleet.start(SEED.map((s) => ({ ...s, lbDelayMs: 10 })));
    cp = await startControlPlane({ SKYFED_PROBE_TIMEOUT_MS: '500' });
    for (const c of fleet.clusters) await registerCluster(cp.apiUrl, c);
    dbl = await make();
    // 1,500 foreign sets over many pages, and foreign sets at names skyfed will want.
    addForeign(
      Array.from({ length: 1500 }, (_, i) => ({ name: `host-${i}.other-team.example.com.`, type: 'A' as const, ttl: 300, rrdatas: [`198.51.100.${i % 250}`] })),
    );
    addForeign([
      { name: name('nginx', 'us-east1'), type: 'A', ttl: 60, rrdatas: ['198.51.100.77'] },
      { name: name('nginx', 'us-central1-a.us-central1'), type: 'TXT', ttl: 60, rrdatas: ['"owned by the web team"'] },
    ]);
    await call(cp.apiUrl, 'POST', '/api/v1/namespaces/mynamespace/services', {
      ...T,
      body: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'nginx' }, spec: { type: 'LoadBalancer', ports: [{ port: 80 }] } },
    });
    await waitFor('ingress everywhere', async () =>
      SEED.every((s) => !!fleet.cluster(s.name).getService('mynamespace', 'nginx')?.status?.loadBalancer?.ingress?.[0]?.ip),
    );
    await waitFor('zones known', async () =>
      ((await call(cp.apiUrl, 'GET', '/apis/federation/v1beta1/clusters', T)).body['items'] as { status?: { zones?: string[] } }[]).every(
        (c) => (c.status?.zones ?? []).length > 0,
      ),
    );
    await cp.settle(); // the Service's own event keeps the sweep's catalog
  }, 120_000);
  afterAll(async () => {
    await dbl?.close();
    await cp?.close();
    await fleet?.stop();
  });

  test("foreign sets at skyfed's names stay foreign through many sweeps and a failover, and are reported", async () => {
    const deps = sweepDeps(cp.runtime, dbl.provider);
    for (let i = 0; i < 3; i++) {
      await sweep(deps);
      untouched();
    }
    const mine = dbl.records().filter((r) => r.name === name('nginx') && r.type === 'A');
    expect(mine).toHaveLength(1); // skyfed published what it could: the global name
    await fleet.cluster('gce-us-east1').setLoadBalancerAnswering('mynamespace', 'nginx', false);
    for (let i = 0; i < 3; i++) {
      await sweep(deps);
      untouched();
    }
    await fleet.cluster('gce-us-east1').setLoadBalancerAnswering('mynamespace', 'nginx', true);
    for (let i = 0; i < 3; i++) await sweep(deps);
    untouched();
    const svc = await call(cp.apiUrl, 'GET', '/api/v1/namespaces/mynamespace/services/nginx', T);
    expect(JSON.stringify(svc.body)).toContain(`${name('nginx', 'us-east1')} A is in the zone and not skyfed's`);
  });

  test("a set someone creates between skyfed's read and its write never becomes skyfed's", async () => {
    const racer: RecordSet = { name: name('web', 'us-east1'), type: 'A', ttl: 45, rrdatas: ['198.51.100.200'] };
    let raced = false;
    const racing: DnsProvider = {
      kind: dbl.provider.kind,
      zone: dbl.provider.zone,
      records: () => dbl.provider.records(),
      apply: async (changes) => {
        if (!raced && changes.create.some((r) => r.name === racer.name)) {
          raced = true;
          addForeign([racer]);
        }
        return dbl.provider.apply(changes);
      },
    };
    await call(cp.apiUrl, 'POST', '/api/v1/namespaces/mynamespace/services', {
      ...T,
      body: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { type: 'LoadBalancer', ports: [{ port: 80 }] } },
    });
    await waitFor('web ingress everywhere', async () =>
      SEED.every((s) => !!fleet.cluster(s.name).getService('mynamespace', 'web')?.status?.loadBalancer?.ingress?.[0]?.ip),
    );
    const deps = sweepDeps(cp.runtime, racing);
    for (let i = 0; i < 4; i++) {
      await sweep(deps);
      untouched();
    }
    expect(raced).toBe(true);
    expect(dbl.records().some((r) => r.name === name('web') && r.type === 'A')).toBe(true);
  });

  test("deleting the Services removes only skyfed's sets; every foreign set survives", async () => {
    for (const s of ['nginx', 'web']) await call(cp.apiUrl, 'DELETE', `/api/v1/namespaces/mynamespace/services/${s}`, T);
    await waitFor(
      'services gone',
      async () =>
        (await call(cp.apiUrl, 'GET', '/api/v1/namespaces/mynamespace/services', T)).body['items'] !== undefined &&
        ((await call(cp.apiUrl, 'GET', '/api/v1/namespaces/mynamespace/services', T)).body['items'] as unknown[]).length === 0,
    );
    const deps = sweepDeps(cp.runtime, dbl.provider);
    for (let i = 0; i < 2; i++) await sweep(deps);
    untouched();
    const left = dbl.records().filter((r) => !foreign.has(key(r)) && r.type !== 'SOA' && r.type !== 'NS');
    expect(left).toEqual([]);
  });
});
