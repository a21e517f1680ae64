/**
 * kubectl's everyday verbs with the real kubectl, compared with what a kube-apiserver v1.30 answers
 * (exit codes, messages): wait time-outs, diff, server-side apply conflicts, JSON patch, field
 * selectors, get -w, create service, delete --all of many Services. The control plane runs
 * in-process (test/harness/control-plane.ts: api, propagation) behind the local HTTPS front, so
 * kubectl meets the same TLS hop as with `npm start`.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpsFront, startHttpsFront } from '../../local/https-front';
import { generateTls } from '../../local/tls';
import { Cluster } from '../../shared/model/cluster';
import { ADMIN_TOKEN } from '../harness/api-server';
import { ControlPlane, startControlPlane, waitFor } from '../harness/control-plane';
import { call } from '../harness/http';

let cp: ControlPlane;
let front: HttpsFront;
let dir: string;
const NS = 'sem';
beforeAll(async () => {
  cp = await startControlPlane();
  front = await startHttpsFront(generateTls(), Number(new URL(cp.apiUrl).port));
  dir = mkdtempSync(join(tmpdir(), 'skyfed-kubectl-'));
  writeFileSync(
    join(dir, 'kubeconfig'),
    `apiVersion: v1\nkind: Config\nclusters:\n- name: f\n  cluster:\n    server: https://127.0.0.1:${front.port}\n    insecure-skip-tls-verify: true\ncontexts:\n- name: f\n  context: {cluster: f, user: u}\ncurrent-context: f\nusers:\n- name: u\n  user:\n    token: ${ADMIN_TOKEN}\n`,
  );
}, 120_000);
afterAll(async () => {
  await front?.close();
  await cp?.close();
});

function kubectl(args: readonly string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((res) => {
    const p = execFile(
      'kubectl',
      ['--kubeconfig', join(dir, 'kubeconfig'), '--cache-dir', join(dir, 'cache'), ...args],
      { timeout: opts.timeoutMs ?? 60_000 },
      (err, stdout, stderr) => res({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    if (opts.input !== undefined) p.stdin?.end(opts.input);
  });
}
const stack = { kubectl };

const manifest = (name: string, body: string): string => {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, body);
  return file;
};
const service = (name: string, spec: string): string => `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\n  namespace: ${NS}\nspec:\n${spec}`;

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = Date.now();
  const value = await fn();
  return { ms: Date.now() - started, value };
}

const clusterYaml = (name: string): string =>
  `apiVersion: federation/v1beta1\nkind: Cluster\nmetadata:\n  name: ${name}\nspec:\n  serverAddressByClientCIDRs:\n  - clientCIDR: 0.0.0.0/0\n    serverAddress: https://127.0.0.1:9\n  secretRef:\n    name: ${name}\n`;

/** What the cluster health refresh writes when a member answers. */
async function markReady(name: string): Promise<void> {
  await cp.runtime.store.transact<Cluster>('clusters', { name }, (cur) => {
    if (!cur) throw new Error('no cluster');
    const status = { ...(cur.object.status ?? {}), conditions: [{ type: 'Ready', status: 'True', reason: 'ClusterReady', message: '/readyz answered ok' }] };
    return { write: { object: { ...cur.object, status } as Cluster } };
  });
}

test('kubectl wait --timeout=5s returns within 6 s either way', async () => {
  for (const n of ['ready-soon', 'never-ready']) expect((await stack.kubectl(['create', '-f', '-'], { input: clusterYaml(n) })).code).toBe(0);
  // kubectl's own start-up and first request, so a loaded test machine does not count against skyfed.
  const overhead = (await timed(() => stack.kubectl(['get', 'cluster', 'never-ready']))).ms;
  const timeout = await timed(() => stack.kubectl(['wait', '--for=condition=Ready', 'cluster/never-ready', '--timeout=5s']));
  expect(timeout.value.code).toBe(1);
  expect(timeout.value.stderr.trim()).toBe('error: timed out waiting for the condition on clusters/never-ready');
  expect(timeout.ms - overhead).toBeLessThan(6000);
  const waiting = timed(() => stack.kubectl(['wait', '--for=condition=Ready', 'cluster/ready-soon', '--timeout=5s']));
  await new Promise((r) => setTimeout(r, 1000));
  await markReady('ready-soon');
  const met = await waiting;
  expect(met.value.stdout.trim()).toBe('cluster.federation/ready-soon condition met');
  expect(met.value.code).toBe(0);
  expect(met.ms - overhead).toBeLessThan(6000);
}, 90_000);

test('create service clusterip --tcp=80:80 (port named "80-80")', async () => {
  const r = await stack.kubectl(['create', 'service', 'clusterip', 'plain', '--tcp=80:80', '-n', NS]);
  expect(r.stderr).toBe('');
  expect(r.stdout.trim()).toBe('service/plain created');
});

