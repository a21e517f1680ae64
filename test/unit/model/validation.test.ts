import { addressGuard, parseCidr } from '../../../shared/net/address-guard';
import { validateCluster, Cluster } from '../../../shared/model/cluster';
import { validateService, Service } from '../../../shared/model/service';
import { validateSecret, Secret } from '../../../shared/model/secret';
import { cidr, dns1035Label, dns1123Label, dns1123Subdomain, isIPv6, qualifiedName, serverAddress } from '../../../shared/k8s/validation';

describe('name rules', () => {
  test.each([
    ['nginx', true, true, true],
    ['my-svc', true, true, true],
    ['1abc', true, false, true],
    ['a.b', false, false, true],
    ['Nginx', false, false, false],
    ['-a', false, false, false],
    ['a-', false, false, false],
    ['', false, false, false],
    ['a'.repeat(63), true, true, true],
    ['a'.repeat(64), false, false, true],
    ['a/b', false, false, false],
    ['..', false, false, false],
  ])('%p: label %p, 1035 %p, subdomain %p', (v, label, l1035, sub) => {
    expect(dns1123Label(v).length === 0).toBe(label);
    expect(dns1035Label(v).length === 0).toBe(l1035);
    expect(dns1123Subdomain(v).length === 0).toBe(sub);
  });

  test.each([
    ['app', true],
    ['app.kubernetes.io/name', true],
    ['example.com/Mixed_Case.1', true],
    ['/x', false],
    ['a/b/c', false],
    ['x'.repeat(64), false],
    ['-bad', false],
    ['Bad_Prefix.com/x', false],
  ])('label key %p valid=%p', (k, ok) => expect(qualifiedName(k).length === 0).toBe(ok));

  test.each([
    ['10.0.0.0/8', true],
    ['0.0.0.0/0', true],
    ['2001:db8::/64', true],
    ['10.0.0.0/33', false],
    ['10.0.0/8', false],
    ['300.0.0.0/8', false],
    ['10.0.0.0', false],
    ['::/129', false],
  ])('CIDR %p valid=%p', (v, ok) => expect(cidr(v).length === 0).toBe(ok));

  test.each([
    ['::1', true],
    ['2001:db8::1', true],
    ['fe80::1:2:3:4:5', true],
    ['1:2:3:4:5:6:7:8', true],
    ['1:2:3:4:5:6:7:8:9', false],
    ['::ffff:10.0.0.1', true],
    ['1::2::3', false],
    ['g::1', false],
  ])('IPv6 %p valid=%p', (v, ok) => expect(isIPv6(v)).toBe(ok));

  test.each([
    ['https://203.0.113.10:6443', false, true],
    ['http://203.0.113.10', false, false],
    ['http://127.0.0.1:8080', true, true],
    ['http://127.0.0.1:8080', false, false],
    ['https://user:pw@host', false, false],
    ['not a url', false, false],
    ['https://h/?x=1', false, false],
  ])('server %p (insecure loopback %p) valid=%p', (v, allow, ok) =>
    expect(serverAddress(v, allow, allow ? addressGuard([parseCidr('127.0.0.0/8')]) : addressGuard()).length === 0).toBe(ok),
  );

  // Attacker's side: every spelling of a forbidden server address is refused when written.
  test.each([
    'https://169.254.169.254',
    'https://metadata.google.internal',
    'https://0x7f000001:6443',
    'https://2130706433',
    'https://127.1',
    'https://[::1]',
    'https://[0:0:0:0:0:0:0:1]',
    'https://[::ffff:127.0.0.1]',
    'https://[::ffff:169.254.169.254]',
    'https://[fd00:ec2::254]',
    'https://[64:ff9b::a9fe:a9fe]',
    'https://10.0.0.1',
    'https://192.168.0.1:6443',
    'https://localhost:6443',
    'https://0.0.0.0',
  ])('server %p is refused', (v) => {
    expect(serverAddress(v, false).length).toBeGreaterThan(0);
  });
  test('an explicit allow-list admits a private range', () => {
    expect(serverAddress('https://10.1.2.3:6443', false, addressGuard([parseCidr('10.0.0.0/8')]))).toEqual([]);
    expect(serverAddress('https://169.254.169.254', false, addressGuard([parseCidr('10.0.0.0/8')])).length).toBeGreaterThan(0);
  });
});

const cluster = (spec: Partial<Cluster['spec']>, name = 'gce-us-east1'): Cluster => ({
  apiVersion: 'federation/v1beta1',
  kind: 'Cluster',
  metadata: { name },
  spec: { serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: 'https://203.0.113.1' }], secretRef: { name: 'creds' }, ...spec },
});

