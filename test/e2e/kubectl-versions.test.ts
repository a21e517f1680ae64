/**
 * The README walk-through with every kubectl minor version on the machine (the gcloud SDK ships
 * `kubectl.1.27` … `kubectl.1.33` beside its dispatcher), against one local stack. Old kubectl reads
 * `/openapi/v2` (in protobuf) for create -f, apply and explain; new kubectl sends protobuf bodies for
 * `create secret generic`. Each version has its own discovery cache and its own object names.
 * Expected outputs and exit codes are what kube-apiserver answers the same commands.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { RunningStack, buildOnce, startStackProcess, tableRows } from '../harness/stack';

function sdkBin(): string | undefined {
  try {
    const root = execFileSync('gcloud', ['info', '--format=value(installation.sdk_root)'], { encoding: 'utf8', timeout: 60_000 }).trim();
    return root ? join(root, 'bin') : undefined;
  } catch {
    return undefined;
  }
}

const bin = sdkBin();
const available =
  bin && existsSync(bin)
    ? readdirSync(bin)
        .map((f) => /^kubectl\.1\.(\d+)$/.exec(f)?.[1])
        .filter((m): m is string => m !== undefined)
        .map(Number)
        .sort((a, b) => a - b)
    : [];
// At least the oldest, 1.30 and the newest; every other minor found runs too.
const wanted = [...new Set([27, 30, 33, ...available])].sort((a, b) => a - b);

let stack: RunningStack;
beforeAll(async () => {
  if (available.length === 0) return;
  await buildOnce();
  stack = await startStackProcess();
}, 300_000);
afterAll(async () => {
  await stack?.stop();
});

const member =
  'apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: https://127.0.0.1:6443\ncontexts:\n- name: c\n  context: {cluster: c, user: u}\ncurrent-context: c\nusers:\n- name: u\n  user:\n    token: member-token\n';

describe.each(wanted)('kubectl 1.%i', (minor) => {
  const binary = bin ? join(bin, `kubectl.1.${minor}`) : '';
  const present = available.includes(minor);
  if (!present) {
    // A missing binary is the only reason to skip; say which and where we looked.
    console.warn(`kubectl 1.${minor}: skipped, no ${binary || 'gcloud SDK bin directory'} on this machine`);
    test.skip(`walk-through (kubectl.1.${minor} absent)`, () => undefined);
    return;
  }
  const k = (args: readonly string[]): ReturnType<RunningStack['kubectl']> => stack.kubectl(args, { binary, cacheDir: join(stack.dir, `cache-1.${minor}`) });
  const name = `v1-${minor}`;
  const ns = `walk-${minor}`;

  test('walk-through: create secret generic, create -f, get, get -o yaml, explain, apply, delete', async () => {
    const kc = join(stack.dir, `${name}.kubeconfig`);
    writeFileSync(kc, member);
    const secret = await k(['create', 'secret', 'generic', name, `--from-file=kubeconfig=${kc}`, '-n', 'federation-system']);
    expect(secret).toMatchObject({ code: 0, stdout: `secret/${name} created\n` });

    const clusterFile = join(stack.dir, `${name}-cluster.yaml`);
    writeFileSync(
      clusterFile,
      `apiVersion: federation/v1beta1\nkind: Cluster\nmetadata:\n  name: ${name}\nspec:\n  serverAddressByClientCIDRs:\n  - clientCIDR: 0.0.0.0/0\n    serverAddress: https://127.0.0.1:6443\n  secretRef:\n    name: ${name}\n`,
    );
    expect(await k(['create', '-f', clusterFile])).toMatchObject({ code: 0, stdout: `cluster.federation/${name} created\n` });

    const svcFile = join(stack.dir, `${name}-svc.yaml`);
    const svc = (label: string): string =>
      `apiVersion: v1\nkind: Service\nmetadata:\n  name: nginx\n  namespace: ${ns}\n  labels:\n    app: ${label}\nspec:\n  type: LoadBalancer\n  selector:\n    app: nginx\n  ports:\n  - name: http\n    port: 80\n    protocol: TCP\n    targetPort: 80\n`;
    writeFileSync(svcFile, svc('nginx'));
    expect(await k(['create', '-f', svcFile])).toMatchObject({ code: 0, stdout: 'service/nginx created\n' });

    const clusters = await k(['get', 'clusters']);
    expect(clusters.code).toBe(0);
    expect(tableRows(clusters.stdout)[0]).toEqual(['NAME', 'STATUS', 'VERSION', 'AGE']);
    expect(tableRows(clusters.stdout).map((r) => r[0])).toContain(name);

    const got = await k(['get', 'svc', 'nginx', '-n', ns]);
    expect(got.code).toBe(0);
    expect(got.stdout.split('\n')[1]).toMatch(/^nginx\s+LoadBalancer\s+\S+\s+80\/TCP\s/);

    const yaml = await k(['get', 'svc', 'nginx', '-n', ns, '-o', 'yaml']);
    expect(yaml.code).toBe(0);
    expect(parse(yaml.stdout)).toMatchObject({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'nginx', namespace: ns } });

    const explainMeta = await k(['explain', 'service.metadata']);
    expect(explainMeta).toMatchObject({ code: 0, stderr: '' });
    expect(explainMeta.stdout).toMatch(/creationTimestamp\s+<string>/);
    expect(explainMeta.stdout).toContain('When the server created the object');
    const explainCluster = await k(['explain', 'cluster.spec']);
    expect(explainCluster).toMatchObject({ code: 0, stderr: '' });
    expect(explainCluster.stdout).toMatch(/secretRef\s+<Object>/);
    expect(explainCluster.stdout).toContain('federation-system');

    writeFileSync(svcFile, svc('web'));
    const applied = await k(['apply', '-f', svcFile]);
    expect(applied.code).toBe(0);
    expect(applied.stdout).toBe('service/nginx configured\n');
    expect(parse((await k(['get', 'svc', 'nginx', '-n', ns, '-o', 'yaml'])).stdout)).toMatchObject({ metadata: { labels: { app: 'web' } } });
    const again = await k(['apply', '-f', svcFile]);
    expect(again).toMatchObject({ code: 0, stdout: 'service/nginx unchanged\n' });

    expect(await k(['delete', '-f', svcFile])).toMatchObject({ code: 0, stdout: 'service "nginx" deleted\n' });
    expect(await k(['delete', 'cluster', name])).toMatchObject({ code: 0, stdout: `cluster.federation "${name}" deleted\n` });
    expect(await k(['delete', 'secret', name, '-n', 'federation-system'])).toMatchObject({ code: 0, stdout: `secret "${name}" deleted\n` });
    const gone = await k(['get', 'svc', 'nginx', '-n', ns]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toBe('Error from server (NotFound): services "nginx" not found\n');
  }, 240_000);

  test('explain with an apiVersion the server does not serve fails as against kube-apiserver', async () => {
    const r = await k(['explain', 'service', '--api-version=federation/v1']);
    expect(r.code).toBe(1);
    // kubectl words this itself once it has the server's OpenAPI (v3 paths, or v2 definitions for 1.27/1.28).
    expect(r.stderr).toMatch(/^error: couldn't find resource for "federation\/v1, (Resource=services|Kind=Service)"\n$/);
  }, 60_000);
});
