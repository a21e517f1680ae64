/**
 * Issue 8, finding 3, from the attacker's side: Secret data never comes back (get, list, watch,
 * Table, dry-run, PATCH answers, errors) and never rests in plaintext in the Firestore document —
 * not in kubectl's last-applied annotation, not in server-side apply state. `kubectl apply` of a
 * Secret still works twice in a row. Real kubectl over the local HTTPS front.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHttpsFront, HttpsFront } from '../../../local/https-front';
import { writeContexts } from '../../../local/kubeconfig';
import { loadOrCreateTls } from '../../../local/tls';
import { ADMIN_TOKEN, ApiServer, VIEW_TOKEN, startApiServer } from '../../harness/api-server';
import { TestEmulator, useEmulator } from '../../harness/emulator';
import { call } from '../../harness/http';
import { inlineTokenKubeconfig } from '../../harness/kubeconfig';

let emu: TestEmulator;
let api: ApiServer;
let front: HttpsFront;
let dir: string;
const NS = '/api/v1/namespaces/federation-system/secrets';
/** The member's bearer token, inside an acceptable (inline-only) member kubeconfig. */
const TOKEN = 'hunter2-member-token-XYZZY';
const VALUE = inlineTokenKubeconfig(TOKEN);
const B64 = Buffer.from(VALUE).toString('base64');
/** Forms of the value an attacker would look for. */
const forms = [TOKEN, B64, B64.slice(0, 24), Buffer.from(TOKEN).toString('base64').slice(0, 16), Buffer.from(TOKEN).toString('hex')];

beforeAll(async () => {
  emu = await useEmulator();
  api = await startApiServer();
  dir = mkdtempSync(join(tmpdir(), 'skyfed-secret-'));
  const tls = loadOrCreateTls(join(dir, 'tls'));
  front = await startHttpsFront(tls, Number(new URL(api.url).port));
  writeContexts(join(dir, 'kubeconfig'), [{ context: 'fed', server: `https://127.0.0.1:${front.port}`, caPem: tls.caPem, token: ADMIN_TOKEN }], 'fed');
}, 60_000);
afterAll(async () => {
  await front?.close();
  await api?.close();
  await emu?.stop();
});

