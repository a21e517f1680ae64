import { AllDownPolicy, DesiredInput, DesiredWarningReason, ShardView, desiredRecordSets } from '../../../shared/dns/desired';
import { DnsNameError } from '../../../shared/dns/names';
import { RecordSet } from '../../../shared/dns/types';
import { SUFFIX, render, rs } from './fixtures';

/** `shard('a', '1.1.1.1', 'us-east1', ['us-east1-b'])`; ips may be a comma list; healthy unless told. */
const shard = (cluster: string, ips: string, region?: string, zones: string[] = [], healthy = true): ShardView => ({
  cluster,
  zones,
  healthy,
  addresses: ips ? ips.split(',').map((ip) => ({ ip })) : [],
  ...(region ? { region } : {}),
});
const down = (s: ShardView): ShardView => ({ ...s, healthy: false });

const input = (shards: ShardView[], over: Partial<DesiredInput> = {}): DesiredInput => ({
  federation: 'myfed',
  suffix: SUFFIX,
  service: 'nginx',
  namespace: 'web',
  shards,
  ...over,
});

const east = shard('east', '1.1.1.1', 'us-east1', ['us-east1-b']);
const central1 = shard('central1', '2.2.2.2', 'us-central1', ['us-central1-a']);
const central2 = shard('central2', '2.2.2.3', 'us-central1', ['us-central1-b']);
const europe = shard('europe', '3.3.3.3', 'europe-west1', ['europe-west1-b']);

/** No name may hold a CNAME beside an address set. */
function assertNoCnameBesideData(sets: readonly RecordSet[]): void {
  const byName = new Map<string, string[]>();
  for (const r of sets) byName.set(r.name, [...(byName.get(r.name) ?? []), r.type]);
  for (const [name, types] of byName) if (types.includes('CNAME')) expect([name, types]).toEqual([name, ['CNAME']]);
}

