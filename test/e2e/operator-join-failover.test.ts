/**
 * Day one for an operator (issue 12): `skyfed join` three demo members (the stored kubeconfig holds
 * the member ServiceAccount's token, not the operator's), `skyfed status`, then each failure knob
 * on gce-us-central1 moves DNS as the README's "Watch it fail over" shows, within sweep interval ×
 * failure threshold + the probe time-out + one write; `skyfed unjoin --delete-services`.
 */
import { join } from 'node:path';
import { ROOT, buildOnce } from '../harness/stack';
import { OperatorStack, waitFor } from './operator-stack';

const INTERVAL_S = 1;
const THRESHOLD = 2;
const PROBE_TIMEOUT_S = 0.5;
/** interval × threshold + probe time-out + one DNS write (1 s), plus 5 s for a busy shared machine (measured 2.1 s alone, 7.5 s with a second stack running beside it). */
const BOUND_S = INTERVAL_S * THRESHOLD + PROBE_TIMEOUT_S + 1;
const SLACK_S = 5;

const stack = new OperatorStack(
  ['--demo-clusters', '3', '--sweep-interval', `${INTERVAL_S}s`, '--reconcile-interval', '5s', '--demo-lb-net', String(120 + (process.pid % 40))],
  { SKYFED_PROBE_TIMEOUT_MS: String(PROBE_TIMEOUT_S * 1000), SKYFED_FAILURE_THRESHOLD: String(THRESHOLD), SKYFED_SUCCESS_THRESHOLD: String(THRESHOLD) },
);
const MEMBERS = ['gce-asia-east1', 'gce-europe-west1', 'gce-us-central1'];
const GLOBAL = 'nginx.mynamespace.myfederation.svc.example.com';
const REGIONAL = 'nginx.mynamespace.myfederation.svc.us-central1.example.com';
const ZONAL = 'nginx.mynamespace.myfederation.svc.us-central1-a.us-central1.example.com';
const measured: Record<string, number> = {};

beforeAll(async () => {
  await buildOnce();
  await stack.start();
}, 300_000);
afterAll(async () => {
  await stack.stop();
  process.stdout.write(`operator e2e failover seconds (bound ${BOUND_S} s): ${JSON.stringify(measured)}\n`);
});

test('join: dry-run changes nothing; join makes SA + least RBAC + token, stores only that token inline, waits for Ready; a second join is a no-op', async () => {
  const dry = await stack.skyfed(['join', 'gce-asia-east1', '--context', 'gce-asia-east1', '--dry-run']);
  expect(dry.code).toBe(0);
  expect(dry.stdout).toContain('would create  ServiceAccount skyfed-system/skyfed');
  expect(dry.stdout).toContain('would create  Cluster gce-asia-east1 (federation)');
  expect((await stack.kubectl(['get', 'ns', 'skyfed-system'], 'gce-asia-east1')).stderr).toContain('not found');
  expect((await stack.kubectl(['get', 'clusters'])).stdout).not.toContain('gce-asia-east1');

  for (const m of MEMBERS) {
    const r = await stack.skyfed(['join', m, '--context', m, '--labels', 'cloud=gce', '--wait', '90s']);
    expect([m, r.code, r.stderr]).toEqual([m, 0, '']);
    expect(r.stdout).toContain('created  ClusterRole skyfed-system:skyfed');
    expect(r.stdout).toMatch(new RegExp(`\\n${m}\\s+Ready\\s+v1\\.30\\.2\\s`));
  }
  const kubeconfig = await stack.storedKubeconfig('gce-asia-east1');
  const secret = await stack.kubectl(['get', 'secret', 'skyfed-token', '-n', 'skyfed-system', '-o', 'jsonpath={.data.token}'], 'gce-asia-east1');
  const saToken = Buffer.from(secret.stdout, 'base64').toString();
  const adminToken = /token: (\S+)/.exec(await stack.run('cat', [join(stack.state, 'demo', 'gce-asia-east1.kubeconfig')]).then((x) => x.stdout))?.[1];
  expect(saToken.length).toBeGreaterThan(20);
  expect(kubeconfig).toContain(`token: ${JSON.stringify(saToken)}`);
  expect(kubeconfig).not.toContain(adminToken as string);
  expect(kubeconfig).toMatch(/certificate-authority-data: \S+/);
  expect(kubeconfig).not.toMatch(/exec:|auth-provider|client-key:|certificate-authority:|proxy-url|username|password/);
  const again = await stack.skyfed(['join', 'gce-asia-east1', '--context', 'gce-asia-east1', '--labels', 'cloud=gce', '--wait', '30s']);
  expect(again.code).toBe(0);
  expect(again.stdout).toContain('unchanged     ClusterRoleBinding skyfed-system:skyfed');
  expect(again.stdout).not.toMatch(/^created/m);
}, 240_000);

