/**
 * The health-sweep scenario against the Cloud DNS and Route 53 doubles, through the real SDKs and
 * skyfed's adapters: exact record sets, no write call in a steady sweep, failover to CNAMEs,
 * throttling and transient errors survived without a half-applied batch, and a zone that changed
 * under a plan is re-read and re-planned.
 */
import { sweepDeps } from '../../../functions/sweep';
import { CloudDnsProvider } from '../../../shared/dns/providers/clouddns';
import { DnsConflictError, DnsProvider } from '../../../shared/dns/providers/port';
import { SkyfedError } from '../../../shared/errors';
import { Route53Provider } from '../../../shared/dns/providers/route53';
import { planChanges } from '../../../shared/dns/plan';
import { RecordSet } from '../../../shared/dns/types';
import { sweep } from '../../../shared/sweep/sweep';
import { ADMIN_TOKEN } from '../../harness/api-server';
import { ControlPlane, startControlPlane, waitFor } from '../../harness/control-plane';
import { call } from '../../harness/http';
import { FakeKubeFleet } from '../../../local/sim';
import { FakeCloudDns } from '../../fakes/gdns';
import { FakeRoute53 } from '../../fakes/r53';
import { registerCluster } from '../../harness/federation';

const SEED = [
  { name: 'gce-asia-east1', region: 'asia-east1', zones: ['asia-east1-a'] },
  { name: 'gce-europe-west1', region: 'europe-west1', zones: ['europe-west1-b'] },
  { name: 'gce-us-central1', region: 'us-central1', zones: ['us-central1-a', 'us-central1-f'] },
  { name: 'gce-us-east1', region: 'us-east1', zones: ['us-east1-b'] },
];
const T = { token: ADMIN_TOKEN };
const base = 'nginx.mynamespace.myfederation.svc';
const n = (middle: string): string => `${base}.${middle ? `${middle}.` : ''}example.com.`;

interface Double {
  provider: DnsProvider;
  records(): RecordSet[];
  changes(): number;
  close(): Promise<void>;
  throttle?(): void;
  transient?(): void;
  refused(): number;
}

async function cloudDns(): Promise<Double> {
  const fake = await FakeCloudDns.start({ pageSize: 7 });
  fake.addZone('skyfed', 'example.com.');
  return {
    provider: new CloudDnsProvider(fake.client(), 'skyfed', 'example.com.'),
    records: () => fake.records('skyfed'),
    changes: () => fake.calls.changes,
    close: () => fake.stop(),
    transient: () => fake.failNext(1, 503),
    refused: () => fake.calls.failed,
  };
}
async function route53(): Promise<Double> {
  const fake = await FakeRoute53.start({ pageSize: 7 });
  fake.addZone('Z123');
  return {
    provider: new Route53Provider(fake.client(), 'Z123', 'example.com.', { attempts: 6, baseMs: 5, maxMs: 50 }),
    records: () => fake.records('Z123'),
    changes: () => fake.applied.length,
    close: () => fake.stop(),
    refused: () => fake.calls.throttled,
    throttle: () => {
      fake.throttleNext(2);
      fake.priorRequestNotCompleteNext(1);
    },
  };
}

const view = (recs: RecordSet[]): string[] => recs.map((r) => `${r.name} ${r.type} ${[...r.rrdatas].sort().join(',')}`).sort();

