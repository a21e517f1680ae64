/**
 * The whole sweep over the in-memory adapters (same rules as Firestore's): what it reads and writes
 * in steady state, what a health change does to DNS and to the Service's view, dry runs, and
 * Services that leave. Members are the in-memory member doubles; the zone enforces record-set rules.
 */
import { silentLogger } from '../../../shared/log';
import { Cluster } from '../../../shared/model/cluster';
import { onServiceChanged, reconcileEverything } from '../../../shared/propagation/controller';
import { addressGuard } from '../../../shared/net/address-guard';
import { ShardedLedgerStore } from '../../../shared/store/dns-ledger';
import { ServiceCatalog } from '../../../shared/store/service-catalog';
import { MemoryShardedMap } from '../../../shared/store/sharded-map';
import { MemoryHealthStore } from '../../../shared/store/sweep-health';
import { MemorySweepStateStore } from '../../../shared/store/sweep-state';
import { Prober } from '../../../shared/sweep/probe';
import { SweepDeps, sweep } from '../../../shared/sweep/sweep';
import { MemoryZone } from '../../fakes/memory-zone';
import { Federation, federation } from '../propagation/federation';

interface World {
  fed: Federation;
  deps: SweepDeps;
  zone: MemoryZone;
  health: MemoryHealthStore;
  views: MemorySweepStateStore;
  digests: MemoryShardedMap;
  ledger: MemoryShardedMap;
  catalogMap: MemoryShardedMap;
  down: Set<string>;
}

const CLUSTERS = ['a', 'b', 'c'];
const ipOf = (cluster: string, service: string): string => `203.0.113.${CLUSTERS.indexOf(cluster) * 60 + Number(service.replace(/\D/g, '') || 0) + 1}`;

async function world(services: number): Promise<World> {
  const fed = await federation(CLUSTERS, { latencyMs: 0 });
  for (const [i, name] of CLUSTERS.entries()) {
    await fed.store.transact<Cluster>('clusters', { name }, (cur) => ({
      write: { object: { ...cur!.object, spec: { ...cur!.object.spec, region: `r${i}`, zones: [`r${i}-a`] } } },
    }));
  }
  const catalogMap = new MemoryShardedMap(16);
  const catalog = new ServiceCatalog(catalogMap);
  for (let i = 0; i < services; i++) {
    await fed.addService(`s${i}`);
    await onServiceChanged({ ...fed.instance(), catalog }, 'web', `s${i}`);
  }
  // The clouds give each member Service a load-balancer address.
  for (const [cluster, m] of fed.members)
    for (const s of m.services.values()) s.status = { loadBalancer: { ingress: [{ ip: ipOf(cluster, s.metadata.name ?? '') }] } };
  const down = new Set<string>();
  const probe: Prober = async (t) =>
    down.has(t.address) ? { ok: false, reason: 'no TCP answer within 100 ms', ms: 100, timedOut: true } : { ok: true, reason: 'TCP connect ok', ms: 1 };
  const zone = new MemoryZone('example.com.');
  const health = new MemoryHealthStore();
  const views = new MemorySweepStateStore();
  const digests = new MemoryShardedMap(8);
  const ledger = new MemoryShardedMap(8);
  const deps: SweepDeps = {
    store: fed.store,
    catalog,
    health,
    presentation: views,
    digests,
    clientFor: fed.instance().clientFor,
    dns: zone,
    ledger: new ShardedLedgerStore(ledger),
    probe,
    guard: addressGuard(),
    memberIndex: fed.shards,
    resolveHost: async () => [],
    log: silentLogger,
    now: () => new Date('2026-12-01T12:00:00Z'),
    config: {
      federation: 'fed',
      suffix: 'example.com',
      ttl: 30,
      probeTimeoutMs: 100,
      concurrency: 50,
      thresholds: { failureThreshold: 1, successThreshold: 1 },
      maxDeletes: 100,
      activeProbes: true,
    },
  };
  return { fed, deps, zone, health, views, digests, ledger, catalogMap, down };
}

