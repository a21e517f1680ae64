import { SKYFED } from '../../../shared/model/meta';
import { ConfigMap, entriesFromHealth, fallbackTarget, mergePlaced, planZoneWrite, renderServerBlock } from '../../../shared/incluster/plan';
import { nextSerial, readZone, renderZone, zoneOrigin } from '../../../shared/incluster/zone';

const NAMES = { federation: 'myfederation', suffix: 'example.com', ttl: 30 };
const SCOPE = { federation: 'myfederation', clusterDomain: 'cluster.local', ttl: 30 };
const ORIGIN = 'myfederation.svc.cluster.local.';
const NOW = Date.UTC(2026, 11, 1, 12, 0, 0);

describe("fallback: the cluster's nearest federated name", () => {
  test.each([
    [
      'zones and region → zonal (first zone)',
      { clusterDomain: 'cluster.local', zones: ['us-central1-f', 'us-central1-a'], region: 'us-central1' },
      'nginx.mynamespace.myfederation.svc.us-central1-a.us-central1.example.com.',
    ],
    [
      'region, no zone → regional',
      { clusterDomain: 'cluster.local', zones: [], region: 'europe-west1' },
      'nginx.mynamespace.myfederation.svc.europe-west1.example.com.',
    ],
    ['no region → global', { clusterDomain: 'cluster.local', zones: ['a'] }, 'nginx.mynamespace.myfederation.svc.example.com.'],
  ])('%s', (_n, place, want) => {
    expect(fallbackTarget(NAMES, place, 'mynamespace', 'nginx')).toBe(want);
  });
});

test.each([
  [true, 'cluster.local', 'nginx.mynamespace.svc.cluster.local.'],
  [true, 'corp.internal', 'nginx.mynamespace.svc.corp.internal.'],
  [false, 'cluster.local', 'nginx.mynamespace.myfederation.svc.asia-east1-a.asia-east1.example.com.'],
])('healthy=%s in %s → CNAME %s', (healthy, clusterDomain, target) => {
  const r = entriesFromHealth(NAMES, { clusterDomain, zones: ['asia-east1-a'], region: 'asia-east1' }, [{ namespace: 'mynamespace', name: 'nginx', healthy }]);
  expect(r.entries).toEqual([{ namespace: 'mynamespace', service: 'nginx', target }]);
  expect(r.answers.get('mynamespace/nginx')).toEqual({ name: `nginx.mynamespace.myfederation.svc.${clusterDomain}.`, cname: target, local: healthy });
});

describe('zone file', () => {
  const entries = [
    { namespace: 'b', service: 'web', target: 'web.b.svc.cluster.local.' },
    { namespace: 'a', service: 'nginx', target: 'nginx.a.myfederation.svc.example.com.' },
  ];
  test('SOA, NS and one CNAME per entry, sorted, relative to the origin', () => {
    const { text, skipped } = renderZone(SCOPE, 7, entries);
    expect(skipped).toEqual([]);
    expect(text).toContain('$ORIGIN myfederation.svc.cluster.local.\n$TTL 30\n');
    expect(text).toContain('@ IN SOA ns.dns.cluster.local. hostmaster.cluster.local. ( 7 7200 1800 86400 30 )');
    expect(text).toContain('@ IN NS ns.dns.cluster.local.');
    expect(text.indexOf('nginx.a IN CNAME nginx.a.myfederation.svc.example.com.')).toBeLessThan(text.indexOf('web.b IN CNAME web.b.svc.cluster.local.'));
  });
  test('reads back what it rendered; ignores lines it did not write; a name that does not fit is left out', () => {
    const long = { namespace: 'n'.repeat(63), service: 's'.repeat(63), target: `${'t'.repeat(63)}.${'u'.repeat(63)}.${'v'.repeat(63)}.${'w'.repeat(63)}.` };
    const { text, skipped } = renderZone(SCOPE, 9, [...entries, long]);
    expect(skipped).toEqual([long]);
    const back = readZone(`${text}evil.x IN A 10.0.0.1\nloop.x IN CNAME y.myfederation.svc.cluster.local.\n`, ORIGIN);
    expect(back.serial).toBe(9);
    expect(Object.fromEntries(back.entries)).toEqual({ 'a/nginx': 'nginx.a.myfederation.svc.example.com.', 'b/web': 'web.b.svc.cluster.local.' });
    expect(readZone(undefined, ORIGIN)).toEqual({ entries: new Map() });
  });
  test.each([
    [undefined, NOW, Math.floor(NOW / 1000)],
    [5, NOW, Math.floor(NOW / 1000)],
    [Math.floor(NOW / 1000) + 10, NOW, Math.floor(NOW / 1000) + 11],
  ])('serial after %s at %d is %d', (prev, now, want) => {
    expect(nextSerial(prev, now)).toBe(want);
  });
  test('origin rejects names that are not DNS', () => {
    expect(() => zoneOrigin('My_Fed', 'cluster.local')).toThrow(/federation name/);
  });
});

