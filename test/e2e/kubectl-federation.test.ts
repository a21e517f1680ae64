/**
 * The federation as a user drives it: `npm start -- --demo-clusters 4`, the seed's kubectl
 * commands, member clusters checked with their own kubectl contexts, and DNS answers read with dig
 * (or Node's resolver) from the stack's embedded server.
 */
import { execFile } from 'node:child_process';
import { Resolver } from 'node:dns/promises';
import { join } from 'node:path';
import { ROOT, RunningStack, buildOnce, startStackProcess } from '../harness/stack';
import { waitFor } from '../harness/control-plane';

let stack: RunningStack;
const CLUSTERS = ['gce-asia-east1', 'gce-europe-west1', 'gce-us-central1', 'gce-us-east1'];

beforeAll(async () => {
  await buildOnce();
  stack = await startStackProcess(['--demo-clusters', '4', '--sweep-interval', '1s', '--reconcile-interval', '5s']);
}, 180_000);
afterAll(async () => {
  await stack?.stop();
});

const demo = (p: string): string => join(stack.dir, 'state', 'demo', p);
const dnsPort = (): number => Number(/dig @127\.0\.0\.1 -p (\d+)/.exec(stack.output())?.[1]);

function dig(name: string): Promise<string | undefined> {
  return new Promise((resolve) =>
    execFile('dig', ['@127.0.0.1', '-p', String(dnsPort()), name, '+short'], (err, out) => resolve(err ? undefined : out.trim())),
  );
}

test('registering the demo clusters: get clusters shows Ready and the member version; a dead endpoint shows Offline', async () => {
  for (const c of CLUSTERS) {
    expect(
      (await stack.kubectl(['create', 'secret', 'generic', c, `--from-file=kubeconfig=${demo(`${c}.kubeconfig`)}`, '-n', 'federation-system'])).stdout.trim(),
    ).toBe(`secret/${c} created`);
    expect((await stack.kubectl(['create', '-f', demo(`clusters/${c}.yaml`)])).stdout.trim()).toBe(`cluster.federation/${c} created`);
  }
  const dead =
    'apiVersion: federation/v1beta1\nkind: Cluster\nmetadata:\n  name: gce-dead\nspec:\n  serverAddressByClientCIDRs:\n  - clientCIDR: 0.0.0.0/0\n    serverAddress: https://127.0.0.1:9\n  secretRef:\n    name: gce-asia-east1\n';
  expect((await stack.kubectl(['create', '-f', '-'], { input: dead })).stdout.trim()).toBe('cluster.federation/gce-dead created');
  const rows = await waitFor(
    'all clusters probed',
    async () => {
      const out = (await stack.kubectl(['get', 'clusters'])).stdout.trim().split('\n');
      return out.slice(1).every((l) => !/\sUnknown\s/.test(l)) && out.length === 6 ? out : undefined;
    },
    30_000,
  );
  expect(rows[0]?.split(/\s+/)).toEqual(['NAME', 'STATUS', 'VERSION', 'AGE']);
  for (const c of CLUSTERS) expect(rows.find((l) => l.startsWith(`${c} `))).toMatch(new RegExp(`^${c}\\s+Ready\\s+v1\\.30\\.2\\s+`));
  expect(rows.find((l) => l.startsWith('gce-dead '))).toMatch(/^gce-dead\s+Offline\s+/);
  expect((await stack.kubectl(['delete', 'cluster', 'gce-dead'])).stdout.trim()).toBe('cluster.federation "gce-dead" deleted');
}, 90_000);

test('a federated Service reaches every member cluster and its names answer with every shard', async () => {
  expect((await stack.kubectl(['create', '-f', join(ROOT, 'examples/services/nginx.yaml')])).stdout.trim()).toBe('service/nginx created');
  for (const c of CLUSTERS) {
    const out = await waitFor(
      `nginx in ${c}`,
      async () => {
        const r = await stack.kubectl(['get', 'svc', 'nginx', '-n', 'mynamespace'], { context: c });
        return r.code === 0 && /\d+\.\d+\.\d+\.\d+/.test(r.stdout.split('\n')[1]?.split(/\s+/)[3] ?? '') ? r.stdout : undefined;
      },
      30_000,
    );
    expect(out.split('\n')[0]?.split(/\s+/)).toEqual(['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE']);
  }
  const fed = await waitFor(
    '4 ingress addresses on the federated Service',
    async () => {
      const r = await stack.kubectl(['get', 'svc', 'nginx', '-n', 'mynamespace']);
      const ext = r.stdout.split('\n')[1]?.split(/\s+/)[2] ?? '';
      return ext.split(',').length === 4 ? r.stdout : undefined;
    },
    30_000,
  );
  expect(fed.split('\n')[1]).toMatch(/^nginx\s+LoadBalancer\s+\S+\s+80\/TCP\s+4\/4\s/);

  const resolver = new Resolver({ timeout: 1000, tries: 2 });
  resolver.setServers([`127.0.0.1:${dnsPort()}`]);
  const global = await waitFor(
    '4 A records',
    async () => {
      const got = await resolver.resolve4('nginx.mynamespace.myfederation.svc.example.com').catch((): string[] => []);
      return got.length === 4 ? got : undefined;
    },
    30_000,
  );
  expect(global.every((ip) => /^127\.\d+\.\d+\.\d+$/.test(ip))).toBe(true);
  expect(await resolver.resolve4('nginx.mynamespace.myfederation.svc.us-central1-f.us-central1.example.com')).toHaveLength(1);
  const viaDig = await dig('nginx.mynamespace.myfederation.svc.example.com');
  if (viaDig !== undefined) expect(viaDig.split('\n').sort()).toEqual([...global].sort());

  // In-cluster discovery: the demo cluster's own DNS tells its Pods the local shard (its cluster IP).
  const clusterDnsPort = Number(/demo cluster DNS\s+gce-us-central1\s+127\.0\.0\.1:(\d+)/.exec(stack.output())?.[1]);
  const clusterIp = (await stack.kubectl(['get', 'svc', 'nginx', '-n', 'mynamespace'], { context: 'gce-us-central1' })).stdout.split('\n')[1]?.split(/\s+/)[2];
  const pod = new Resolver({ timeout: 1000, tries: 2 });
  pod.setServers([`127.0.0.1:${clusterDnsPort}`]);
  await waitFor(
    'Pods in gce-us-central1 told the local shard',
    async () => {
      const got = await pod.resolve4('nginx.mynamespace.myfederation.svc.cluster.local').catch((): string[] => []);
      return got.length === 1 && got[0] === clusterIp ? got : undefined;
    },
    30_000,
  );
  const yaml = (await stack.kubectl(['get', 'svc', 'nginx', '-n', 'mynamespace', '-o', 'yaml'])).stdout;
  expect(yaml).toContain('federation:');
  expect(yaml).toContain('readyEndpoints: 2');
  expect(yaml).toContain('names:');
  expect(yaml).toContain('cname: nginx.mynamespace.svc.cluster.local.');
}, 120_000);

test('deleting the federated Service removes it from every cluster', async () => {
  expect((await stack.kubectl(['delete', 'svc', 'nginx', '-n', 'mynamespace'])).stdout.trim()).toBe('service "nginx" deleted');
  for (const c of CLUSTERS) {
    const r = await stack.kubectl(['get', 'svc', 'nginx', '-n', 'mynamespace'], { context: c });
    expect(r.stderr).toContain('not found');
  }
}, 60_000);