describe.each([
  ['Cloud DNS', cloudDns],
  ['Route 53', route53],
] as const)('%s', (_label, make) => {
  let fleet: FakeKubeFleet;
  let cp: ControlPlane;
  let dbl: Double;
  const ip = (c: string): string => fleet.cluster(c).getService('mynamespace', 'nginx')?.status?.loadBalancer?.ingress?.[0]?.ip ?? '';

  beforeAll(async () => {
    fleet = await FakeKubeFleet.start(SEED.map((s) => ({ ...s, lbDelayMs: 10 })));
    cp = await startControlPlane({ SKYFED_PROBE_TIMEOUT_MS: '500' });
    for (const c of fleet.clusters) await registerCluster(cp.apiUrl, c);
    await call(cp.apiUrl, 'POST', '/api/v1/namespaces/mynamespace/services', {
      ...T,
      body: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'nginx' }, spec: { type: 'LoadBalancer', ports: [{ port: 80 }] } },
    });
    await waitFor('ingress everywhere', async () => SEED.every((s) => ip(s.name) !== ''));
    await waitFor('zones known', async () =>
      ((await call(cp.apiUrl, 'GET', '/apis/federation/v1beta1/clusters', T)).body['items'] as { status?: { zones?: string[] } }[]).every(
        (c) => (c.status?.zones ?? []).length > 0,
      ),
    );
    await cp.settle(); // the Service's own event keeps the sweep's catalog
    dbl = await make();
  }, 90_000);
  afterAll(async () => {
    await dbl?.close();
    await cp?.close();
    await fleet?.stop();
  });

  const healthy = (): string[] =>
    [
      `${n('')} A ${SEED.map((s) => ip(s.name))
        .sort()
        .join(',')}`,
      ...SEED.map((s) => `${n(s.region)} A ${ip(s.name)}`),
      ...SEED.flatMap((s) => s.zones.map((z) => `${n(`${z}.${s.region}`)} A ${ip(s.name)}`)),
    ].sort();

  test('a sweep publishes exactly the expected record sets, and a steady sweep makes no write call', async () => {
    const deps = sweepDeps(cp.runtime, dbl.provider);
    await sweep(deps);
    expect(view(dbl.records())).toEqual(healthy());
    const before = dbl.changes();
    const r = await sweep(deps);
    expect(r.dnsApplyCalls).toBe(0);
    expect(dbl.changes()).toBe(before);
  });

  test('a dead shard: global drops it, its region and zones become CNAMEs up the chain; recovery survives provider errors', async () => {
    const deps = sweepDeps(cp.runtime, dbl.provider);
    const dead = ip('gce-us-central1');
    await fleet.cluster('gce-us-central1').setLoadBalancerAnswering('mynamespace', 'nginx', false);
    await sweep(deps);
    await sweep(deps);
    const others = SEED.filter((s) => s.name !== 'gce-us-central1');
    expect(view(dbl.records())).toEqual(
      [
        `${n('')} A ${others
          .map((s) => ip(s.name))
          .sort()
          .join(',')}`,
        ...others.map((s) => `${n(s.region)} A ${ip(s.name)}`),
        ...others.flatMap((s) => s.zones.map((z) => `${n(`${z}.${s.region}`)} A ${ip(s.name)}`)),
        `${n('us-central1')} CNAME ${n('')}`,
        `${n('us-central1-a.us-central1')} CNAME ${n('us-central1')}`,
        `${n('us-central1-f.us-central1')} CNAME ${n('us-central1')}`,
      ].sort(),
    );
    expect(dead).not.toBe('');

    dbl.throttle?.();
    dbl.transient?.();
    const refusedBefore = dbl.refused();
    await fleet.cluster('gce-us-central1').setLoadBalancerAnswering('mynamespace', 'nginx', true);
    await sweep(deps);
    await sweep(deps);
    expect(view(dbl.records())).toEqual(healthy());
    expect(dbl.refused()).toBeGreaterThan(refusedBefore); // the injected errors were really hit, and retried
  });

  test('a zone changed under a plan is a conflict; the next sweep re-reads and converges', async () => {
    const current = await dbl.provider.records();
    const global = current.find((r) => r.name === n('') && r.type === 'A') as RecordSet;
    const desired = current.map((r) => (r === global ? { ...r, rrdatas: r.rrdatas.slice(1) } : r));
    const plan = planChanges({ current, desired, owned: current.map((r) => `${r.name} ${r.type}`) });
    // Someone else edits the set after we read it: our exact-match deletion no longer matches.
    await dbl.provider.apply({ create: [], updateOld: [global], updateNew: [{ ...global, ttl: 300 }], delete: [] });
    const refusal: unknown = await dbl.provider.apply(plan).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(DnsConflictError);
    expect(refusal).toBeInstanceOf(SkyfedError);
    expect((refusal as DnsConflictError).reason).toBe('DnsConflict');
    expect((refusal as Error).cause).toBeDefined(); // the provider's own error, kept
    await sweep(sweepDeps(cp.runtime, dbl.provider));
    expect(view(dbl.records())).toEqual(healthy());
    expect(dbl.records().find((r) => r.name === n('') && r.type === 'A')?.ttl).toBe(30);
  });
});