const writesOf = (w: World): number => w.health.writes + w.views.writes + w.digests.documentWrites + w.ledger.documentWrites + w.zone.calls.writes;
const globalA = (w: World, svc: string): string[] => w.zone.sets.find((r) => r.name === `${svc}.web.fed.svc.example.com.` && r.type === 'A')?.rrdatas ?? [];

describe('sweep over in-memory stores', () => {
  test('a steady sweep reads the same number of documents for 5 or 40 Services, and writes nothing', async () => {
    const reads: number[] = [];
    for (const n of [5, 40]) {
      const w = await world(n);
      const cold = await sweep(w.deps);
      expect(cold.dnsRecordChanges).toBeGreaterThan(0);
      expect(globalA(w, 's1').sort()).toEqual(CLUSTERS.map((c) => ipOf(c, 's1')).sort());
      const before = writesOf(w);
      const steady = await sweep(w.deps);
      expect(steady.healthy).toBe(n * CLUSTERS.length);
      expect(steady.dnsRecordChanges).toBe(0);
      expect(steady.stateWrites).toBe(0);
      expect(writesOf(w)).toBe(before);
      reads.push(steady.stateReads);
    }
    // clusters + member index + health (one each per cluster) + catalog, ledger and digest shards at most,
    // whatever the number of Services (the per-Service layout read 2 documents per Service)
    for (const r of reads) expect(r).toBeLessThanOrEqual(3 * CLUSTERS.length + 16 + 8 + 8);
    expect(reads[1]).toBeLessThan(40);
  });

  test('a steady sweep with a shard that keeps timing out writes nothing either (probe order changes, records do not)', async () => {
    const w = await world(4);
    w.down.add(ipOf('b', 's2'));
    await sweep(w.deps);
    const before = writesOf(w);
    const r = await sweep(w.deps); // the timed-out shard is now probed first
    expect(r.healthy).toBe(4 * CLUSTERS.length - 1);
    expect(r.stateWrites).toBe(0);
    expect(writesOf(w)).toBe(before);
  });

  test('a shard that stops answering leaves DNS, and its Service shows why, with a reason from the fixed list', async () => {
    const w = await world(3);
    await sweep(w.deps);
    w.down.add(ipOf('b', 's1'));
    const r = await sweep(w.deps);
    expect(r.transitions).toBe(1);
    expect(globalA(w, 's1').sort()).toEqual([ipOf('a', 's1'), ipOf('c', 's1')].sort());
    expect(globalA(w, 's2')).toHaveLength(3);
    const view = await w.views.get('web', 's1');
    expect(view?.health['b']).toMatchObject({ healthy: false, code: 'ProbeTimedOut' });
    expect(view?.history.map((h) => h.kind)).toEqual(expect.arrayContaining(['health', 'dns']));
    expect(view?.published.find((s) => s.type === 'A' && s.name.startsWith('s1.web.fed.svc.example'))?.rrdatas).toHaveLength(2);
    // Only the Service that changed got a new view; the other views were not rewritten.
    const untouched = w.views.writes;
    w.down.delete(ipOf('b', 's1'));
    await sweep(w.deps);
    expect(w.views.writes).toBe(untouched + 1);
    expect(globalA(w, 's1')).toHaveLength(3);
  });

  test('a dry run lists the changes and writes nothing anywhere', async () => {
    const w = await world(2);
    const recorded: string[] = [];
    const events = {
      record: (o: { reason: string }) => {
        recorded.push(o.reason);
      },
      flush: async () => undefined,
    };
    const dry = await sweep({ ...w.deps, events, config: { ...w.deps.config, dryRun: true } });
    expect(recorded).toEqual([]); // no Events either
    expect(dry.plan.filter((l) => l.startsWith('CREATE'))).toEqual(
      expect.arrayContaining([expect.stringMatching(/^CREATE s0\.web\.fed\.svc\.example\.com\. A 30 /)]),
    );
    expect(writesOf(w)).toBe(0);
    expect(w.zone.sets).toEqual([]);
    const real = await sweep({ ...w.deps, events });
    expect(real.plan).toEqual(dry.plan);
    expect(recorded).toEqual(expect.arrayContaining(['ShardHealthy', 'DNSPublished']));
    expect(w.zone.sets.length).toBeGreaterThan(0);
  });

  test('a Service that leaves the catalog loses its records and its view', async () => {
    const w = await world(2);
    await sweep(w.deps);
    expect(globalA(w, 's0')).toHaveLength(3);
    await w.fed.store.transact('services', { namespace: 'web', name: 's0' }, () => ({ delete: true }));
    await w.deps.catalog.sync(w.fed.store, 'web', 's0');
    await sweep(w.deps);
    expect(globalA(w, 's0')).toEqual([]);
    expect(w.zone.sets.some((r) => r.name.startsWith('s0.'))).toBe(false);
    expect(await w.views.get('web', 's0')).toBeUndefined();
    expect(globalA(w, 's1')).toHaveLength(3);
  });

  test('a cluster whose API stops answering keeps its shards judged at their last addresses', async () => {
    const w = await world(2);
    await sweep(w.deps);
    (w.fed.members.get('c') as { hanging: boolean }).hanging = true;
    const r = await sweep(w.deps);
    expect(r.healthy).toBe(6);
    expect(globalA(w, 's0')).toHaveLength(3);
    expect((await w.views.get('web', 's0'))?.health['c']?.reason).toMatch(/cluster API unreachable; data plane answering/);
  });
});

