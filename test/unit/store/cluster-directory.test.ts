/**
 * Which Cluster writes move the directory's stamp: what propagation reads of a Cluster (name,
 * labels, annotations, spec, deletion, observed zones and region) and its coming and going; not
 * its conditions, version or bookkeeping.
 */
import { Cluster } from '../../../shared/model/cluster';
import { directoryChanged, directoryView } from '../../../shared/store/cluster-directory';

const base: Cluster = {
  apiVersion: 'federation/v1beta1',
  kind: 'Cluster',
  metadata: { name: 'east', labels: { tier: 'gold' }, uid: 'u1', resourceVersion: '10', managedFields: [{ manager: 'kubectl' }] },
  spec: { serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: 'https://east.example.com' }], secretRef: { name: 'east' } },
  status: { conditions: [{ type: 'Ready', status: 'True' }], zones: ['us-east1-b'], region: 'us-east1', version: 'v1.30.2' },
};
const edit = (f: (c: Cluster) => void): Cluster => {
  const c = structuredClone(base);
  f(c);
  return c;
};

test.each<[string, Cluster | undefined, Cluster | undefined, boolean]>([
  ['registered', undefined, base, true],
  ['removed', base, undefined, true],
  ['labels changed', base, edit((c) => (c.metadata.labels = { tier: 'silver' })), true],
  ['annotation added', base, edit((c) => (c.metadata.annotations = { note: 'x' })), true],
  ['server moved', base, edit((c) => (c.spec.serverAddressByClientCIDRs[0]!.serverAddress = 'https://west.example.com')), true],
  ['credentials Secret changed', base, edit((c) => (c.spec.secretRef = { name: 'east-2' })), true],
  ['CoreDNS opt-in', base, edit((c) => (c.spec.dns = { manageCoreDNS: true })), true],
  ['deletion started', base, edit((c) => (c.metadata.deletionTimestamp = '2026-12-01T00:00:00Z')), true],
  ['observed zones changed', base, edit((c) => (c.status!.zones = ['us-east1-b', 'us-east1-c'])), true],
  ['observed region changed', base, edit((c) => (c.status!.region = 'us-east4')), true],
  ['conditions only', base, edit((c) => (c.status!.conditions = [{ type: 'Ready', status: 'False', reason: 'ClusterNotReady' }])), false],
  ['version only', base, edit((c) => (c.status!.version = 'v1.31.0')), false],
  ['resourceVersion and managed fields only', base, edit((c) => ((c.metadata.resourceVersion = '11'), (c.metadata.managedFields = []))), false],
  ['same object, keys in another order', base, edit((c) => (c.metadata = { uid: 'u1', labels: { tier: 'gold' }, name: 'east' })), false],
  ['nothing either side', undefined, undefined, false],
])('%s → stamp moves: %s', (_what, before, after, moves) => {
  expect(directoryChanged(before, after)).toBe(moves);
});

test('a directory view carries only the observed topology of status, no resourceVersion or managed fields, and leaves the stored object alone', () => {
  const view = directoryView(base);
  expect(view.status).toEqual({ zones: ['us-east1-b'], region: 'us-east1' });
  expect(directoryView({ ...base, status: { conditions: [] } }).status).toBeUndefined();
  expect(view.metadata).toEqual({ name: 'east', labels: { tier: 'gold' }, uid: 'u1' });
  expect(view.spec).toEqual(base.spec);
  expect(base.status?.conditions).toHaveLength(1);
  expect(base.metadata.managedFields).toHaveLength(1);
});
