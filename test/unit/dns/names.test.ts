import { canonicalAddress, compareAddresses, parseAddress, sortedAddresses } from '../../../shared/dns/address';
import { DnsNameError, DnsNameErrorReason, ServiceDnsScope, dnsSuffix, federationLabel, globalName, regionalName, zonalName } from '../../../shared/dns/names';

const scope = (over: Partial<ServiceDnsScope> = {}): ServiceDnsScope => ({
  federation: 'myfederation',
  suffix: 'example.com',
  namespace: 'mynamespace',
  service: 'nginx',
  ...over,
});

describe('DNS names', () => {
  test.each<[string, () => string, string]>([
    ['global', () => globalName(scope()), 'nginx.mynamespace.myfederation.svc.example.com.'],
    ['regional', () => regionalName(scope(), 'us-central1'), 'nginx.mynamespace.myfederation.svc.us-central1.example.com.'],
    [
      'zonal reads zone.region',
      () => zonalName(scope(), 'us-central1', 'us-central1-a'),
      'nginx.mynamespace.myfederation.svc.us-central1-a.us-central1.example.com.',
    ],
    [
      'lower-cased',
      () => zonalName(scope({ federation: 'MyFed', suffix: 'Example.COM' }), 'US-East1', 'US-East1-B'),
      'nginx.mynamespace.myfed.svc.us-east1-b.us-east1.example.com.',
    ],
    ['suffix with trailing dot', () => globalName(scope({ suffix: 'example.com.' })), 'nginx.mynamespace.myfederation.svc.example.com.'],
    ['multi-label suffix', () => globalName(scope({ suffix: 'dns.corp.example' })), 'nginx.mynamespace.myfederation.svc.dns.corp.example.'],
    ['numeric labels are RFC 1123', () => regionalName(scope({ federation: '1fed' }), '3'), 'nginx.mynamespace.1fed.svc.3.example.com.'],
    ['63-character label accepted', () => globalName(scope({ federation: 'f'.repeat(63) })), `nginx.mynamespace.${'f'.repeat(63)}.svc.example.com.`],
  ])('%s', (_n, make, expected) => {
    expect(make()).toBe(expected);
  });

  // Labels: nginx(5) mynamespace(11) 63×'f' svc(3) → 5+11+63+3 + 4 dots = 86, then the suffix.
  const longSuffix = (total: number): string => {
    const labels: string[] = [];
    let left = total - 86;
    while (left > 63) {
      labels.push('s'.repeat(50));
      left -= 51;
    }
    return [...labels, 'c'.repeat(left)].join('.');
  };

  test.each<[string, () => unknown, DnsNameErrorReason]>([
    ['federation with underscore', () => federationLabel('my_fed'), 'InvalidLabel'],
    ['federation ending in a hyphen', () => federationLabel('fed-'), 'InvalidLabel'],
    ['federation with a dot', () => federationLabel('my.fed'), 'InvalidLabel'],
    ['empty federation', () => federationLabel(''), 'Empty'],
    ['federation of 64 characters', () => federationLabel('f'.repeat(64)), 'LabelTooLong'],
    ['empty suffix', () => dnsSuffix('.'), 'Empty'],
    ['suffix with an empty label', () => dnsSuffix('example..com'), 'Empty'],
    ['suffix label starting with a hyphen', () => dnsSuffix('-x.com'), 'InvalidLabel'],
    ['suffix label of 64 characters', () => dnsSuffix(`${'x'.repeat(64)}.com`), 'LabelTooLong'],
    ['suffix longer than 253', () => dnsSuffix(Array.from({ length: 5 }, () => 'x'.repeat(60)).join('.')), 'NameTooLong'],
    ['region that is not a label', () => regionalName(scope(), 'us east'), 'InvalidLabel'],
    ['zone of 64 characters', () => zonalName(scope(), 'r', 'z'.repeat(64)), 'LabelTooLong'],
    ['global name of 254 characters', () => globalName(scope({ federation: 'f'.repeat(63), suffix: longSuffix(254) })), 'NameTooLong'],
    [
      'zonal name over 253 while the global fits',
      () => zonalName(scope({ federation: 'f'.repeat(63), suffix: longSuffix(240) }), 'us-central1', 'us-central1-a'),
      'NameTooLong',
    ],
  ])('rejects %s', (_n, make, reason) => {
    expect(make).toThrow(DnsNameError);
    try {
      make();
    } catch (e) {
      expect((e as DnsNameError).reason).toBe(reason);
      expect((e as DnsNameError).name).toBe('DnsNameError');
    }
  });

  test('exactly 253 characters (without the trailing dot) is accepted', () => {
    const name = globalName(scope({ federation: 'f'.repeat(63), suffix: longSuffix(253) }));
    expect(name.length).toBe(254);
    expect(name.endsWith('.')).toBe(true);
  });
});

describe('addresses', () => {
  test.each<[string, string | undefined]>([
    ['192.0.2.1', '192.0.2.1'],
    [' 192.0.2.1 ', '192.0.2.1'],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['2001:db8:0000::0001', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'],
    ['::', '::'],
    ['::1', '::1'],
    ['::ffff:192.0.2.1', '::ffff:c000:201'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2:3:4:5:6'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['256.0.0.1', undefined],
    ['01.2.3.4', undefined],
    ['1.2.3', undefined],
    ['fe80::1%eth0', undefined],
    ['1::2::3', undefined],
    ['1:2:3:4:5:6:7:8:9', undefined],
    ['lb.example.com', undefined],
  ])('%s → %s', (input, canonical) => {
    expect(parseAddress(input)?.text).toBe(canonical);
  });

  test('sorted numerically, IPv4 first, de-duplicated after canonicalization', () => {
    expect(sortedAddresses(['2001:db8::10', '10.0.0.10', '2001:DB8::2', '10.0.0.9', '2001:db8::2', '10.0.0.9'])).toEqual([
      '10.0.0.9',
      '10.0.0.10',
      '2001:db8::2',
      '2001:db8::10',
    ]);
    expect(compareAddresses('not-an-ip', '1.1.1.1')).toBeGreaterThan(0);
    expect(canonicalAddress('not-an-ip')).toBe('not-an-ip');
  });
});