test('probes at the last known addresses start before any cluster has answered', async () => {
  const w = await world(2);
  await sweep(w.deps);
  // The members answer only once a probe has been sent: a sweep that waited for them would never end.
  let release: () => void = () => undefined;
  const gate = new Promise<void>((r) => {
    release = r;
  });
  const clientFor = w.deps.clientFor;
  const r = await sweep({
    ...w.deps,
    clientFor: async (c) => {
      await gate;
      return clientFor(c);
    },
    probe: async (t, ms) => {
      release();
      return w.deps.probe(t, ms);
    },
  });
  expect(r.healthy).toBe(6);
  expect(r.probes).toBe(6); // each probe started early served its shard; none was sent twice
});

describe('service catalog', () => {
  test('an older event applied after a newer one is corrected by its own re-read', async () => {
    const w = await world(1);
    const catalog = w.deps.catalog;
    await w.fed.store.transact('services', { namespace: 'web', name: 's0' }, (cur) => ({
      write: { object: { ...cur!.object, metadata: { ...cur!.object.metadata, annotations: { 'skyfed.io/dns-all-down-policy': 'remove' } } } },
    }));
    // A stale writer puts what it read before the change; sync re-reads and converges.
    await w.catalogMap.put(
      'web/s0',
      JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's0', namespace: 'web' }, spec: { type: 'LoadBalancer', ports: [] } }),
    );
    await catalog.sync(w.fed.store, 'web', 's0');
    const [entry] = (await catalog.readAll()).services;
    expect(entry?.metadata.annotations).toEqual({ 'skyfed.io/dns-all-down-policy': 'remove' });
    expect(entry?.spec.ports).toEqual([{ port: 80, protocol: 'TCP' }]);
  });

  test('resync repairs missing and extra entries and leaves correct ones alone', async () => {
    const w = await world(3);
    await w.catalogMap.put('web/s1', undefined);
    await w.catalogMap.put('web/ghost', '{"metadata":{"name":"ghost","namespace":"web"},"spec":{}}');
    const all = (await w.fed.store.list('services')).map((r) => r.object);
    expect(await w.deps.catalog.resync(w.fed.store, all)).toBe(2);
    expect((await w.deps.catalog.readAll()).services.map((s) => s.metadata.name)).toEqual(['s0', 's1', 's2']);
    expect(await w.deps.catalog.resync(w.fed.store, all)).toBe(0);
  });

  test('the periodic full reconcile repairs the catalog from its own listing', async () => {
    const w = await world(2);
    await w.catalogMap.put('web/s1', undefined);
    await reconcileEverything({ ...w.fed.instance(), catalog: w.deps.catalog });
    expect((await w.deps.catalog.readAll()).services.map((s) => s.metadata.name)).toEqual(['s0', 's1']);
  });
});
