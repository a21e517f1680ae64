/**
 * Malformed requests: each gets the right 4xx `Status` and leaves every stored document exactly as
 * it was (same data, same update time).
 */
import { ADMIN_TOKEN, ApiServer, VIEW_TOKEN, snapshotStore, startApiServer } from '../../harness/api-server';
import { TestEmulator, useEmulator } from '../../harness/emulator';
import { call } from '../../harness/http';

let emu: TestEmulator;
let api: ApiServer;
let staleRv = '';
const svcPath = '/api/v1/namespaces/web/services';

const nginx = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'nginx' }, spec: { type: 'LoadBalancer', ports: [{ port: 80 }] } };
const cluster = {
  apiVersion: 'federation/v1beta1',
  kind: 'Cluster',
  metadata: { name: 'gce-us-east1' },
  spec: { serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: 'https://203.0.113.7' }], secretRef: { name: 'gce-us-east1' } },
};

beforeAll(async () => {
  emu = await useEmulator();
  api = await startApiServer();
  const T = { token: ADMIN_TOKEN };
  const first = await call(api.url, 'POST', svcPath, { ...T, body: nginx });
  staleRv = (first.body['metadata'] as { resourceVersion: string }).resourceVersion;
  await call(api.url, 'PATCH', `${svcPath}/nginx`, { ...T, body: { metadata: { labels: { v: '2' } } }, contentType: 'application/merge-patch+json' });
  await call(api.url, 'POST', '/apis/federation/v1beta1/clusters', { ...T, body: cluster });
  await call(api.url, 'POST', '/api/v1/namespaces/federation-system/secrets', {
    ...T,
    body: { metadata: { name: 'gce-us-east1' }, stringData: { kubeconfig: 'x' } },
  });
}, 60_000);
afterAll(async () => {
  await api?.close();
  await emu?.stop();
});

type Case = [string, string, string, { body?: string | object; contentType?: string; token?: string | null }, number, string];
const svc = (over: object): object => ({ ...nginx, metadata: { name: 'other' }, ...over });
const spec = (s: object): object => svc({ spec: { type: 'ClusterIP', ports: [{ port: 80 }], ...s } });
const strict = `${svcPath}?fieldValidation=Strict`;

