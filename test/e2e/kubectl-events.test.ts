/**
 * Events and "may I / who am I" with the real kubectl against the local stack (one demo cluster):
 * `get events`, `describe svc` and `describe cluster` show what skyfed recorded; `auth can-i` prints
 * yes/no and exits 0/1 per role as kube-apiserver makes it; `auth whoami` names the caller.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RunningStack, buildOnce, startStackProcess, tableRows } from '../harness/stack';

let stack: RunningStack;
let viewToken: string;
const CLUSTER = 'gce-asia-east1';

beforeAll(async () => {
  await buildOnce();
  stack = await startStackProcess(['--demo-clusters', '1', '--sweep-interval', '2s']);
  viewToken = readFileSync(join(stack.dir, 'state', 'api-token-view'), 'utf8').trim();
}, 180_000);
afterAll(async () => {
  await stack?.stop();
});

async function until(what: string, probe: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

test('get events and describe show what skyfed recorded', async () => {
  const demo = join(stack.dir, 'state', 'demo');
  expect(
    (await stack.kubectl(['create', 'secret', 'generic', CLUSTER, `--from-file=kubeconfig=${join(demo, `${CLUSTER}.kubeconfig`)}`, '-n', 'federation-system']))
      .code,
  ).toBe(0);
  expect((await stack.kubectl(['create', '-f', join(demo, 'clusters', `${CLUSTER}.yaml`)])).code).toBe(0);
  const manifest =
    'apiVersion: v1\nkind: Service\nmetadata:\n  name: shop\n  namespace: demo\nspec:\n  type: LoadBalancer\n  selector: {app: shop}\n  ports:\n  - port: 80\n';
  const created = await stack.kubectl(['create', '-f', '-'], { input: manifest });
  expect(created.stderr).toBe('');

  let events = { code: 0, stdout: '', stderr: '' };
  await until('Propagated and ShardHealthy events', async () => {
    events = await stack.kubectl(['get', 'events', '-n', 'demo']);
    return events.stdout.includes('Propagated') && events.stdout.includes('ShardHealthy');
  });
  const rows = tableRows(events.stdout);
  expect(events.stdout.trim().split('\n')[0]).toMatch(/^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE$/);
  expect(rows.slice(1).map((r) => r.slice(1, 4))).toEqual(
    expect.arrayContaining([
      ['Normal', 'Propagated', 'service/shop'],
      ['Normal', 'ShardHealthy', 'service/shop'],
    ]),
  );
  expect(events.stdout).toContain(`Created the Service in cluster ${CLUSTER}`);

  const v1 = await stack.kubectl(['get', 'events.events.k8s.io', '-n', 'demo', '-o', 'jsonpath={.items[*].reason}']);
  expect(v1.stdout.split(' ')).toEqual(expect.arrayContaining(['Propagated', 'ShardHealthy']));

  const described = await stack.kubectl(['describe', 'svc', 'shop', '-n', 'demo']);
  expect(described.code).toBe(0);
  const section = described.stdout.slice(described.stdout.indexOf('Events:'));
  expect(
    section
      .split('\n')[1]
      ?.trim()
      .split(/\s{2,}/),
  ).toEqual(['Type', 'Reason', 'Age', 'From', 'Message']);
  expect(section).toMatch(/Normal\s+Propagated\s+\S+\s+skyfed-propagation\s+Created the Service in cluster gce-asia-east1/);
  expect(section).toMatch(/Normal\s+ShardHealthy\s+\S+\s+skyfed-sweep\s+Shard in cluster gce-asia-east1 is healthy/);

  const cluster = await stack.kubectl(['describe', 'cluster', CLUSTER]);
  expect(cluster.code).toBe(0);
  expect(cluster.stdout).toMatch(/Normal\s+ClusterReady\s+\S+\s+skyfed-propagation\s+Cluster is Ready: \/readyz responded with ok/);
}, 150_000);

test.each([
  ['admin', 'create', 'services', 'yes', 0],
  ['admin', 'delete', 'clusters.federation', 'yes', 0],
  ['view', 'get', 'services', 'yes', 0],
  ['view', 'create', 'services', 'no', 1],
  ['view', 'delete', 'secrets', 'no', 1],
])('auth can-i as %s: %s %s → %s (exit %d)', async (role, verb, resource, answer, code) => {
  const r = await stack.kubectl(['auth', 'can-i', verb, resource, '-n', 'demo', ...(role === 'view' ? [`--token=${viewToken}`] : [])]);
  expect([r.stdout.trim(), r.code]).toEqual([answer, code]);
});

test('auth can-i --list and whoami', async () => {
  const list = await stack.kubectl(['auth', 'can-i', '--list', `--token=${viewToken}`]);
  expect(list.code).toBe(0);
  const rows = tableRows(list.stdout);
  expect(list.stdout.trim().split('\n')[0]).toMatch(/^Resources\s+Non-Resource URLs\s+Resource Names\s+Verbs$/);
  expect(rows.length).toBeGreaterThan(1);
  expect(list.stdout).toMatch(/\*\.\*\s+\[\]\s+\[\]\s+\[get list watch\]/);

  const admin = await stack.kubectl(['auth', 'whoami']);
  expect(admin.code).toBe(0);
  expect(
    admin.stdout
      .trim()
      .split('\n')
      .map((l) => l.trim().split(/\s{2,}/)),
  ).toEqual([
    ['ATTRIBUTE', 'VALUE'],
    ['Username', 'local-admin'],
    ['Groups', '[skyfed:admin system:authenticated]'],
  ]);
  const viewer = await stack.kubectl(['auth', 'whoami', `--token=${viewToken}`, '-o', 'jsonpath={.status.userInfo.username}']);
  expect(viewer.stdout).toBe('local-viewer');
}, 60_000);
