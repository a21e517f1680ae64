/**
 * The Kubernetes double driven through skyfed's real member client (@kubernetes/client-node):
 * its rules and its fault modes behave as a real API server's would.
 */
import { KubeMemberClient } from '../../../shared/members/kube-client';
import { MemberError } from '../../../shared/members/port';
import { FakeKubeFleet } from '../../../local/sim';
import { addressGuard, parseCidr } from '../../../shared/net/address-guard';

let fleet: FakeKubeFleet;
const client = (name: string, timeoutMs = 400, kubeconfig?: string): KubeMemberClient => {
  const c = fleet.cluster(name);
  return new KubeMemberClient({
    cluster: name,
    server: c.url,
    kubeconfig: kubeconfig ?? c.kubeconfig(),
    timeoutMs,
    retry: { attempts: 1, baseMs: 1, maxMs: 1 },
    guard: addressGuard([parseCidr('127.0.0.0/8')]),
  });
};
const reason = async (p: Promise<unknown>): Promise<string> =>
  p.then(
    () => 'ok',
    (e: unknown) => (e instanceof MemberError ? e.reason : String(e)),
  );
const svc = (name: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name },
  spec: { type: 'LoadBalancer', ports: [{ port: 8080 }], ...extra },
});

beforeAll(async () => {
  fleet = await FakeKubeFleet.start([
    { name: 'a', region: 'r', zones: ['r-a', 'r-b'] },
    { name: 'b', topologyLabels: 'legacy', region: 'q', zones: ['q-x'] },
  ]);
});
afterAll(async () => fleet?.stop());

test('Service rules: 404 namespace, allocation, 409 AlreadyExists, stale resourceVersion 409, 422 invalid, immutable clusterIP', async () => {
  const c = client('a');
  expect(await reason(c.createService('ns1', svc('web') as never))).toBe('NotFound');
  await c.createNamespace('ns1');
  const made = await c.createService('ns1', svc('web') as never);
  expect(made.spec.clusterIP).toMatch(/^10\.96\.0\.\d+$/);
  expect(made.spec.ports?.[0]?.nodePort).toBeGreaterThanOrEqual(30000);
  expect(await reason(c.createService('ns1', svc('web') as never))).toBe('AlreadyExists');
  expect(await reason(c.replaceService('ns1', 'web', { ...made, metadata: { ...made.metadata, resourceVersion: '1' } }))).toBe('Conflict');
  expect(await reason(c.createService('ns1', svc('Bad_Name') as never))).toBe('Invalid');
  expect(await reason(c.createService('ns1', svc('noports', { ports: [] }) as never))).toBe('Invalid');
  // The load-balancer simulator writes status (a new resourceVersion) on its own clock, and a stale
  // resourceVersion is refused with Conflict before validation runs, as the API server does: re-read and
  // retry until the write reaches validation.
  let outcome = 'Conflict';
  for (let attempt = 0; attempt < 10 && outcome === 'Conflict'; attempt++) {
    const fresh = (await c.getService('ns1', 'web'))!;
    outcome = await reason(c.replaceService('ns1', 'web', { ...fresh, spec: { ...fresh.spec, clusterIP: '10.0.0.1' } }));
  }
  expect(outcome).toBe('Invalid');
});

test('endpoints, topology (new and legacy labels), version and readiness', async () => {
  const c = client('a');
  fleet.cluster('a').setReadyEndpoints('ns1', 'web', 3);
  expect(await c.readyEndpoints('ns1', 'web')).toBe(3);
  expect((await c.readyEndpointsAll()).get('ns1/web')).toBe(3);
  expect(await c.topology()).toEqual({ zones: ['r-a', 'r-b'], region: 'r' });
  expect(await client('b').topology()).toEqual({ zones: ['q-x'], region: 'q' });
  expect(await c.version()).toBe('v1.30.2');
  expect(await c.ready()).toBe(true);
});

test('each cluster has its own CA and token', async () => {
  const b = fleet.cluster('b');
  const withAsCa = fleet.cluster('a').kubeconfig().replace(fleet.cluster('a').url, b.url);
  expect(await reason(client('b', 400, withAsCa).version())).toBe('BadCredentials');
  const wrongToken = b.kubeconfig().replace(b.token, 'not-the-token');
  expect(await reason(client('b', 400, wrongToken).listServices())).toBe('Unauthorized');
});

test.each<[string, Parameters<FakeKubeFleet['clusters'][number]['setFault']>[0], string]>([
  ['hang → the call times out', { mode: 'hang' }, 'Timeout'],
  ['refused → unreachable', { mode: 'refused' }, 'Unreachable'],
  ['5xx → server error', { mode: '5xx' }, 'ServerError'],
  ['expired token → 401', { mode: 'expiredToken' }, 'Unauthorized'],
  ['slow beyond the time-out → time-out', { mode: 'slow', delayMs: 800 }, 'Timeout'],
])('%s, and recovery after clearing', async (_n, fault, expected) => {
  const cl = fleet.cluster('b');
  await cl.setFault(fault);
  const started = Date.now();
  expect(await reason(client('b').listServices())).toBe(expected);
  expect(Date.now() - started).toBeLessThan(1500);
  await cl.setFault({ mode: 'none' });
  expect(await reason(client('b').listServices())).toBe('ok');
});

test('the load-balancer simulator assigns ingress and really listens on it', async () => {
  const c = client('a');
  const got = await new Promise<string>((resolve) => {
    const poll = async (): Promise<void> => {
      const s = await c.getService('ns1', 'web');
      const ip = s?.status?.loadBalancer?.ingress?.[0]?.ip;
      if (ip) resolve(ip);
      else setTimeout(() => void poll(), 20);
    };
    void poll();
  });
  const { tcpOrHttpProbe } = await import('../../../shared/sweep/probe');
  expect((await tcpOrHttpProbe({ address: got, port: 8080 }, 500)).ok).toBe(true);
  await fleet.cluster('a').setLoadBalancerAnswering('ns1', 'web', false);
  expect((await tcpOrHttpProbe({ address: got, port: 8080 }, 500)).ok).toBe(false);
});
