/**
 * State that survives (issue 12): a clean stop and start keeps clusters, Services, DNS answers and
 * the demo members' identity; kill -9 of the whole stack loses at most the last 5 s of writes; a
 * function process that dies is started again; `--fresh` starts empty.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, buildOnce } from '../harness/stack';
import { OperatorStack, waitFor } from './operator-stack';

const stack = new OperatorStack(
  ['--demo-clusters', '2', '--sweep-interval', '1s', '--reconcile-interval', '5s', '--demo-lb-net', String(160 + (process.pid % 30))],
  { SKYFED_PROBE_TIMEOUT_MS: '500' },
);
const MEMBERS = ['gce-asia-east1', 'gce-europe-west1'];
const GLOBAL = 'nginx.mynamespace.myfederation.svc.example.com';
const measured: Record<string, number> = {};
const demoKubeconfig = (m: string): string => readFileSync(join(stack.state, 'demo', `${m}.kubeconfig`), 'utf8');

beforeAll(async () => {
  await buildOnce();
  await stack.start();
}, 420_000);
afterAll(async () => {
  await stack.stop();
  process.stdout.write(`operator e2e restart figures: ${JSON.stringify(measured)}\n`);
});

const readyClusters = async (): Promise<string[] | undefined> => {
  const rows = (await stack.kubectl(['get', 'clusters'])).stdout.trim().split('\n').slice(1);
  return rows.length === MEMBERS.length && rows.every((r) => /\sReady\s/.test(r)) ? rows.map((r) => r.split(/\s+/)[0] as string) : undefined;
};

test("a clean stop and start keeps clusters, Services, DNS answers and each member's address, CA, token and Services", async () => {
  for (const m of MEMBERS) {
    const r = await stack.skyfed(['join', m, '--context', m, '--wait', '180s']);
    expect([m, r.code, r.stderr]).toEqual([m, 0, '']);
  }
  expect((await stack.kubectl(['create', '-f', join(ROOT, 'examples/services/nginx.yaml')])).code).toBe(0);
  const answers = await waitFor(
    '2 A records',
    async () => {
      const r = (await stack.dig(GLOBAL)).split('\n').filter(Boolean).sort();
      return r.length === 2 ? r : undefined;
    },
    60_000,
  );
  const uid = (await stack.kubectl(['get', 'svc', 'nginx', '-n', 'mynamespace', '-o', 'jsonpath={.metadata.uid}'])).stdout;
  const memberUid = (await stack.kubectl(['get', 'svc', 'nginx', '-n', 'mynamespace', '-o', 'jsonpath={.metadata.uid}'], 'gce-asia-east1')).stdout;
  const identity = MEMBERS.map(demoKubeconfig);

  await stack.stop();
  const t0 = Date.now();
  await stack.start();
  measured['restart to ready, s'] = (Date.now() - t0) / 1000;
  expect(stack.output()).toMatch(/restored from .*\.overall_export_metadata/);
  expect(MEMBERS.map(demoKubeconfig)).toEqual(identity);
  // The same DNS answers from the restored records, and the clusters Ready with the stored (SA token) credentials.
  expect(
    await waitFor(
      'the same DNS answers',
      async () => {
        const r = (await stack.dig(GLOBAL)).split('\n').filter(Boolean).sort();
        return r.length ? r : undefined;
      },
      60_000,
    ),
  ).toEqual(answers);
  expect(await waitFor('clusters Ready again', readyClusters, 60_000)).toEqual(MEMBERS);
  expect((await stack.kubectl(['get', 'svc', 'nginx', '-n', 'mynamespace', '-o', 'jsonpath={.metadata.uid}'])).stdout).toBe(uid);
  expect((await stack.kubectl(['get', 'svc', 'nginx', '-n', 'mynamespace', '-o', 'jsonpath={.metadata.uid}'], 'gce-asia-east1')).stdout).toBe(memberUid);
  await new Promise((r) => setTimeout(r, 3000));
  expect((await stack.dig(GLOBAL)).split('\n').filter(Boolean).sort()).toEqual(answers);
}, 400_000);

test('a function process that dies is started again', async () => {
  const port = /function api\s+http:\/\/127\.0\.0\.1:(\d+)/.exec(stack.output())?.[1];
  const ss = await stack.run('ss', ['-ltnpH', `sport = :${String(port)}`]);
  const pid = Number(/pid=(\d+)/.exec(ss.stdout)?.[1]);
  expect(pid).toBeGreaterThan(1);
  process.kill(pid, 'SIGKILL');
  const t0 = Date.now();
  await waitFor('restart notice', async () => (stack.output().includes('function api exited (SIGKILL); restarting it') ? true : undefined), 30_000);
  await waitFor('the API answering again', async () => ((await stack.kubectl(['get', 'clusters'])).code === 0 ? true : undefined), 120_000, 500);
  measured['api function back after kill -9, s'] = (Date.now() - t0) / 1000;
}, 180_000);

test('kill -9 of the whole stack loses at most the last 5 s of writes', async () => {
  const acked: { name: string; at: number }[] = [];
  const refused: string[] = [];
  const until = Date.now() + 12_000;
  for (let i = 0; Date.now() < until; i++) {
    const name = `w-${i}`;
    const manifest = `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\n  namespace: writes\nspec:\n  ports:\n  - port: 80\n`;
    const r = await stack.kubectl(['create', '-f', '-'], 'federation-cluster', manifest);
    if (r.code === 0) acked.push({ name, at: Date.now() });
    else refused.push(r.stderr.trim());
  }
  expect([acked.length > 0, refused.slice(0, 1)]).toEqual([true, []]);
  const killedAt = Date.now();
  await stack.kill9();
  await stack.start();
  const present = new Set(
    (await stack.kubectl(['get', 'svc', '-n', 'writes', '-o', 'jsonpath={.items[*].metadata.name}'])).stdout.split(/\s+/).filter(Boolean),
  );
  const lost = acked.filter((w) => !present.has(w.name));
  const oldestLost = lost.length ? Math.min(...lost.map((w) => w.at)) : killedAt;
  measured['writes acknowledged'] = acked.length;
  measured['writes lost'] = lost.length;
  measured['lost window before kill -9, s'] = (killedAt - oldestLost) / 1000;
  expect(killedAt - oldestLost).toBeLessThanOrEqual(5000);
  expect(await waitFor('clusters Ready after the crash', readyClusters, 60_000)).toEqual(MEMBERS);
}, 400_000);

test('--fresh starts empty', async () => {
  const before = demoKubeconfig('gce-asia-east1');
  await stack.stop();
  await stack.start(['--fresh']);
  expect(stack.output()).toContain('(project');
  expect(stack.output()).not.toContain('restored from');
  expect((await stack.kubectl(['get', 'clusters'])).stdout.trim()).toBe('');
  expect(demoKubeconfig('gce-asia-east1')).not.toBe(before);
}, 400_000);