describe('desiredRecordSets', () => {
  test.each<[string, DesiredInput, Record<string, string>]>([
    [
      'all healthy: every level answers its own shards',
      input([east, central1, central2, europe]),
      {
        '@ A': '1.1.1.1,2.2.2.2,2.2.2.3,3.3.3.3',
        'europe-west1 A': '3.3.3.3',
        'europe-west1-b.europe-west1 A': '3.3.3.3',
        'us-central1 A': '2.2.2.2,2.2.2.3',
        'us-central1-a.us-central1 A': '2.2.2.2',
        'us-central1-b.us-central1 A': '2.2.2.3',
        'us-east1 A': '1.1.1.1',
        'us-east1-b.us-east1 A': '1.1.1.1',
      },
    ],
    [
      'one shard down: its zone and region CNAME up, global drops it',
      input([east, central1, down(europe)]),
      {
        '@ A': '1.1.1.1,2.2.2.2',
        'europe-west1 CNAME': '@',
        'europe-west1-b.europe-west1 CNAME': 'europe-west1',
        'us-central1 A': '2.2.2.2',
        'us-central1-a.us-central1 A': '2.2.2.2',
        'us-east1 A': '1.1.1.1',
        'us-east1-b.us-east1 A': '1.1.1.1',
      },
    ],
    [
      'one of two shards of a region down: only its zone CNAMEs to the region',
      input([central1, down(central2)]),
      {
        '@ A': '2.2.2.2',
        'us-central1 A': '2.2.2.2',
        'us-central1-a.us-central1 A': '2.2.2.2',
        'us-central1-b.us-central1 CNAME': 'us-central1',
      },
    ],
    [
      'multi-zone cluster: every zone is written (v1 #50529)',
      input([shard('multi', '4.4.4.4', 'us-west1', ['us-west1-a', 'us-west1-b', 'us-west1-c'])]),
      {
        '@ A': '4.4.4.4',
        'us-west1 A': '4.4.4.4',
        'us-west1-a.us-west1 A': '4.4.4.4',
        'us-west1-b.us-west1 A': '4.4.4.4',
        'us-west1-c.us-west1 A': '4.4.4.4',
      },
    ],
    [
      'unlabeled cluster contributes to global only (v1 #55326)',
      input([east, shard('bare', '5.5.5.5')]),
      {
        '@ A': '1.1.1.1,5.5.5.5',
        'us-east1 A': '1.1.1.1',
        'us-east1-b.us-east1 A': '1.1.1.1',
      },
    ],
    [
      'cluster with a region but no zones: regional and global only',
      input([shard('r', '6.6.6.6', 'asia-east1')]),
      {
        '@ A': '6.6.6.6',
        'asia-east1 A': '6.6.6.6',
      },
    ],
    [
      'hostname that did not resolve: the shard has no address, its levels CNAME up',
      input([east, { ...shard('aws', '', 'us-east-1', ['us-east-1a']), addresses: [{ hostname: 'lb-1.elb.amazonaws.com' }] }]),
      {
        '@ A': '1.1.1.1',
        'us-east-1 CNAME': '@',
        'us-east-1a.us-east-1 CNAME': 'us-east-1',
        'us-east1 A': '1.1.1.1',
        'us-east1-b.us-east1 A': '1.1.1.1',
      },
    ],
    [
      'IPv6: AAAA beside A, canonical; an IPv6-only level has AAAA only',
      input([east, shard('v6', '2001:DB8:0::1', 'us-west2', ['us-west2-a'])]),
      {
        '@ A': '1.1.1.1',
        '@ AAAA': '2001:db8::1',
        'us-east1 A': '1.1.1.1',
        'us-east1-b.us-east1 A': '1.1.1.1',
        'us-west2 AAAA': '2001:db8::1',
        'us-west2-a.us-west2 AAAA': '2001:db8::1',
      },
    ],
    [
      'dual-stack shard',
      input([shard('dual', '8.8.8.8,2001:db8::8', 'eu', ['eu-a'])]),
      {
        '@ A': '8.8.8.8',
        '@ AAAA': '2001:db8::8',
        'eu A': '8.8.8.8',
        'eu AAAA': '2001:db8::8',
        'eu-a.eu A': '8.8.8.8',
        'eu-a.eu AAAA': '2001:db8::8',
      },
    ],
    [
      'sorted numerically and de-duplicated',
      input([shard('a', '10.0.0.10,10.0.0.9', 'r', ['z']), shard('b', '10.0.0.9,10.0.0.100', 'r', ['z'])]),
      {
        '@ A': '10.0.0.9,10.0.0.10,10.0.0.100',
        'r A': '10.0.0.9,10.0.0.10,10.0.0.100',
        'z.r A': '10.0.0.9,10.0.0.10,10.0.0.100',
      },
    ],
    [
      'region and zone labels are lower-cased',
      input([shard('a', '1.1.1.1', 'US-East1', ['US-East1-B'])]),
      {
        '@ A': '1.1.1.1',
        'us-east1 A': '1.1.1.1',
        'us-east1-b.us-east1 A': '1.1.1.1',
      },
    ],
    [
      'a zone label that is not DNS-safe is skipped, the rest published',
      input([shard('a', '1.1.1.1', 'r', ['bad_zone', 'good'])]),
      {
        '@ A': '1.1.1.1',
        'r A': '1.1.1.1',
        'good.r A': '1.1.1.1',
      },
    ],
    [
      'a healthy shard without any address counts as none',
      input([central1, shard('empty', '', 'us-east1', ['us-east1-b'])]),
      {
        '@ A': '2.2.2.2',
        'us-central1 A': '2.2.2.2',
        'us-central1-a.us-central1 A': '2.2.2.2',
        'us-east1 CNAME': '@',
        'us-east1-b.us-east1 CNAME': 'us-east1',
      },
    ],
    ['an invalid address is ignored', input([shard('a', '1.1.1.1,not-an-ip', 'r')]), { '@ A': '1.1.1.1', 'r A': '1.1.1.1' }],
    ['no shards: nothing', input([]), {}],
  ])('%s', (_name, given, expected) => {
    const { recordSets } = desiredRecordSets(given);
    expect(render(recordSets)).toEqual(expected);
    assertNoCnameBesideData(recordSets);
    expect(recordSets.every((r) => r.ttl === 30 && r.name.endsWith('.') && r.name === r.name.toLowerCase())).toBe(true);
  });

  const previous = [rs('@', 'A', '9.9.9.9,9.9.9.8'), rs('@', 'AAAA', '2001:db8::9'), rs('us-east1', 'A', '1.1.1.1')];
  const allDown = [down(east), down(central1), shard('bare', '5.5.5.5', undefined, [], false)];

  test.each<[string, AllDownPolicy | undefined, readonly RecordSet[], Record<string, string>]>([
    [
      'failStatic (default) keeps the last global answer; lower levels CNAME up',
      undefined,
      previous,
      {
        '@ A': '9.9.9.8,9.9.9.9',
        '@ AAAA': '2001:db8::9',
        'us-central1 CNAME': '@',
        'us-central1-a.us-central1 CNAME': 'us-central1',
        'us-east1 CNAME': '@',
        'us-east1-b.us-east1 CNAME': 'us-east1',
      },
    ],
    ['failStatic with nothing published before publishes nothing', 'failStatic', [], {}],
    [
      'failOpen answers every shard that has an address, at every level',
      'failOpen',
      previous,
      {
        '@ A': '1.1.1.1,2.2.2.2,5.5.5.5',
        'us-central1 A': '2.2.2.2',
        'us-central1-a.us-central1 A': '2.2.2.2',
        'us-east1 A': '1.1.1.1',
        'us-east1-b.us-east1 A': '1.1.1.1',
      },
    ],
    ['remove publishes nothing (NXDOMAIN, as v1)', 'remove', previous, {}],
  ])('all down, %s', (_name, policy, prev, expected) => {
    const { recordSets, warnings } = desiredRecordSets(input(allDown, { previous: prev, ...(policy ? { policy } : {}) }));
    expect(render(recordSets)).toEqual(expected);
    assertNoCnameBesideData(recordSets);
    expect(warnings.filter((w) => w.reason === 'AllDown')).toHaveLength(1);
  });

  test('the all-down policy does not apply while anything is healthy', () => {
    const { recordSets, warnings } = desiredRecordSets(input([east, down(central1)], { policy: 'failOpen', previous }));
    expect(render(recordSets)['@ A']).toBe('1.1.1.1');
    expect(warnings.map((w) => w.reason)).not.toContain('AllDown');
  });

  test.each<[string, DesiredInput, [DesiredWarningReason, string | undefined][]]>([
    ['unlabeled cluster', input([east, shard('bare', '5.5.5.5')]), [['Unlabeled', 'bare']]],
    ['zones without a region', input([shard('half', '5.5.5.5', undefined, ['z1'])]), [['Unlabeled', 'half']]],
    [
      'unresolved hostname',
      input([{ ...shard('aws', '', 'r'), addresses: [{ hostname: 'x.elb.amazonaws.com' }] }]),
      [
        ['Unresolved', 'aws'],
        ['AllDown', undefined],
      ],
    ],
    ['invalid address', input([shard('a', 'bogus,1.1.1.1', 'r')]), [['InvalidAddress', 'a']]],
    ['invalid zone label', input([shard('a', '1.1.1.1', 'r', ['bad_zone'])]), [['InvalidName', 'a']]],
    ['all healthy, labeled', input([east, central1]), []],
  ])('warnings: %s', (_name, given, expected) => {
    expect(desiredRecordSets(given).warnings.map((w) => [w.reason, w.cluster])).toEqual(expected);
  });

  test('regions and zones without clusters get no names', () => {
    const names = new Set(desiredRecordSets(input([east])).recordSets.map((r) => r.name));
    expect(names.size).toBe(3);
    expect([...names].some((n) => n.includes('central'))).toBe(false);
  });

  test('ttl is configurable; default 30', () => {
    expect(desiredRecordSets(input([east], { ttl: 60 })).recordSets.map((r) => r.ttl)).toEqual([60, 60, 60]);
    expect(() => desiredRecordSets(input([east], { ttl: -1 }))).toThrow(RangeError);
  });

  test('output is independent of shard order', () => {
    const a = desiredRecordSets(input([east, central1, central2, europe])).recordSets;
    const b = desiredRecordSets(input([europe, central2, east, central1])).recordSets;
    expect(b).toEqual(a);
  });

  test('a bad federation name or suffix is a configuration error and throws', () => {
    expect(() => desiredRecordSets(input([east], { federation: 'my_fed' }))).toThrow(DnsNameError);
    expect(() => desiredRecordSets(input([east], { suffix: 'bad..suffix' }))).toThrow(DnsNameError);
  });

  test('a zonal name too long for DNS is skipped with a warning; the rest is published', () => {
    // Global is 231 characters; the regional adds 12 (243 ≤ 253) and the zonal another 26 (269 > 253).
    const suffix = `${'s'.repeat(60)}.${'t'.repeat(60)}.${'u'.repeat(60)}.com`;
    const { recordSets, warnings } = desiredRecordSets(
      input([shard('a', '1.1.1.1', 'us-central1', ['us-central1-abcdefghijklm'])], { suffix, service: 'nginx', federation: 'f'.repeat(30) }),
    );
    expect(recordSets.map((r) => r.name.split('.')[4])).toEqual([expect.stringMatching(/^s+$/), 'us-central1']);
    expect(warnings).toEqual([expect.objectContaining({ reason: 'InvalidName', cluster: 'a' })]);
  });
});