test('status shows clusters, services and shard health from the API', async () => {
  expect((await stack.kubectl(['create', '-f', join(ROOT, 'examples/services/nginx.yaml')])).code).toBe(0);
  await waitFor(
    '3 healthy shards',
    async () => {
      const r = await stack.dig(GLOBAL);
      return r.split('\n').filter(Boolean).length === 3 ? r : undefined;
    },
    60_000,
  );
  const s = await stack.skyfed(['status']);
  expect(s.code).toBe(0);
  expect(s.stdout).toMatch(/CLUSTERS \(3\)\nNAME\s+STATUS\s+VERSION\s+REGION\s+ZONES\s+AGE/);
  expect(s.stdout).toMatch(/gce-us-central1\s+Ready\s+v1\.30\.2\s+us-central1\s+us-central1-a,us-central1-f\s/);
  expect(s.stdout).toMatch(/mynamespace\s+nginx\s+LoadBalancer\s+80\/TCP\s+3\/3\s/);
  expect(s.stdout).toMatch(/mynamespace\/nginx\s+gce-us-central1\s+yes\s+Healthy\s+2\s+127\.\d+\.0\.1/);
}, 120_000);

async function centralIp(): Promise<string> {
  const r = await stack.kubectl(['get', 'svc', 'nginx', '-n', 'mynamespace', '-o', 'jsonpath={.status.loadBalancer.ingress[0].ip}'], 'gce-us-central1');
  return r.stdout.trim();
}

/** Breaks us-central1 with `breakIt`, measures until DNS drops it, heals, measures until it is back. */
async function failover(knob: string, breakIt: () => Promise<unknown>, heal: () => Promise<unknown>): Promise<void> {
  const ip = await centralIp();
  expect((await stack.dig(GLOBAL)).split('\n')).toContain(ip);
  const typed = Date.now();
  await breakIt();
  // Measured from when the user's kubectl returned (kubectl itself takes a second or more on a busy machine).
  const t0 = Date.now();
  await waitFor(`${knob}: DNS without ${ip}`, async () => (!(await stack.dig(GLOBAL)).split('\n').includes(ip) ? true : undefined), 30_000, 100);
  measured[`${knob} out`] = (Date.now() - t0) / 1000;
  measured[`${knob} out, from typing`] = (Date.now() - typed) / 1000;
  // Regional and zonal names now CNAME to the next level up.
  expect(await stack.run('dig', ['@127.0.0.1', '-p', String(stack.dnsPort()), REGIONAL, 'CNAME', '+short']).then((r) => r.stdout.trim())).toBe(`${GLOBAL}.`);
  expect(await stack.run('dig', ['@127.0.0.1', '-p', String(stack.dnsPort()), ZONAL, 'CNAME', '+short']).then((r) => r.stdout.trim())).toBe(`${REGIONAL}.`);
  expect((await stack.dig(GLOBAL)).split('\n').filter(Boolean)).toHaveLength(2);
  await heal();
  const t1 = Date.now();
  await waitFor(`${knob}: DNS with ${ip} again`, async () => ((await stack.dig(GLOBAL)).split('\n').includes(ip) ? true : undefined), 30_000, 100);
  measured[`${knob} back`] = (Date.now() - t1) / 1000;
  expect(await stack.dig(REGIONAL)).toBe(ip);
  expect(measured[`${knob} out`]).toBeLessThanOrEqual(BOUND_S + SLACK_S);
}

const annotateSvc = (v: string): Promise<unknown> => stack.kubectl(['-n', 'mynamespace', 'annotate', 'svc', 'nginx', '--overwrite', v], 'gce-us-central1');

test('lb=blackhole (SYNs dropped) and lb=refuse: us-central1 leaves DNS and comes back', async () => {
  await failover(
    'lb=blackhole',
    () => annotateSvc('demo.skyfed.io/lb=blackhole'),
    () => annotateSvc('demo.skyfed.io/lb=ok'),
  );
  await failover(
    'lb=refuse',
    () => annotateSvc('demo.skyfed.io/lb=refuse'),
    () => annotateSvc('demo.skyfed.io/lb=ok'),
  );
}, 180_000);