describe('Cluster validation', () => {
  test.each<[string, Cluster, string[]]>([
    ['valid', cluster({}), []],
    ['bad name', cluster({}, 'GCE_us'), ['metadata.name']],
    ['no addresses', cluster({ serverAddressByClientCIDRs: [] }), ['spec.serverAddressByClientCIDRs']],
    [
      'bad CIDR',
      cluster({ serverAddressByClientCIDRs: [{ clientCIDR: '1.2.3/8', serverAddress: 'https://a' }] }),
      ['spec.serverAddressByClientCIDRs[0].clientCIDR'],
    ],
    [
      'http server',
      cluster({ serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: 'http://a' }] }),
      ['spec.serverAddressByClientCIDRs[0].serverAddress'],
    ],
    ['no secretRef', cluster({ secretRef: undefined as never }), ['spec.secretRef.name']],
    ['duplicate zones', cluster({ zones: ['a', 'a'] }), ['spec.zones[1]']],
    ['bad region', cluster({ region: 'US East' }), ['spec.region']],
  ])('%s', (_n, c, fields) => {
    expect(validateCluster(c, { allowInsecureLoopback: false }).causes.map((x) => x.field)).toEqual(fields);
  });
});

const svc = (spec: Service['spec'], name = 'nginx'): Service => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'ns' }, spec });

describe('Service validation (kube-apiserver rules)', () => {
  test.each<[string, Service, string[]]>([
    ['valid LB', svc({ type: 'LoadBalancer', ports: [{ port: 80 }] }), []],
    ['name must be DNS-1035', svc({ ports: [{ port: 80 }] }, '1nginx'), ['metadata.name']],
    ['ports required', svc({ type: 'ClusterIP' }), ['spec.ports']],
    ['headless needs no ports', svc({ clusterIP: 'None' }), []],
    ['port range', svc({ ports: [{ port: 70000 }] }), ['spec.ports[0].port']],
    ['protocol', svc({ ports: [{ port: 80, protocol: 'HTTP' }] }), ['spec.ports[0].protocol']],
    ['names needed for >1 port', svc({ ports: [{ port: 80 }, { port: 443 }] }), ['spec.ports[0].name', 'spec.ports[1].name']],
    [
      'duplicate port',
      svc({
        ports: [
          { name: 'a', port: 80 },
          { name: 'b', port: 80 },
        ],
      }),
      ['spec.ports[1]'],
    ],
    [
      'duplicate name',
      svc({
        ports: [
          { name: 'a', port: 80 },
          { name: 'a', port: 81 },
        ],
      }),
      ['spec.ports[1].name'],
    ],
    ['type', svc({ type: 'Ingress' as never, ports: [{ port: 80 }] }), ['spec.type']],
    ['nodePort on ClusterIP', svc({ ports: [{ port: 80, nodePort: 30080 }] }), ['spec.ports[0].nodePort']],
    ['nodePort range', svc({ type: 'NodePort', ports: [{ port: 80, nodePort: 80 }] }), ['spec.ports[0].nodePort']],
    ['clusterIP is per member', svc({ clusterIP: '10.0.0.1', ports: [{ port: 80 }] }), ['spec.clusterIP']],
    ['ExternalName needs a name', svc({ type: 'ExternalName' }), ['spec.externalName']],
    ['bad selector', svc({ ports: [{ port: 80 }], selector: { 'bad key!': 'x' } }), ['spec.selector']],
    ['bad targetPort name', svc({ ports: [{ port: 80, targetPort: 'HTTP_PORT' }] }), ['spec.ports[0].targetPort']],
    ['externalTrafficPolicy only on LB/NodePort', svc({ ports: [{ port: 80 }], externalTrafficPolicy: 'Local' }), ['spec.externalTrafficPolicy']],
    [
      'source ranges',
      svc({ type: 'LoadBalancer', ports: [{ port: 80 }], loadBalancerSourceRanges: ['10.0.0.0/8', 'x'] }),
      ['spec.loadBalancerSourceRanges[1]'],
    ],
  ])('%s', (_n, s, fields) => {
    expect(validateService(s).causes.map((x) => x.field)).toEqual(fields);
  });
});

describe('Secret validation', () => {
  const secret = (over: Partial<Secret>): Secret => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'creds', namespace: 'federation-system' },
    ...over,
  });
  test('decodes base64 data and stringData (stringData wins)', () => {
    const { errs, data } = validateSecret(secret({ data: { a: Buffer.from('one').toString('base64'), b: 'eA==' }, stringData: { b: 'two' } }));
    expect(errs.empty).toBe(true);
    expect(data['a']?.toString()).toBe('one');
    expect(data['b']?.toString()).toBe('two');
  });
  test.each<[string, Partial<Secret>, string]>([
    ['not base64', { data: { a: 'not base64!' } }, 'data[a]'],
    ['bad key', { data: { 'a/b': 'eA==' } }, 'data[a/b]'],
    ['too big', { stringData: { big: 'x'.repeat(1024 * 1024 + 1) } }, 'data'],
  ])('%s', (_n, over, field) => {
    expect(validateSecret(secret(over)).errs.causes.map((c) => c.field)).toContain(field);
  });
});
