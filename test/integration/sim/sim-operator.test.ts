/**
 * The member simulator as `skyfed join` and a user with kubectl meet it: ServiceAccounts, token
 * Secrets and RBAC by Kubernetes' rules (the SA token authenticates and is authorized by what is
 * bound to it), the failure knobs, and state that survives a restart.
 */
import { mkdtempSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:https';
import { KubeMemberClient } from '../../../shared/members/kube-client';
import { MemberError } from '../../../shared/members/port';
import { addressGuard, parseCidr } from '../../../shared/net/address-guard';
import { FakeCluster } from '../../../local/sim';
import { startPersistentCluster } from '../../../local/sim/persist';
import { MEMBER_RULES, inlineKubeconfig, memberObjects } from '../../../cli/member-objects';

let c: FakeCluster;
let flush: () => void;
const dir = mkdtempSync(join(tmpdir(), 'skyfed-sim-'));
const file = join(dir, 'm.json');

function call(
  method: string,
  path: string,
  body?: unknown,
  opts: { token?: string; contentType?: string } = {},
): Promise<{ code: number; body: Record<string, unknown> }> {
  const u = new URL(path, c.url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname + u.search,
        method,
        ca: c.caPem,
        timeout: 3000,
        agent: false,
        headers: { authorization: `Bearer ${opts.token ?? c.token}`, 'content-type': opts.contentType ?? 'application/json' },
      },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => {
          text += d.toString();
        });
        res.on('end', () => resolve({ code: res.statusCode ?? 0, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} }));
      },
    );
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

const pathOf = (m: { apiVersion: string; kind: string; metadata: { namespace?: string } }): string => {
  const plural = `${m.kind.toLowerCase()}s`;
  const base = m.apiVersion === 'v1' ? '/api/v1' : `/apis/${m.apiVersion}`;
  return `${base}${m.metadata.namespace ? `/namespaces/${m.metadata.namespace}` : ''}/${plural}`;
};

function tcpConnect(ip: string, port: number, ms: number): Promise<'open' | 'refused' | 'timeout'> {
  return new Promise((resolve) => {
    const s = connect({ host: ip, port });
    const t = setTimeout(() => {
      s.destroy();
      resolve('timeout');
    }, ms);
    s.once('connect', () => {
      clearTimeout(t);
      s.destroy();
      resolve('open');
    });
    s.once('error', () => {
      clearTimeout(t);
      resolve('refused');
    });
  });
}

beforeAll(async () => {
  const p = await startPersistentCluster(0, { name: 'm', region: 'r', zones: ['r-a'], lbDelayMs: 10, lbNet: 200 + (process.pid % 50) }, file);
  c = p.cluster;
  flush = p.flush;
});
afterAll(async () => c?.stop());

let saToken = '';

