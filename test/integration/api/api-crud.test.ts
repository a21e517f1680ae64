/**
 * The API on the real Firestore emulator: Kubernetes semantics a client relies on.
 */
import { ADMIN_TOKEN, VIEW_TOKEN } from '../../harness/api-server';
import { apiServerForThisFile } from '../../harness/api-file';
import { call } from '../../harness/http';

const api = apiServerForThisFile();

const T = { token: ADMIN_TOKEN };
const nginx = (over: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'nginx', labels: { app: 'nginx' } },
  spec: { type: 'LoadBalancer', selector: { app: 'nginx' }, ports: [{ port: 80 }] },
  ...over,
});
const cluster = (name: string) => ({
  apiVersion: 'federation/v1beta1',
  kind: 'Cluster',
  metadata: { name, labels: { cloud: 'gce' } },
  spec: { serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: 'https://203.0.113.7:6443' }], secretRef: { name } },
});

test('create, get, list, update with resourceVersion, conflict on stale write', async () => {
  const created = await call(api.url, 'POST', '/api/v1/namespaces/web/services', { ...T, body: nginx() });
  expect(created.status).toBe(201);
  const meta = created.body['metadata'] as Record<string, unknown>;
  expect(meta['uid']).toMatch(/^[0-9a-f-]{36}$/);
  expect(meta['namespace']).toBe('web');
  expect(meta['generation']).toBe(1);
  expect(meta['creationTimestamp']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  const rv1 = meta['resourceVersion'] as string;
  expect((created.body['spec'] as Record<string, unknown>)['sessionAffinity']).toBe('None');

  const again = await call(api.url, 'POST', '/api/v1/namespaces/web/services', { ...T, body: nginx() });
  expect(again.status).toBe(409);
  expect(again.body['reason']).toBe('AlreadyExists');
  expect(again.body['kind']).toBe('Status');

  const got = await call(api.url, 'GET', '/api/v1/namespaces/web/services/nginx', T);
  expect(got.status).toBe(200);
  expect((got.body['metadata'] as Record<string, unknown>)['resourceVersion']).toBe(rv1);

  const put = await call(api.url, 'PUT', '/api/v1/namespaces/web/services/nginx', {
    ...T,
    body: { ...nginx(), metadata: { name: 'nginx', resourceVersion: rv1, labels: { app: 'nginx' } }, spec: { type: 'LoadBalancer', ports: [{ port: 8080 }] } },
  });
  expect(put.status).toBe(200);
  const putMeta = put.body['metadata'] as Record<string, unknown>;
  expect(putMeta['generation']).toBe(2);
  expect(putMeta['uid']).toBe(meta['uid']);
  expect(Number(putMeta['resourceVersion'])).toBeGreaterThan(Number(rv1));

  const stale = await call(api.url, 'PUT', '/api/v1/namespaces/web/services/nginx', {
    ...T,
    body: { ...nginx(), metadata: { name: 'nginx', resourceVersion: rv1 } },
  });
  expect(stale.status).toBe(409);
  expect(stale.body['reason']).toBe('Conflict');
  const after = await call(api.url, 'GET', '/api/v1/namespaces/web/services/nginx', T);
  expect((after.body['spec'] as { ports: { port: number }[] }).ports[0]?.port).toBe(8080);

  const list = await call(api.url, 'GET', '/api/v1/services?labelSelector=app%3Dnginx', T);
  expect(list.body['kind']).toBe('ServiceList');
  expect((list.body['items'] as unknown[]).length).toBe(1);
  const none = await call(api.url, 'GET', '/api/v1/services?labelSelector=app%3Dother', T);
  expect((none.body['items'] as unknown[]).length).toBe(0);
});

test('clusters are cluster-scoped, listed with label selectors, rendered as a Table', async () => {
  for (const n of ['gce-us-east1', 'gce-asia-east1']) {
    expect((await call(api.url, 'POST', '/apis/federation/v1beta1/clusters', { ...T, body: cluster(n) })).status).toBe(201);
  }
  const table = await call(api.url, 'GET', '/apis/federation/v1beta1/clusters', {
    ...T,
    accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json',
  });
  expect(table.body['kind']).toBe('Table');
  const rows = table.body['rows'] as { cells: string[] }[];
  expect(rows.map((r) => r.cells[0])).toEqual(['gce-asia-east1', 'gce-us-east1']);
  expect(rows[0]?.cells[1]).toBe('Unknown');
  const got = await call(api.url, 'GET', '/apis/federation/v1beta1/clusters/gce-us-east1', T);
  expect((got.body['spec'] as { secretRef: { namespace: string } }).secretRef.namespace).toBe('federation-system');
});

test('secret data is write-only, sealed at rest, kept across label patches', async () => {
  const token = 'super-secret-member-token-value';
  const kubeconfig = `apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: https://203.0.113.7:6443\ncontexts:\n- name: c\n  context: {cluster: c, user: u}\ncurrent-context: c\nusers:\n- name: u\n  user:\n    token: ${token}\n`;
  const res = await call(api.url, 'POST', '/api/v1/namespaces/federation-system/secrets', {
    ...T,
    body: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'gce-us-east1' }, data: { kubeconfig: Buffer.from(kubeconfig).toString('base64') } },
  });
  expect(res.status).toBe(201);
  expect(res.text).not.toContain(token);
  expect(res.body['data']).toBeUndefined();
  const stored = (await api.db.doc('namespaces/federation-system/secrets/gce-us-east1').get()).data();
  expect(JSON.stringify(stored)).not.toContain(token);
  expect(JSON.stringify(stored)).not.toContain(Buffer.from(kubeconfig).toString('base64'));
  const sealedBefore = JSON.stringify(stored?.['internal']);

  const patched = await call(api.url, 'PATCH', '/api/v1/namespaces/federation-system/secrets/gce-us-east1', {
    ...T,
    body: { metadata: { labels: { team: 'platform' } } },
    contentType: 'application/merge-patch+json',
  });
  expect(patched.status).toBe(200);
  expect((patched.body['metadata'] as { labels: Record<string, string> }).labels).toEqual({ team: 'platform' });
  const storedAfter = (await api.db.doc('namespaces/federation-system/secrets/gce-us-east1').get()).data();
  expect(JSON.stringify(storedAfter?.['internal'])).toBe(sealedBefore);

  const list = await call(api.url, 'GET', '/api/v1/namespaces/federation-system/secrets', T);
  expect(list.text).not.toContain(token);
  expect(list.text).toContain('kubeconfig:');
});