test('EndpointSlice deleted (no ready endpoints): us-central1 leaves DNS; a fresh endpoint count brings it back', async () => {
  const slice = (
    await stack.kubectl(
      ['-n', 'mynamespace', 'get', 'endpointslices', '-l', 'kubernetes.io/service-name=nginx', '-o', 'jsonpath={.items[0].metadata.name}'],
      'gce-us-central1',
    )
  ).stdout.trim();
  expect(slice).toMatch(/^nginx-/);
  await failover(
    'EndpointSlice deleted',
    async () => {
      const r = await stack.kubectl(['-n', 'mynamespace', 'delete', 'endpointslice', slice, '--wait=false'], 'gce-us-central1');
      expect(r.stdout.trim()).toBe(`endpointslice.discovery.k8s.io "${slice}" deleted`);
    },
    () => annotateSvc('demo.skyfed.io/endpoints=2'),
  );
}, 120_000);

test('api=down on the Node: the cluster goes Offline, its healthy load balancer stays in DNS (a control-plane outage is not a service outage)', async () => {
  const ip = await centralIp();
  expect((await stack.kubectl(['annotate', 'node', '--all', 'demo.skyfed.io/api=down'], 'gce-us-central1')).code).toBe(0);
  const t0 = Date.now();
  await waitFor(
    'gce-us-central1 Offline',
    async () => (/gce-us-central1\s+Offline/.test((await stack.kubectl(['get', 'clusters'])).stdout) ? true : undefined),
    60_000,
    250,
  );
  measured['api=down → Offline'] = (Date.now() - t0) / 1000;
  await new Promise((r) => setTimeout(r, INTERVAL_S * THRESHOLD * 1000 + 1000));
  expect((await stack.dig(GLOBAL)).split('\n')).toContain(ip);
  expect(await stack.dig(REGIONAL)).toBe(ip);
  expect((await stack.kubectl(['annotate', 'node', '--all', '--overwrite', 'demo.skyfed.io/api=up'], 'gce-us-central1')).code).toBe(0);
  await waitFor(
    'gce-us-central1 Ready',
    async () => (/gce-us-central1\s+Ready/.test((await stack.kubectl(['get', 'clusters'])).stdout) ? true : undefined),
    60_000,
    250,
  );
}, 120_000);

test("unjoin --delete-services removes the Cluster, its credentials, what join made and skyfed's Services in the member; a second unjoin is a no-op", async () => {
  const dry = await stack.skyfed(['unjoin', 'gce-europe-west1', '--context', 'gce-europe-west1', '--delete-services', '--dry-run']);
  expect(dry.stdout).toContain('would delete  Service mynamespace/nginx');
  expect((await stack.kubectl(['get', 'sa', 'skyfed', '-n', 'skyfed-system'], 'gce-europe-west1')).code).toBe(0);
  const r = await stack.skyfed(['unjoin', 'gce-europe-west1', '--context', 'gce-europe-west1', '--delete-services']);
  expect([r.code, r.stderr]).toEqual([0, '']);
  for (const line of [
    'deleted  Cluster gce-europe-west1 (federation)',
    'deleted  Secret federation-system/gce-europe-west1 (federation)',
    'deleted  Service mynamespace/nginx',
    'deleted  ClusterRoleBinding skyfed-system:skyfed',
    'deleted  ClusterRole skyfed-system:skyfed',
    'deleted  ServiceAccount skyfed-system/skyfed',
    'deleted  Namespace skyfed-system',
  ])
    expect(r.stdout).toContain(line);
  expect((await stack.kubectl(['get', 'clusters'])).stdout).not.toContain('gce-europe-west1');
  expect((await stack.kubectl(['get', 'svc', 'nginx', '-n', 'mynamespace'], 'gce-europe-west1')).stderr).toContain('not found');
  expect((await stack.kubectl(['get', 'clusterrole', 'skyfed-system:skyfed'], 'gce-europe-west1')).stderr).toContain('not found');
  const again = await stack.skyfed(['unjoin', 'gce-europe-west1', '--context', 'gce-europe-west1']);
  expect(again.code).toBe(0);
  expect(again.stdout).toContain('absent        Cluster gce-europe-west1 (federation)');
  expect(again.stdout).not.toMatch(/^deleted/m);
}, 120_000);