const kubectl = (args: readonly string[]) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((res) => {
    execFile('kubectl', ['--kubeconfig', join(dir, 'kubeconfig'), '--cache-dir', join(dir, 'cache'), ...args], { timeout: 60_000 }, (err, stdout, stderr) =>
      res({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });

/** Every stored document that mentions the Secret (object, tombstones), raw. */
async function storedText(): Promise<string> {
  const docs = [...(await api.db.collectionGroup('secrets').get()).docs, ...(await api.db.collection('tombstones').get()).docs];
  return docs.map((d) => JSON.stringify(d.data())).join('\n');
}

function expectNoValue(text: string, where: string): void {
  for (const f of forms) expect({ where, leaked: text.includes(f) }).toEqual({ where, leaked: false });
}

test('kubectl apply of a Secret twice, create --save-config: no data value in any answer or at rest', async () => {
  const manifest = join(dir, 'secret.yaml');
  writeFileSync(
    manifest,
    `apiVersion: v1\nkind: Secret\nmetadata:\n  name: applied\n  namespace: federation-system\ndata:\n  kubeconfig: ${B64}\n  extra: ${B64}\n`,
  );
  const first = await kubectl(['apply', '-f', manifest]);
  expect(first).toMatchObject({ code: 0, stdout: 'secret/applied created\n' });
  const second = await kubectl(['apply', '-f', manifest]);
  expect(second.code).toBe(0);
  expect(second.stdout).toMatch(/^secret\/applied (configured|unchanged)\n$/);
  // Dropping a key from the file drops it from the Secret (the annotation keeps key names for this).
  writeFileSync(manifest, `apiVersion: v1\nkind: Secret\nmetadata:\n  name: applied\n  namespace: federation-system\ndata:\n  kubeconfig: ${B64}\n`);
  expect((await kubectl(['apply', '-f', manifest])).code).toBe(0);
  writeFileSync(join(dir, 'member.kubeconfig'), VALUE);
  const saved = await kubectl([
    'create',
    'secret',
    'generic',
    'saved',
    '--save-config',
    `--from-file=kubeconfig=${join(dir, 'member.kubeconfig')}`,
    '-n',
    'federation-system',
  ]);
  expect(saved).toMatchObject({ code: 0, stdout: 'secret/saved created\n' });

  const got = await call(api.url, 'GET', `${NS}/applied`, { token: VIEW_TOKEN });
  expect((got.body['metadata'] as { annotations: Record<string, string> }).annotations['skyfed.io/data-keys']).toBe(`kubeconfig:${VALUE.length}`);
  const lastApplied = JSON.parse(
    (got.body['metadata'] as { annotations: Record<string, string> }).annotations['kubectl.kubernetes.io/last-applied-configuration'] as string,
  ) as { data: Record<string, string> };
  expect(Object.keys(lastApplied.data)).toEqual(['kubeconfig']);

  const answers = await Promise.all([
    kubectl(['get', 'secret', 'applied', 'saved', '-n', 'federation-system', '-o', 'yaml']),
    kubectl(['get', 'secrets', '-n', 'federation-system', '-o', 'json']),
    kubectl(['apply', 'view-last-applied', 'secret/applied', '-n', 'federation-system']),
    call(api.url, 'GET', NS, { token: VIEW_TOKEN, accept: 'application/json;as=Table;v=v1;g=meta.k8s.io;includeObject=Object' }),
    call(api.url, 'GET', `${NS}?watch=true&timeoutSeconds=1`, { token: VIEW_TOKEN }),
    call(api.url, 'POST', `${NS}?dryRun=All`, {
      token: ADMIN_TOKEN,
      body: {
        metadata: { name: 'dry', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({ data: { k: B64 } }) } },
        data: { k: B64 },
      },
    }),
    call(api.url, 'PATCH', `${NS}/applied`, { token: ADMIN_TOKEN, body: { data: { kubeconfig: B64 } }, contentType: 'application/merge-patch+json' }),
  ]);
  answers.forEach((a, i) => expectNoValue('stdout' in a ? a.stdout + a.stderr : a.text, `answer ${i}`));
  expectNoValue(await storedText(), 'Firestore');
}, 120_000);

test('server-side apply of a Secret keeps no data value at rest; deleting leaves none in the tombstone', async () => {
  const body = `apiVersion: v1\nkind: Secret\nmetadata:\n  name: ssa\nstringData:\n  kubeconfig: |\n${VALUE.trimEnd()
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n')}\n  token: ${TOKEN}\n`;
  for (let i = 0; i < 2; i++) {
    const r = await call(api.url, 'PATCH', `${NS}/ssa?fieldManager=attacker`, { token: ADMIN_TOKEN, body, contentType: 'application/apply-patch+yaml' });
    expect(r.status).toBe(i === 0 ? 201 : 200);
    expectNoValue(r.text, 'apply answer');
  }
  expectNoValue(await storedText(), 'Firestore after apply');
  expect((await call(api.url, 'DELETE', `${NS}/ssa`, { token: ADMIN_TOKEN })).status).toBe(200);
  expectNoValue(await storedText(), 'Firestore after delete');
});

test('errors never quote the body: broken JSON, a type error on data, a bad YAML document', async () => {
  const cases = [
    { body: `{"metadata":{"name":"x"},"data":{"kubeconfig":"${B64}"} trailing`, contentType: 'application/json' },
    { body: `["${TOKEN}",]`, contentType: 'application/json' },
    { body: JSON.stringify({ metadata: { name: 'x' }, data: B64 }), contentType: 'application/json' },
    { body: JSON.stringify({ metadata: { name: 'x' }, stringData: { token: [TOKEN] } }), contentType: 'application/json' },
    { body: `metadata:\n  name: x\nstringData:\n  token: ${TOKEN}\n   bad: [`, contentType: 'application/yaml' },
  ];
  for (const c of cases) {
    const r = await call(api.url, 'POST', NS, { token: ADMIN_TOKEN, ...c });
    expect(r.status).toBe(400);
    expect(r.body['kind']).toBe('Status');
    expectNoValue(r.text, c.body.slice(0, 30));
  }
});