describe('zone ConfigMap plan', () => {
  const entries = [{ namespace: 'mynamespace', service: 'nginx', target: 'nginx.mynamespace.svc.cluster.local.' }];
  const first = planZoneWrite({ scope: SCOPE, current: undefined, entries: () => entries, nowMs: NOW });
  const stored = (): ConfigMap => ({
    ...(first as { body: ConfigMap }).body,
    metadata: { ...(first as { body: ConfigMap }).body.metadata, resourceVersion: '5' },
  });

  test("absent → create, labelled as skyfed's, with the zone and the server block", () => {
    expect(first.op).toBe('create');
    const body = (first as { body: ConfigMap }).body;
    expect(body.metadata).toMatchObject({ name: 'skyfed-dns', namespace: 'kube-system', labels: { [SKYFED.managedBy]: 'skyfed' } });
    expect(Object.keys(body.data ?? {}).sort()).toEqual(['Corefile', 'db.myfederation']);
    expect(body.data?.['Corefile']).toBe(renderServerBlock('myfederation', 'cluster.local'));
    expect(body.data?.['Corefile']).toContain('file /etc/coredns/skyfed/db.myfederation myfederation.svc.cluster.local {\n        reload 10s');
  });
  test('same answers → no write (whatever the clock says)', () => {
    expect(planZoneWrite({ scope: SCOPE, current: stored(), entries: () => entries, nowMs: NOW + 3_600_000 })).toEqual({ op: 'none' });
  });
  test('a changed answer → replace with a larger serial, keeping the resourceVersion as precondition', () => {
    const moved = [{ ...(entries[0] as (typeof entries)[0]), target: 'nginx.mynamespace.myfederation.svc.example.com.' }];
    const p = planZoneWrite({ scope: SCOPE, current: stored(), entries: () => moved, nowMs: NOW });
    expect(p.op).toBe('replace');
    const r = p as { body: ConfigMap; serial: number };
    expect(r.serial).toBe(Math.floor(NOW / 1000) + 1);
    expect(r.body.metadata.resourceVersion).toBe('5');
    expect(readZone(r.body.data?.['db.myfederation'], ORIGIN).entries.get('mynamespace/nginx')).toBe(moved[0]?.target);
  });
  test('a hand-edited zone or an extra key is put back', () => {
    const cm = stored();
    expect(
      planZoneWrite({
        scope: SCOPE,
        current: { ...cm, data: { ...cm.data, 'db.myfederation': `${cm.data?.['db.myfederation'] ?? ''}x IN A 1.2.3.4\n` } },
        entries: () => entries,
        nowMs: NOW,
      }).op,
    ).toBe('replace');
    expect(planZoneWrite({ scope: SCOPE, current: { ...cm, data: { ...cm.data, extra: '1' } }, entries: () => entries, nowMs: NOW }).op).toBe('replace');
  });
  test('a ConfigMap skyfed did not create is never overwritten', () => {
    expect(planZoneWrite({ scope: SCOPE, current: { metadata: { name: 'skyfed-dns' }, data: {} }, entries: () => entries, nowMs: NOW }).op).toBe('conflict');
  });
});

describe('propagation merges placements into the zone', () => {
  const current = new Map([
    ['a/x', 'x.a.svc.cluster.local.'],
    ['b/y', 'y.b.fed.svc.example.com.'],
  ]);
  test.each([
    [
      'a full pass keeps placed targets, adds new ones with the fallback, drops the rest',
      new Map([
        ['a/x', 'FALLBACK-x.'],
        ['c/z', 'z.fallback.'],
      ]),
      undefined,
      { 'a/x': 'x.a.svc.cluster.local.', 'c/z': 'z.fallback.' },
    ],
    [
      'a scoped pass leaves other entries alone',
      new Map([['c/z', 'z.fallback.']]),
      new Set(['c/z']),
      { 'a/x': 'x.a.svc.cluster.local.', 'b/y': 'y.b.fed.svc.example.com.', 'c/z': 'z.fallback.' },
    ],
    ['a scoped pass for an unplaced Service removes it', new Map<string, string>(), new Set(['a/x']), { 'b/y': 'y.b.fed.svc.example.com.' }],
  ])('%s', (_n, placed, scope, want) => {
    const got = mergePlaced(current, placed, scope);
    expect(Object.fromEntries(got.map((e) => [`${e.namespace}/${e.service}`, e.target]))).toEqual(want);
  });
});