test('server-side apply creates, then updates and drops fields the manager stopped applying', async () => {
  const q = '?fieldManager=kubectl&fieldValidation=Strict&force=false';
  const yaml1 =
    'apiVersion: v1\nkind: Service\nmetadata:\n  name: applied\n  labels:\n    a: "1"\n    b: "2"\nspec:\n  type: LoadBalancer\n  ports:\n  - port: 80\n';
  const first = await call(api.url, 'PATCH', `/api/v1/namespaces/web/services/applied${q}`, { ...T, body: yaml1, contentType: 'application/apply-patch+yaml' });
  expect(first.status).toBe(201);
  const yaml2 = yaml1.replace('    b: "2"\n', '');
  const second = await call(api.url, 'PATCH', `/api/v1/namespaces/web/services/applied${q}`, {
    ...T,
    body: yaml2,
    contentType: 'application/apply-patch+yaml',
  });
  expect(second.status).toBe(200);
  expect((second.body['metadata'] as { labels: Record<string, string> }).labels).toEqual({ a: '1' });
  const rv = (second.body['metadata'] as { resourceVersion: string }).resourceVersion;
  const third = await call(api.url, 'PATCH', `/api/v1/namespaces/web/services/applied${q}`, { ...T, body: yaml2, contentType: 'application/apply-patch+yaml' });
  expect((third.body['metadata'] as { resourceVersion: string }).resourceVersion).toBe(rv);
});

