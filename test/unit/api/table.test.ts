import { humanAge, renderTable, wantsTable } from '../../../shared/api/table';
import { clusters, services, secrets } from '../../../shared/api/resources';
import { Cluster } from '../../../shared/model/cluster';
import { Service } from '../../../shared/model/service';
import { redactSecret } from '../../../shared/model/secret';

describe('humanAge matches kubectl', () => {
  test.each([
    [0, '0s'],
    [59, '59s'],
    [119, '119s'],
    [120, '2m'],
    [150, '2m30s'],
    [600, '10m'],
    [179 * 60, '179m'],
    [3 * 3600, '3h'],
    [3 * 3600 + 60 * 5, '3h5m'],
    [8 * 3600, '8h'],
    [47 * 3600, '47h'],
    [48 * 3600, '2d'],
    [3 * 86400 + 3600, '3d1h'],
    [8 * 86400, '8d'],
    [400 * 86400, '400d'],
    [3 * 365 * 86400 + 10 * 86400, '3y10d'],
    [9 * 365 * 86400, '9y'],
  ])('%ps → %s', (s, out) => expect(humanAge(s)).toBe(out));
});

test('wantsTable recognises kubectl get Accept header', () => {
  expect(wantsTable('application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json')).toBe(true);
  expect(wantsTable('application/json')).toBe(false);
  expect(wantsTable(undefined)).toBe(false);
});

const now = new Date('2026-11-24T12:00:00Z');
const created = '2026-11-24T11:59:00Z';

describe('cluster rows: NAME STATUS VERSION AGE (+ REGION ZONES wide)', () => {
  const c = (status: Cluster['status'], spec: Partial<Cluster['spec']> = {}): Cluster => ({
    apiVersion: 'federation/v1beta1',
    kind: 'Cluster',
    metadata: { name: 'gce-us-east1', creationTimestamp: created },
    spec: { serverAddressByClientCIDRs: [], ...spec },
    ...(status ? { status } : {}),
  });
  test('header', () => {
    expect(clusters.table.columns.filter((x) => x.priority === 0).map((x) => x.name.toUpperCase())).toEqual(['NAME', 'STATUS', 'VERSION', 'AGE']);
    expect(clusters.table.columns.filter((x) => x.priority === 1).map((x) => x.name.toUpperCase())).toEqual(['REGION', 'ZONES']);
  });
  test.each<[string, Cluster['status'], string[]]>([
    ['no status yet', undefined, ['gce-us-east1', 'Unknown', '', '60s', '<none>', '<none>']],
    [
      'ready',
      { conditions: [{ type: 'Ready', status: 'True' }], version: 'v1.30.2', region: 'us-east1', zones: ['us-east1-b', 'us-east1-c'] },
      ['gce-us-east1', 'Ready', 'v1.30.2', '60s', 'us-east1', 'us-east1-b,us-east1-c'],
    ],
    ['not ready', { conditions: [{ type: 'Ready', status: 'False' }] }, ['gce-us-east1', 'NotReady', '', '60s', '<none>', '<none>']],
    [
      'offline wins',
      {
        conditions: [
          { type: 'Ready', status: 'False' },
          { type: 'Offline', status: 'True' },
        ],
      },
      ['gce-us-east1', 'Offline', '', '60s', '<none>', '<none>'],
    ],
  ])('%s', (_n, status, cells) => expect(clusters.table.cells(c(status), now)).toEqual(cells));
});

describe('service rows: NAME TYPE EXTERNAL-IP PORT(S) CLUSTERS AGE', () => {
  const s = (spec: Service['spec'], status?: Service['status']): Service => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'nginx', namespace: 'ns', creationTimestamp: created },
    spec,
    ...(status ? { status } : {}),
  });
  test.each<[string, Service, (string | number)[]]>([
    ['pending LB', s({ type: 'LoadBalancer', ports: [{ port: 80, protocol: 'TCP' }] }), ['nginx', 'LoadBalancer', '<pending>', '80/TCP', '<none>', '60s']],
    [
      'LB with shards',
      s(
        {
          type: 'LoadBalancer',
          ports: [
            { port: 80, protocol: 'TCP' },
            { port: 443, protocol: 'TCP' },
          ],
        },
        {
          loadBalancer: { ingress: [{ ip: '203.0.113.1' }, { hostname: 'a.elb.example' }] },
          federation: { placed: 4, shards: [{ present: true }, { present: true }, { present: false }] },
        },
      ),
      ['nginx', 'LoadBalancer', '203.0.113.1,a.elb.example', '80/TCP,443/TCP', '2/4', '60s'],
    ],
    ['ClusterIP', s({ type: 'ClusterIP', ports: [{ port: 53, protocol: 'UDP' }] }), ['nginx', 'ClusterIP', '<none>', '53/UDP', '<none>', '60s']],
  ])('%s', (_n, svc, cells) => expect(services.table.cells(svc, now).slice(0, 6)).toEqual(cells));
});

test('renderTable returns a meta.k8s.io/v1 Table with metadata objects', () => {
  const secret = redactSecret(
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'c', namespace: 'f', creationTimestamp: created } },
    { kubeconfig: Buffer.from('x') },
  );
  const t = renderTable(secrets.table, [secret], now, '7', undefined) as {
    kind: string;
    rows: { cells: unknown[]; object: { kind: string } }[];
    columnDefinitions: unknown[];
  };
  expect(t.kind).toBe('Table');
  expect(t.rows[0]?.cells).toEqual(['c', 'Opaque', 1, '60s']);
  expect(t.rows[0]?.object.kind).toBe('PartialObjectMetadata');
  expect(t.columnDefinitions).toHaveLength(4);
});
