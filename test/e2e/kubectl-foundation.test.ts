/**
 * The seed walk-through, verbatim, with the real kubectl against the local stack (`npm start`).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ROOT, RunningStack, buildOnce, startStackProcess } from '../harness/stack';

let stack: RunningStack;
const userKubeconfig =
  'apiVersion: v1\nkind: Config\nclusters:\n- name: mine\n  cluster:\n    server: https://10.0.0.1\ncontexts:\n- name: mine\n  context:\n    cluster: mine\n    user: me\ncurrent-context: mine\nusers:\n- name: me\n  user:\n    token: abc\n';

beforeAll(async () => {
  await buildOnce();
  stack = await startStackProcess([], userKubeconfig);
}, 180_000);
afterAll(async () => {
  await stack?.stop();
});

const fixture = (p: string): string => join(ROOT, 'examples', p);

test("the kubeconfig gains a federation-cluster context and keeps the user's own", () => {
  const cfg = parse(readFileSync(stack.kubeconfig, 'utf8')) as { contexts: { name: string }[]; 'current-context': string };
  expect(cfg.contexts.map((c) => c.name).sort()).toEqual(['federation-cluster', 'mine']);
  expect(cfg['current-context']).toBe('mine');
});

test('kubectl walk-through: secret, cluster, get clusters, service, get svc, -o yaml, delete', async () => {
  const memberKubeconfig = join(stack.dir, 'us-east1.kubeconfig');
  writeFileSync(
    memberKubeconfig,
    'apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: https://127.0.0.1:6443\ncontexts:\n- name: c\n  context: {cluster: c, user: u}\ncurrent-context: c\nusers:\n- name: u\n  user:\n    token: member-token-never-shown\n',
  );

  const secret = await stack.kubectl(['create', 'secret', 'generic', 'gce-us-east1', `--from-file=kubeconfig=${memberKubeconfig}`, '-n', 'federation-system']);
  expect(secret.stderr).toBe('');
  expect(secret.stdout.trim()).toBe('secret/gce-us-east1 created');

  const cluster = await stack.kubectl(['create', '-f', fixture('clusters/gce-us-east1.yaml')]);
  expect(cluster.stderr).toBe('');
  expect(cluster.stdout.trim()).toBe('cluster.federation/gce-us-east1 created');

  const clusters = await stack.kubectl(['get', 'clusters']);
  const lines = clusters.stdout.trim().split('\n');
  expect(lines[0]?.split(/\s+/)).toEqual(['NAME', 'STATUS', 'VERSION', 'AGE']);
  expect(lines[1]).toMatch(/^gce-us-east1\s+(Unknown|Offline|NotReady|Ready)\s/);

  const wide = await stack.kubectl(['get', 'clusters', '-o', 'wide']);
  expect(wide.stdout.split('\n')[0]?.split(/\s+/)).toEqual(['NAME', 'STATUS', 'VERSION', 'AGE', 'REGION', 'ZONES']);

  const created = await stack.kubectl(['create', '-f', fixture('services/nginx.yaml')]);
  expect(created.stderr).toBe('');
  expect(created.stdout.trim()).toBe('service/nginx created');

  const svc = await stack.kubectl(['get', 'svc', 'nginx', '-n', 'mynamespace']);
  expect(svc.stdout.split('\n')[0]?.split(/\s+/)).toEqual(['NAME', 'TYPE', 'EXTERNAL-IP', 'PORT(S)', 'CLUSTERS', 'AGE']);
  expect(svc.stdout.split('\n')[1]).toMatch(/^nginx\s+LoadBalancer\s+\S+\s+80\/TCP\s/);

  const yaml = await stack.kubectl(['get', 'clusters', '-o', 'yaml']);
  const doc = parse(yaml.stdout) as { kind: string; items: { metadata: { name: string }; spec: { secretRef: { name: string } } }[] };
  expect(doc.kind).toBe('List');
  expect(doc.items.map((i) => i.metadata.name)).toEqual(['gce-us-east1']);
  expect(doc.items[0]?.spec.secretRef.name).toBe('gce-us-east1');

  const secretYaml = await stack.kubectl(['get', 'secret', 'gce-us-east1', '-n', 'federation-system', '-o', 'yaml']);
  expect(secretYaml.code).toBe(0);
  expect(secretYaml.stdout).not.toContain('member-token-never-shown');
  expect(secretYaml.stdout).not.toContain(Buffer.from('member-token-never-shown').toString('base64').slice(0, 16));

  const del = await stack.kubectl(['delete', 'svc', 'nginx', '-n', 'mynamespace']);
  expect(del.stderr).toBe('');
  expect(del.stdout.trim()).toBe('service "nginx" deleted');
  const gone = await stack.kubectl(['get', 'svc', 'nginx', '-n', 'mynamespace']);
  expect(gone.code).not.toBe(0);
  expect(gone.stderr).toContain('services "nginx" not found');
}, 120_000);

test('server-side apply and Strict validation through kubectl', async () => {
  const manifest = join(stack.dir, 'web.yaml');
  writeFileSync(
    manifest,
    'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  namespace: mynamespace\nspec:\n  type: ClusterIP\n  ports:\n  - port: 8080\n',
  );
  const applied = await stack.kubectl(['apply', '--server-side', '-f', manifest]);
  expect(applied.stderr).toBe('');
  expect(applied.stdout.trim()).toBe('service/web serverside-applied');
  const bad = join(stack.dir, 'bad.yaml');
  writeFileSync(bad, 'apiVersion: v1\nkind: Service\nmetadata:\n  name: bad\n  namespace: mynamespace\nspec:\n  replicas: 3\n  ports:\n  - port: 80\n');
  const rejected = await stack.kubectl(['create', '-f', bad]);
  expect(rejected.code).not.toBe(0);
  expect(rejected.stderr).toContain('unknown field "spec.replicas"');
}, 60_000);

test('no token leaves the stack output or logs', () => {
  expect(stack.output()).not.toContain('member-token-never-shown');
});