test('delete: Status on success, 404 after, preconditions enforced, dryRun writes nothing', async () => {
  await call(api.url, 'POST', '/api/v1/namespaces/del/services', { ...T, body: nginx() });
  const dry = await call(api.url, 'DELETE', '/api/v1/namespaces/del/services/nginx?dryRun=All', T);
  expect(dry.status).toBe(200);
  expect((await call(api.url, 'GET', '/api/v1/namespaces/del/services/nginx', T)).status).toBe(200);
  const pre = await call(api.url, 'DELETE', '/api/v1/namespaces/del/services/nginx', { ...T, body: { preconditions: { uid: 'not-the-uid' } } });
  expect(pre.status).toBe(409);
  const del = await call(api.url, 'DELETE', '/api/v1/namespaces/del/services/nginx', { ...T, body: { propagationPolicy: 'Background' } });
  expect(del.status).toBe(200);
  expect(del.body['status']).toBe('Success');
  const gone = await call(api.url, 'GET', '/api/v1/namespaces/del/services/nginx', T);
  expect(gone.status).toBe(404);
  expect(gone.body['message']).toBe('services "nginx" not found');
});

test('a Service with a member finalizer is marked for deletion; Orphan adds the orphan finalizer', async () => {
  await call(api.url, 'POST', '/api/v1/namespaces/fin/services', {
    ...T,
    body: nginx({ metadata: { name: 'nginx', finalizers: ['skyfed.io/member-cleanup'] } }),
  });
  const del = await call(api.url, 'DELETE', '/api/v1/namespaces/fin/services/nginx', { ...T, body: { propagationPolicy: 'Orphan' } });
  expect(del.status).toBe(200);
  const meta = (await call(api.url, 'GET', '/api/v1/namespaces/fin/services/nginx', T)).body['metadata'] as Record<string, unknown>;
  expect(meta['deletionTimestamp']).toBeDefined();
  expect(meta['finalizers']).toEqual(['skyfed.io/member-cleanup', 'orphan']);
});

test('view role may read but not write; no token is 401', async () => {
  expect((await call(api.url, 'GET', '/api/v1/services', { token: VIEW_TOKEN })).status).toBe(200);
  const w = await call(api.url, 'POST', '/api/v1/namespaces/web/services', { token: VIEW_TOKEN, body: nginx({ metadata: { name: 'x' } }) });
  expect(w.status).toBe(403);
  expect(w.body['reason']).toBe('Forbidden');
  const anon = await call(api.url, 'GET', '/api/v1/services');
  expect(anon.status).toBe(401);
  expect((await call(api.url, 'GET', '/version')).status).toBe(200);
});

test('fieldValidation=Warn drops unknown fields with a Warning header', async () => {
  const res = await call(api.url, 'POST', '/api/v1/namespaces/warn/services?fieldValidation=Warn', {
    ...T,
    body: nginx({ spec: { type: 'ClusterIP', ports: [{ port: 80 }], bogus: 1 } }),
  });
  expect(res.status).toBe(201);
  expect(String(res.headers['warning'])).toContain('unknown field \\"spec.bogus\\"');
  expect((res.body['spec'] as Record<string, unknown>)['bogus']).toBeUndefined();
});

test('the log line of a request carries its execution id and trace, never its token', async () => {
  const trace = '0af7651916cd43dd8448eb211c80319c';
  const r = await fetch(`${api.url}/api/v1/namespaces/web/services`, {
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'function-execution-id': 'exec-7f3a', traceparent: `00-${trace}-b7ad6b7169203331-01` },
  });
  expect(r.status).toBe(200);
  const lines = api.logs.filter((l) => l.includes('exec-7f3a')).map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(lines).toEqual([
    expect.objectContaining({
      component: 'api',
      message: 'request',
      path: '/api/v1/namespaces/web/services',
      code: 200,
      executionId: 'exec-7f3a',
      'logging.googleapis.com/trace': `projects/${api.projectId}/traces/${trace}`,
    }),
  ]);
  expect(api.logs.join('\n')).not.toContain(ADMIN_TOKEN);
});
