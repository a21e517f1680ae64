/**
 * A new Service reaches each member in one call: planned as absent from its stored shard, the
 * create is the check. A member the shard does not know of (a lost status write, a Service made by
 * hand) is read when the create is refused, and planned from what is there — never overwritten.
 */
import { Cluster } from '../../../shared/model/cluster';
import { Service } from '../../../shared/model/service';
import { SKYFED } from '../../../shared/model/meta';
import { desiredMember } from '../../../shared/propagation/member';
import { absentByShard } from '../../../shared/propagation/observe';
import { onServiceChanged } from '../../../shared/propagation/controller';
import { PropagationState, ShardDoc } from '../../../shared/store/shards';
import { federation } from './federation';

const cluster: Cluster = {
  apiVersion: 'federation/v1beta1',
  kind: 'Cluster',
  metadata: { name: 'east', labels: { tier: 'gold' } },
  spec: { serverAddressByClientCIDRs: [] },
};
const svc = (name: string, extra: Partial<Service['metadata']> = {}): Service =>
  ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'web', ...extra }, spec: { ports: [{ port: 80 }] } }) as Service;
const shard = (p: PropagationState): Map<string, ShardDoc> => new Map([['east', { cluster: 'east', propagation: p }]]);

test.each<[string, Service, ShardDoc['propagation'] | 'none', boolean]>([
  ['no shard yet: planned absent', svc('a'), 'none', true],
  ['shard says absent, nothing wrong: planned absent', svc('a'), { present: false, ingress: [] }, true],
  ['shard says present: read', svc('a'), { present: true, ingress: [] }, false],
  ['shard shows a conflict: read', svc('a'), { present: false, ingress: [], conflict: 'foreign' }, false],
  ['shard shows an error: read', svc('a'), { present: false, ingress: [], error: 'Timeout' }, false],
  ['Service being deleted: read', svc('a', { deletionTimestamp: '2026-01-01T00:00:00Z' }), 'none', false],
  [
    'Service not placed in this cluster: read',
    svc('a', { annotations: { 'federation.alpha.kubernetes.io/cluster-selector': '[{"key":"tier","operator":"In","values":["silver"]}]' } }),
    'none',
    false,
  ],
])('%s', (_n, s, p, absent) => {
  const shards = new Map(p === 'none' ? [] : [['web/a', shard(p as PropagationState)]]);
  expect(absentByShard([s], new Set(['web/a']), cluster, shards).has('web/a')).toBe(absent);
});

test('Services outside the scope are never planned absent', () => {
  expect([...absentByShard([svc('a'), svc('b')], new Set(['web/b']), cluster, new Map())]).toEqual(['web/b']);
});

test('a new Service reaches each member with one call, the create; a duplicate event then reads and writes nothing', async () => {
  const f = await federation(['east', 'west']);
  for (const m of f.members.values()) m.namespaces.add('web');
  await f.addService('nginx');
  await onServiceChanged(f.instance(), 'web', 'nginx');
  for (const m of f.members.values()) {
    expect(m.services.has('web/nginx')).toBe(true);
    expect(m.calls).toBe(1);
  }
  const again = await onServiceChanged(f.instance(), 'web', 'nginx');
  expect(again.writes).toBe(0);
  for (const m of f.members.values()) expect(m.calls).toBe(2); // the shard says present now: one read
});

describe('a member exists though its shard says nothing', () => {
  const setUp = async (member: (fed: Service) => Record<string, unknown>) => {
    const f = await federation(['east']);
    const east = f.members.get('east')!;
    east.namespaces.add('web');
    await f.addService('nginx');
    const fed = (await f.store.get<Service>('services', { namespace: 'web', name: 'nginx' }))!.object;
    await east.createService('web', member(fed) as never);
    east.calls = 0;
    const report = await onServiceChanged(f.instance(), 'web', 'nginx');
    const doc = (await f.shards.list('web', 'nginx')).find((d) => d.cluster === 'east');
    return { east, report, doc };
  };

  test('made by hand: reported as a conflict, left as it is', async () => {
    const { east, report, doc } = await setUp(() => ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'nginx', namespace: 'web' },
      spec: { ports: [{ port: 9999 }] },
    }));
    expect(report.writes).toBe(0);
    expect(doc?.propagation?.conflict).toMatch(/not created by skyfed/);
    expect(east.services.get('web/nginx')?.spec.ports?.[0]?.port).toBe(9999);
  });

  test('ours and as wanted (a lost status write): no write, shard recorded present', async () => {
    const { east, report, doc } = await setUp((fed) => desiredMember({ ...fed, metadata: { ...fed.metadata, finalizers: [SKYFED.memberFinalizer] } }) as never);
    expect(report.writes).toBe(0);
    expect(east.calls).toBe(2); // the refused create, then the read
    expect(doc?.propagation?.present).toBe(true);
  });

  test('ours but out of date: updated from what is there', async () => {
    const { east, report, doc } = await setUp((fed) => {
      const m = desiredMember(fed);
      return { ...m, spec: { ...m.spec, ports: [{ port: 81, protocol: 'TCP' }] } };
    });
    expect(report.writes).toBe(1);
    expect(east.services.get('web/nginx')?.spec.ports?.[0]?.port).toBe(80);
    expect(doc?.propagation?.present).toBe(true);
  });
});