test("join's objects: created with 201, 409 on a second create, the token Secret gets a token the API then accepts with exactly the bound rights", async () => {
  const objs = memberObjects({ namespace: 'skyfed-system', serviceAccount: 'skyfed', inClusterDns: false });
  expect((await call('POST', pathOf(objs[1] as never), objs[1])).code).toBe(404); // the namespace does not exist yet
  for (const o of objs) {
    const r = await call('POST', o.kind === 'Namespace' ? '/api/v1/namespaces' : pathOf(o as never), o);
    expect([o.kind, r.code]).toEqual([o.kind, 201]);
  }
  expect((await call('POST', pathOf(objs[1] as never), objs[1])).body['reason']).toBe('AlreadyExists');
  const secret = await call('GET', '/api/v1/namespaces/skyfed-system/secrets/skyfed-token');
  saToken = Buffer.from(String((secret.body['data'] as Record<string, string>)['token']), 'base64').toString();
  expect(saToken).not.toBe(c.token);

  const kubeconfig = inlineKubeconfig({ name: 'm', server: c.url, caData: Buffer.from(c.caPem).toString('base64'), token: saToken });
  const sa = new KubeMemberClient({
    cluster: 'm',
    server: c.url,
    kubeconfig,
    timeoutMs: 2000,
    retry: { attempts: 1, baseMs: 1, maxMs: 1 },
    guard: addressGuard([parseCidr('127.0.0.0/8')]),
  });
  await sa.createNamespace('web');
  await sa.createService('web', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'nginx' },
    spec: { type: 'LoadBalancer', ports: [{ port: 80 }] },
  } as never);
  expect((await sa.listServices()).map((s) => s.metadata.name)).toEqual(['nginx']);
  expect(await sa.topology()).toEqual({ zones: ['r-a'], region: 'r' });
  expect((await sa.readyEndpointsAll()).get('web/nginx')).toBe(2);
  // Not granted: Secrets, RBAC, deleting namespaces.
  const denied = await call('GET', '/api/v1/namespaces/skyfed-system/secrets', undefined, { token: saToken });
  expect([denied.code, denied.body['reason']]).toEqual([403, 'Forbidden']);
  expect(String(denied.body['message'])).toContain('User "system:serviceaccount:skyfed-system:skyfed" cannot list resource "secrets"');
  expect((await call('DELETE', '/api/v1/namespaces/web', undefined, { token: saToken })).code).toBe(403);
  expect((await call('POST', '/apis/rbac.authorization.k8s.io/v1/clusterroles', { metadata: { name: 'x' }, rules: [] }, { token: saToken })).code).toBe(403);
  // Validation: a binding's roleRef is immutable, rules need verbs.
  const crb = await call('GET', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/skyfed-system:skyfed');
  const changed = await call('PUT', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/skyfed-system:skyfed', {
    ...crb.body,
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
  });
  expect([changed.code, changed.body['reason']]).toEqual([422, 'Invalid']);
  expect(
    (await call('POST', '/apis/rbac.authorization.k8s.io/v1/clusterroles', { metadata: { name: 'bad' }, rules: [{ apiGroups: [''], resources: ['x'] }] })).code,
  ).toBe(422);
  expect(MEMBER_RULES.flatMap((r) => r.resources)).not.toContain('secrets');
  expect((await call('GET', '/apis/rbac.authorization.k8s.io/v1/clusterroles/skyfed-system%3Askyfed')).code).toBe(200);
  expect(((await call('GET', '/api/v1/namespaces/skyfed-system')).body['metadata'] as { labels: Record<string, string> }).labels).toEqual({
    'app.kubernetes.io/managed-by': 'skyfed-join',
  });
});

test('deleting the ServiceAccount revokes its token (401); a wrong token is 401', async () => {
  const probe = async (): Promise<number> => (await call('GET', '/api/v1/services', undefined, { token: saToken })).code;
  expect(await probe()).toBe(200);
  expect((await call('GET', '/api/v1/services', undefined, { token: `${saToken}x` })).code).toBe(401);
  const sa = await call('GET', '/api/v1/namespaces/skyfed-system/serviceaccounts/skyfed');
  expect((await call('DELETE', '/api/v1/namespaces/skyfed-system/serviceaccounts/skyfed')).code).toBe(200);
  expect(await probe()).toBe(401);
  expect((await call('GET', '/api/v1/namespaces/skyfed-system/secrets/skyfed-token')).code).toBe(404);
  expect((await call('DELETE', '/api/v1/namespaces/skyfed-system/serviceaccounts/skyfed')).code).toBe(404);
  expect((await call('POST', '/api/v1/namespaces/skyfed-system/serviceaccounts', { metadata: { name: 'skyfed' } })).code).toBe(201);
  expect(sa.code).toBe(200);
});