const cases: Case[] = [
  ['broken JSON', 'POST', svcPath, { body: '{"apiVersion": "v1", "kind": ' }, 400, 'BadRequest'],
  ['JSON array body', 'POST', svcPath, { body: '[1,2]' }, 400, 'BadRequest'],
  ['JSON string body', 'POST', svcPath, { body: '"svc"' }, 400, 'BadRequest'],
  ['empty body', 'POST', svcPath, { body: '' }, 400, 'BadRequest'],
  ['broken YAML', 'POST', svcPath, { body: 'apiVersion: v1\nkind: [Service\n', contentType: 'application/yaml' }, 400, 'BadRequest'],
  ['YAML with duplicate keys', 'POST', svcPath, { body: 'metadata:\n  name: a\nmetadata:\n  name: b\n', contentType: 'application/yaml' }, 400, 'BadRequest'],
  [
    'YAML alias bomb',
    'POST',
    svcPath,
    { body: 'a: &a ["x","x","x","x","x","x","x","x","x"]\n' + Array.from({ length: 120 }, (_, i) => `k${i}: *a`).join('\n'), contentType: 'application/yaml' },
    400,
    'BadRequest',
  ],
  ['unsupported media type', 'POST', svcPath, { body: '<svc/>', contentType: 'application/xml' }, 415, 'UnsupportedMediaType'],
  ['unknown top-level field (Strict)', 'POST', strict, { body: svc({ extra: 1 }) }, 400, 'BadRequest'],
  ['unknown spec field (Strict)', 'POST', strict, { body: spec({ replicas: 3 }) }, 400, 'BadRequest'],
  ['unknown port field (Strict)', 'POST', strict, { body: spec({ ports: [{ port: 80, hostPort: 1 }] }) }, 400, 'BadRequest'],
  ['unknown metadata field (Strict)', 'POST', strict, { body: svc({ metadata: { name: 'other', nickname: 'x' } }) }, 400, 'BadRequest'],
  ['port as string', 'POST', svcPath, { body: spec({ ports: [{ port: '80' }] }) }, 400, 'BadRequest'],
  ['labels not a map of strings', 'POST', svcPath, { body: svc({ metadata: { name: 'other', labels: { a: 1 } } }) }, 400, 'BadRequest'],
  ['bad fieldValidation value', 'POST', `${svcPath}?fieldValidation=Loud`, { body: svc({}) }, 400, 'BadRequest'],
  ['wrong kind', 'POST', svcPath, { body: svc({ kind: 'Deployment' }) }, 400, 'BadRequest'],
  ['wrong apiVersion', 'POST', svcPath, { body: svc({ apiVersion: 'apps/v1' }) }, 400, 'BadRequest'],
  ['Cluster posted to services', 'POST', svcPath, { body: cluster }, 400, 'BadRequest'],
  ['namespace mismatch', 'POST', svcPath, { body: svc({ metadata: { name: 'other', namespace: 'prod' } }) }, 400, 'BadRequest'],
  ['resourceVersion on create', 'POST', svcPath, { body: svc({ metadata: { name: 'other', resourceVersion: '5' } }) }, 400, 'BadRequest'],
  ['missing name', 'POST', svcPath, { body: svc({ metadata: {} }) }, 422, 'Invalid'],
  ['upper-case name', 'POST', svcPath, { body: svc({ metadata: { name: 'Nginx' } }) }, 422, 'Invalid'],
  ['name with slash', 'POST', svcPath, { body: svc({ metadata: { name: 'a/b' } }) }, 422, 'Invalid'],
  ['name of 64 characters', 'POST', svcPath, { body: svc({ metadata: { name: 'a'.repeat(64) } }) }, 422, 'Invalid'],
  ['port out of range', 'POST', svcPath, { body: spec({ ports: [{ port: 0 }] }) }, 422, 'Invalid'],
  ['bad protocol', 'POST', svcPath, { body: spec({ ports: [{ port: 80, protocol: 'ICMP' }] }) }, 422, 'Invalid'],
  ['bad service type', 'POST', svcPath, { body: spec({ type: 'Ingress' }) }, 422, 'Invalid'],
  ['no ports', 'POST', svcPath, { body: spec({ ports: [] }) }, 422, 'Invalid'],
  ['clusterIP set', 'POST', svcPath, { body: spec({ clusterIP: '10.0.0.10' }) }, 422, 'Invalid'],
  ['invalid label key', 'POST', svcPath, { body: svc({ metadata: { name: 'other', labels: { 'bad key': 'x' } } }) }, 422, 'Invalid'],
  [
    'cluster with http server',
    'POST',
    '/apis/federation/v1beta1/clusters',
    {
      body: {
        ...cluster,
        metadata: { name: 'c2' },
        spec: { ...cluster.spec, serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: 'http://203.0.113.7' }] },
      },
    },
    422,
    'Invalid',
  ],
  [
    'cluster with bad CIDR',
    'POST',
    '/apis/federation/v1beta1/clusters',
    {
      body: {
        ...cluster,
        metadata: { name: 'c2' },
        spec: { ...cluster.spec, serverAddressByClientCIDRs: [{ clientCIDR: '10.0.0.0/40', serverAddress: 'https://a' }] },
      },
    },
    422,
    'Invalid',
  ],
  [
    'secret with non-base64 data',
    'POST',
    '/api/v1/namespaces/federation-system/secrets',
    { body: { metadata: { name: 's2' }, data: { kubeconfig: '***' } } },
    422,
    'Invalid',
  ],
  ['duplicate create', 'POST', svcPath, { body: nginx }, 409, 'AlreadyExists'],
  ['duplicate cluster', 'POST', '/apis/federation/v1beta1/clusters', { body: cluster }, 409, 'AlreadyExists'],
  ['stale resourceVersion on PUT', 'PUT', `${svcPath}/nginx`, { body: { ...nginx, metadata: { name: 'nginx', resourceVersion: 'STALE' } } }, 409, 'Conflict'],
  [
    'stale resourceVersion on patch',
    'PATCH',
    `${svcPath}/nginx`,
    { body: { metadata: { resourceVersion: 'STALE', labels: { x: 'y' } } }, contentType: 'application/merge-patch+json' },
    409,
    'Conflict',
  ],
  ['name mismatch on PUT', 'PUT', `${svcPath}/nginx`, { body: { ...nginx, metadata: { name: 'other' } } }, 400, 'BadRequest'],
  ['PUT of a missing object', 'PUT', `${svcPath}/missing`, { body: { ...nginx, metadata: { name: 'missing' } } }, 404, 'NotFound'],
  ['invalid patch result', 'PATCH', `${svcPath}/nginx`, { body: { spec: { type: 'Bogus' } }, contentType: 'application/merge-patch+json' }, 422, 'Invalid'],
  [
    'json-patch leaving an invalid object',
    'PATCH',
    `${svcPath}/nginx`,
    { body: '[{"op":"remove","path":"/spec"}]', contentType: 'application/json-patch+json' },
    422,
    'Invalid',
  ],
  [
    'json-patch whose test fails',
    'PATCH',
    `${svcPath}/nginx`,
    { body: '[{"op":"test","path":"/spec/type","value":"NodePort"},{"op":"remove","path":"/metadata/labels"}]', contentType: 'application/json-patch+json' },
    422,
    'Invalid',
  ],
  [
    'json-patch that is not a list',
    'PATCH',
    `${svcPath}/nginx`,
    { body: '{"op":"remove","path":"/spec"}', contentType: 'application/json-patch+json' },
    400,
    'BadRequest',
  ],
  [
    'apply without fieldManager',
    'PATCH',
    `${svcPath}/nginx`,
    { body: 'spec:\n  type: ClusterIP\n', contentType: 'application/apply-patch+yaml' },
    400,
    'BadRequest',
  ],
  ['delete with bad precondition', 'DELETE', `${svcPath}/nginx`, { body: { preconditions: { resourceVersion: 'STALE' } } }, 409, 'Conflict'],
  ['delete with bad propagationPolicy', 'DELETE', `${svcPath}/nginx`, { body: { propagationPolicy: 'Sideways' } }, 400, 'BadRequest'],
  ['delete of a missing object', 'DELETE', `${svcPath}/missing`, {}, 404, 'NotFound'],
  ['missing auth', 'POST', svcPath, { body: svc({}), token: null }, 401, 'Unauthorized'],
  ['wrong token', 'DELETE', `${svcPath}/nginx`, { token: 'wrong-token-0123456789abcdef' }, 401, 'Unauthorized'],
  ['read-only token writes', 'DELETE', `${svcPath}/nginx`, { token: VIEW_TOKEN }, 403, 'Forbidden'],
  ['path traversal in namespace', 'GET', '/api/v1/namespaces/..%2F..%2Fclusters/services/nginx', {}, 400, 'BadRequest'],
  ['path traversal in name', 'DELETE', `${svcPath}/..%2F..%2Fclusters%2Fgce-us-east1`, {}, 400, 'BadRequest'],
  ['dot-dot name', 'PUT', `${svcPath}/..`, { body: nginx }, 400, 'BadRequest'],
  ['encoded slash in cluster name', 'DELETE', '/apis/federation/v1beta1/clusters/gce%2Fus', {}, 400, 'BadRequest'],
  ['unknown resource', 'POST', '/api/v1/namespaces/web/pods', { body: svc({}) }, 404, 'NotFound'],
  ['cluster under a namespace', 'POST', '/apis/federation/v1beta1/namespaces/web/clusters', { body: cluster }, 404, 'NotFound'],
  ['POST to an all-namespaces list', 'POST', '/api/v1/services', { body: svc({}) }, 405, 'MethodNotAllowed'],
  ['watch with a bad label selector', 'GET', `${svcPath}?watch=true&labelSelector=a%20b`, {}, 400, 'BadRequest'],
  ['bad label selector', 'GET', `${svcPath}?labelSelector=app%3D(x`, {}, 400, 'BadRequest'],
  ['unsupported field selector', 'GET', `${svcPath}?fieldSelector=spec.type%3DLoadBalancer`, {}, 400, 'BadRequest'],
  ['bad dryRun value', 'POST', `${svcPath}?dryRun=Some`, { body: svc({}) }, 400, 'BadRequest'],
  [
    'body over 3 MiB',
    'POST',
    svcPath,
    { body: JSON.stringify(svc({ metadata: { name: 'big', annotations: { a: 'x'.repeat(3 * 1024 * 1024) } } })) },
    413,
    'RequestEntityTooLarge',
  ],
  ['annotations over 256 KiB', 'POST', svcPath, { body: svc({ metadata: { name: 'big', annotations: { a: 'x'.repeat(300 * 1024) } } }) }, 422, 'Invalid'],
];

test(`the bad-input table has at least 40 cases (${cases.length})`, () => expect(cases.length).toBeGreaterThanOrEqual(40));

test.each(cases)('%s → %s %s is %i %s, store unchanged', async (_name, method, path, opts, code, reason) => {
  const before = await snapshotStore(api.db);
  const token = opts.token === null ? undefined : (opts.token ?? ADMIN_TOKEN);
  const res = await call(api.url, method, path, {
    ...(token ? { token } : {}),
    ...(opts.body !== undefined ? { body: opts.body } : {}),
    ...(opts.contentType ? { contentType: opts.contentType } : {}),
  });
  expect({ status: res.status, kind: res.body['kind'], reason: res.body['reason'] }).toEqual({ status: code, kind: 'Status', reason });
  expect(res.body['code']).toBe(code);
  expect(typeof res.body['message']).toBe('string');
  expect(await snapshotStore(api.db)).toBe(before);
  void staleRv;
});