test('a Service event reads that Service, not every Service of the federation', async () => {
  const f = await federation(['east']);
  await f.addService('nginx');
  await f.addService('api');
  const list = jest.spyOn(f.store, 'list');
  await onServiceChanged(f.instance(), 'web', 'nginx');
  expect(list.mock.calls.map((c) => c[0])).not.toContain('services');
  expect(f.members.get('east')?.services.has('web/nginx')).toBe(true);
  expect(f.members.get('east')?.services.has('web/api')).toBe(false);
});

describe('what a Service event waits for before the members are written', () => {
  test('the recently deleted uids are read only when a cluster holds a managed member of no Service in the pass', async () => {
    const f = await federation(['east', 'west']);
    await f.addService('nginx');
    const tombstones = jest.spyOn(f.store, 'deletedSince');
    await onServiceChanged(f.instance(), 'web', 'nginx');
    expect(f.members.get('east')?.services.has('web/nginx')).toBe(true);
    expect(tombstones).not.toHaveBeenCalled();

    // A managed member of a federated Service that no longer exists: proving it ours takes the tombstones.
    f.members.get('east')?.services.set('web/old', desiredMember(svc('old', { uid: 'uid-old' })));
    await onServiceChanged(f.instance(), 'web', 'old');
    expect(tombstones).toHaveBeenCalledTimes(1);
  });

  test("the sweep's catalog entry is written after every member has the Service, and the pass still waits for it", async () => {
    const f = await federation(['east', 'west'], { latencyMs: 20 });
    await f.addService('nginx');
    const order: string[] = [];
    for (const [name, m] of f.members) {
      const create = m.createService.bind(m);
      m.createService = async (ns, body) => {
        const r = await create(ns, body);
        order.push(`member ${name}`);
        return r;
      };
    }
    const deps = f.instance();
    let synced = false;
    const catalog = {
      sync: async () => {
        order.push('catalog');
        await new Promise((r) => setTimeout(r, 30));
        synced = true;
      },
    };
    await onServiceChanged({ ...deps, catalog: catalog as unknown as NonNullable<typeof deps.catalog> }, 'web', 'nginx');
    expect(order.slice(-1)).toEqual(['catalog']);
    expect(order.filter((o) => o.startsWith('member')).sort()).toEqual(['member east', 'member west']);
    expect(synced).toBe(true);
  });

  test('a hanging member delays the catalog entry by a moment, not by its time-out', async () => {
    const f = await federation(['east', 'hung'], { latencyMs: 10, timeoutMs: 3000 });
    (f.members.get('hung') as { hanging: boolean }).hanging = true;
    await f.addService('nginx');
    const deps = f.instance();
    const t0 = Date.now();
    let syncedAfter = -1;
    const pass = onServiceChanged(
      { ...deps, catalog: { sync: async () => void (syncedAfter = Date.now() - t0) } as unknown as NonNullable<typeof deps.catalog> },
      'web',
      'nginx',
    );
    await pass;
    expect(syncedAfter).toBeGreaterThanOrEqual(0);
    expect(syncedAfter).toBeLessThan(1500);
    expect(f.members.get('east')?.services.has('web/nginx')).toBe(true);
  });

  test('a pass with no cluster at all still writes the catalog entry and ends', async () => {
    const f = await federation([]);
    await f.addService('nginx');
    let synced = 0;
    const deps = f.instance();
    await onServiceChanged({ ...deps, catalog: { sync: async () => void synced++ } as unknown as NonNullable<typeof deps.catalog> }, 'web', 'nginx');
    expect(synced).toBe(1);
  });
});

test("the per-cluster Events go on record after every member's write, not beside the fan-out", async () => {
  const f = await federation(['east', 'west', 'slow'], { latencyMs: 10 });
  const slow = f.members.get('slow');
  const create = slow?.createService.bind(slow);
  if (slow && create) {
    slow.createService = async (ns, body) => {
      await new Promise((r) => setTimeout(r, 120));
      return create(ns, body);
    };
  }
  await f.addService('nginx');
  const recordedWhen: boolean[] = [];
  const messages: string[] = [];
  const events = {
    record: (o: { message: string }) => {
      recordedWhen.push(f.members.get('slow')?.services.has('web/nginx') ?? false);
      messages.push(o.message);
    },
    flush: async () => undefined,
  };
  await onServiceChanged({ ...f.instance(), events }, 'web', 'nginx');
  expect(messages.sort()).toEqual(['Created the Service in cluster east', 'Created the Service in cluster slow', 'Created the Service in cluster west']);
  // Even the fast clusters' Events wait until the slow member has the Service.
  expect(recordedWhen).toEqual([true, true, true]);
});