test('server-side apply: conflict with the client-side applier, then --force-conflicts; diff shows the real change', async () => {
  const web = manifest('web', service('web', '  type: ClusterIP\n  ports:\n  - port: 80\n'));
  expect((await stack.kubectl(['apply', '-f', web])).stdout.trim()).toBe('service/web created');
  const changed = manifest('web2', service('web', '  type: NodePort\n  ports:\n  - port: 80\n'));
  const conflict = await stack.kubectl(['apply', '--server-side', '-f', changed]);
  expect(conflict.code).toBe(1);
  expect(conflict.stderr).toContain('Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using v1: .spec.type');
  const diff = await stack.kubectl(['diff', '--server-side', '--force-conflicts', '-f', changed]);
  expect(diff.code).toBe(1);
  expect(diff.stdout).toMatch(/^-\s+type: ClusterIP$/m);
  expect(diff.stdout).toMatch(/^\+\s+type: NodePort$/m);
  const clientDiff = await stack.kubectl(['diff', '-f', changed]);
  expect(clientDiff.code).toBe(1);
  expect(clientDiff.stdout).toMatch(/^\+\s+type: NodePort$/m);
  expect((await stack.kubectl(['get', 'svc', 'web', '-n', NS, '-o', 'jsonpath={.spec.type}'])).stdout).toBe('ClusterIP');
  const forced = await stack.kubectl(['apply', '--server-side', '--force-conflicts', '-f', changed]);
  expect(forced.stdout.trim()).toBe('service/web serverside-applied');
  const managers = await stack.kubectl([
    'get',
    'svc',
    'web',
    '-n',
    NS,
    '--show-managed-fields',
    '-o',
    'jsonpath={range .metadata.managedFields[*]}{.manager}/{.operation} {end}',
  ]);
  // kubectl migrates client-side-apply ownership by sending managedFields (a JSON patch); the server honours them.
  expect(managers.stdout.trim().split(' ')).toContain('kubectl/Apply');
  expect(managers.stdout.trim().split(' ')).not.toContain('kubectl-client-side-apply/Update');
  expect((await stack.kubectl(['diff', '--server-side', '-f', changed])).code).toBe(0);
}, 60_000);

test('patch --type=json and --field-selector metadata.name!=', async () => {
  const patched = await stack.kubectl(['patch', 'svc', 'plain', '-n', NS, '--type=json', '-p', '[{"op":"replace","path":"/spec/ports/0/port","value":8080}]']);
  expect(patched.stdout.trim()).toBe('service/plain patched');
  const failed = await stack.kubectl(['patch', 'svc', 'plain', '-n', NS, '--type=json', '-p', '[{"op":"test","path":"/spec/type","value":"NodePort"}]']);
  expect(failed.code).toBe(1);
  expect(failed.stderr).toContain('The request is invalid');
  const names = await stack.kubectl(['get', 'svc', '-n', NS, '--field-selector', 'metadata.name!=plain', '-o', 'name']);
  expect(names.stdout.trim().split('\n')).toEqual(['service/web']);
});

test('get -w prints one header, then rows as Services come', async () => {
  const child = spawn('kubectl', ['--kubeconfig', join(dir, 'kubeconfig'), '--cache-dir', join(dir, 'cache'), 'get', 'svc', '-n', NS, '-w']);
  let out = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  await waitFor('the initial list', async () => (out.includes('web') ? true : undefined), 20_000);
  expect((await stack.kubectl(['create', 'service', 'clusterip', 'late', '--tcp=81:81', '-n', NS])).code).toBe(0);
  await waitFor('the late Service', async () => (out.includes('late') ? true : undefined), 20_000);
  child.kill();
  const lines = out.trim().split('\n');
  expect(lines.filter((l) => l.startsWith('NAME')).length).toBe(1);
  expect(lines[0]).toMatch(/^NAME\s+TYPE\s+EXTERNAL-IP\s+PORT\(S\)\s+CLUSTERS\s+AGE$/);
  expect(lines.some((l) => /^late\s+ClusterIP\s/.test(l))).toBe(true);
}, 60_000);

test('delete svc --all of many Services', async () => {
  const N = 40;
  for (let i = 0; i < N; i += 10) {
    await Promise.all(
      Array.from({ length: Math.min(10, N - i) }, (_, j) =>
        call(cp.apiUrl, 'POST', '/api/v1/namespaces/bulk/services', {
          token: ADMIN_TOKEN,
          body: { apiVersion: 'v1', kind: 'Service', metadata: { name: `bulk-${i + j}` }, spec: { ports: [{ port: 80 }] } },
        }).then((r) => expect(r.status).toBe(201)),
      ),
    );
  }
  await cp.settle();
  const del = await timed(() => stack.kubectl(['delete', 'svc', '--all', '-n', 'bulk'], { timeoutMs: 170_000 }));
  process.stdout.write(`kubectl delete svc --all of ${N} Services: ${del.ms} ms\n`);
  expect(del.value.stderr).toBe('');
  expect(del.value.code).toBe(0);
  expect(del.value.stdout.trim().split('\n')).toHaveLength(N);
  expect((await stack.kubectl(['get', 'svc', '-n', 'bulk'])).stderr.trim()).toBe('No resources found in bulk namespace.');
}, 240_000);