test('knobs: lb=refuse and lb=blackhole on the Service, EndpointSlice delete and patch, api=down on the Node; each heals', async () => {
  const svc = await waitFor(async () => {
    const s = c.getService('web', 'nginx');
    return s?.status?.loadBalancer?.ingress?.[0]?.ip ? s : undefined;
  });
  const ip = svc.status?.loadBalancer?.ingress?.[0]?.ip as string;
  const annotate = (v: Record<string, string | null>) =>
    call('PATCH', '/api/v1/namespaces/web/services/nginx', { metadata: { annotations: v } }, { contentType: 'application/strategic-merge-patch+json' });
  expect(await tcpConnect(ip, 80, 1000)).toBe('open');
  expect((await annotate({ 'demo.skyfed.io/lb': 'refuse' })).code).toBe(200);
  expect(await tcpConnect(ip, 80, 1000)).toBe('refused');
  expect((await annotate({ 'demo.skyfed.io/lb': 'blackhole' })).code).toBe(200);
  await waitFor(async () => ((await tcpConnect(ip, 80, 700)) === 'timeout' ? true : undefined));
  expect((await annotate({ 'demo.skyfed.io/lb': 'sideways' })).code).toBe(422);
  expect((await annotate({ 'demo.skyfed.io/lb': 'ok' })).code).toBe(200);
  await waitFor(async () => ((await tcpConnect(ip, 80, 1000)) === 'open' ? true : undefined));

  const slices = await call('GET', '/apis/discovery.k8s.io/v1/namespaces/web/endpointslices');
  const name = ((slices.body['items'] as { metadata: { name: string } }[])[0] as { metadata: { name: string } }).metadata.name;
  const ready = async (): Promise<number> =>
    ((await call('GET', '/apis/discovery.k8s.io/v1/endpointslices')).body['items'] as { endpoints: unknown[] }[]).reduce((n, s) => n + s.endpoints.length, 0);
  expect(
    (await call('PATCH', `/apis/discovery.k8s.io/v1/namespaces/web/endpointslices/${name}`, { endpoints: [] }, { contentType: 'application/merge-patch+json' }))
      .code,
  ).toBe(200);
  expect(await ready()).toBe(0);
  expect((await annotate({ 'demo.skyfed.io/endpoints': '3' })).code).toBe(200);
  expect(await ready()).toBe(3);
  expect((await call('DELETE', `/apis/discovery.k8s.io/v1/namespaces/web/endpointslices/${name}`)).code).toBe(200);
  expect((await call('GET', '/apis/discovery.k8s.io/v1/endpointslices')).body['items']).toEqual([]);
  expect((await call('PATCH', '/api/v1/namespaces/web/services/nginx', [{ op: 'add' }], { contentType: 'application/json-patch+json' })).code).toBe(415);
  c.setReadyEndpoints('web', 'nginx', 2);

  const node = (v: string) =>
    call(
      'PATCH',
      '/api/v1/nodes/node-0',
      { metadata: { annotations: { 'demo.skyfed.io/api': v } } },
      { contentType: 'application/strategic-merge-patch+json' },
    );
  expect((await node('down')).code).toBe(200);
  await expect(call('GET', '/api/v1/services')).rejects.toThrow();
  await expect(call('GET', '/readyz')).rejects.toThrow();
  expect((await call('GET', '/api/v1/nodes')).code).toBe(200); // the admin's kubectl can still heal it
  expect((await node('up')).code).toBe(200);
  expect((await call('GET', '/api/v1/services')).code).toBe(200);
});

test('a restarted member keeps its address, CA, token, objects, load balancer and knobs', async () => {
  const before = { url: c.url, ca: c.caPem, token: c.token, svc: c.getService('web', 'nginx') };
  await call(
    'PATCH',
    '/api/v1/namespaces/web/services/nginx',
    { metadata: { annotations: { 'demo.skyfed.io/lb': 'refuse' } } },
    { contentType: 'application/merge-patch+json' },
  );
  flush();
  await c.stop();
  const again = await startPersistentCluster(0, { name: 'm', region: 'r', zones: ['r-a'], lbDelayMs: 10, lbNet: 200 + (process.pid % 50) }, file);
  c = again.cluster;
  expect([c.url, c.caPem, c.token]).toEqual([before.url, before.ca, before.token]);
  expect(c.getService('web', 'nginx')?.metadata.uid).toBe(before.svc?.metadata.uid);
  const ip = before.svc?.status?.loadBalancer?.ingress?.[0]?.ip as string;
  expect(c.getService('web', 'nginx')?.status?.loadBalancer?.ingress?.[0]?.ip).toBe(ip);
  expect((await call('GET', '/api/v1/namespaces/skyfed-system/serviceaccounts/skyfed')).code).toBe(200);
  await new Promise((r) => setTimeout(r, 200));
  expect(await tcpConnect(ip, 80, 1000)).toBe('refused');
  await call(
    'PATCH',
    '/api/v1/namespaces/web/services/nginx',
    { metadata: { annotations: { 'demo.skyfed.io/lb': 'ok' } } },
    { contentType: 'application/merge-patch+json' },
  );
  await waitFor(async () => ((await tcpConnect(ip, 80, 1000)) === 'open' ? true : undefined));
  const err = await new KubeMemberClient({
    cluster: 'm',
    server: c.url,
    kubeconfig: c.kubeconfig().replace(c.token, 'nope'),
    timeoutMs: 1000,
    retry: { attempts: 1, baseMs: 1, maxMs: 1 },
    guard: addressGuard([parseCidr('127.0.0.0/8')]),
  })
    .listServices()
    .catch((e: unknown) => e);
  expect(err instanceof MemberError && err.reason).toBe('Unauthorized');
});

async function waitFor<T>(f: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}
