/**
 * Attacker's side, through the real API: a registrant tries to make the control plane run a program,
 * read its own files, or dial its own neighbourhood. Each attempt is a 422 naming the field, nothing
 * is stored, and nothing the attacker named is executed, read or echoed.
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ADMIN_TOKEN, ApiServer, snapshotStore, startApiServer } from '../../harness/api-server';
import { TestEmulator, useEmulator } from '../../harness/emulator';
import { call } from '../../harness/http';
import { FakeKubeFleet } from '../../../local/sim';
import { KubeMemberClient } from '../../../shared/members/kube-client';
import { MemberError } from '../../../shared/members/port';
import { addressGuard, parseCidr } from '../../../shared/net/address-guard';

let emu: TestEmulator;
let api: ApiServer;
let fleet: FakeKubeFleet;
const dir = mkdtempSync(join(tmpdir(), 'skyfed-attack-'));
const marker = join(dir, 'pwned');
const keyFile = join(dir, 'kek.key');
const KEY_TEXT = 'SECRET-KEY-MATERIAL-deadbeefcafef00d';
writeFileSync(keyFile, KEY_TEXT);

beforeAll(async () => {
  emu = await useEmulator();
  api = await startApiServer(undefined, { SKYFED_DIAL_ALLOW_CIDRS: '' });
  fleet = await FakeKubeFleet.start([{ name: 'm1', region: 'r', zones: ['r-a'] }]);
}, 60_000);
afterAll(async () => {
  await fleet?.stop();
  await api?.close();
  await emu?.stop();
});

/** The demo member's own kubeconfig with its user replaced by `user` (and its cluster extended by `cluster`). */
function hostile(user: Record<string, unknown>, cluster: Record<string, unknown> = {}): string {
  const c = fleet.cluster('m1');
  const ca = Buffer.from(c.caPem).toString('base64');
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    'current-context': 'x',
    clusters: [{ name: 'x', cluster: { server: c.url, 'certificate-authority-data': ca, ...cluster } }],
    users: [{ name: 'x', user }],
    contexts: [{ name: 'x', context: { cluster: 'x', user: 'x' } }],
  });
}

const attacks: [string, Record<string, unknown>, Record<string, unknown>, string][] = [
  [
    'exec plugin that writes a file',
    {
      exec: {
        apiVersion: 'client.authentication.k8s.io/v1',
        command: '/bin/sh',
        args: ['-c', `touch ${marker}; echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"x"}}'`],
      },
    },
    {},
    'users[0].user.exec',
  ],
  ['tokenFile naming the key-encryption key', { tokenFile: keyFile }, {}, 'users[0].user.tokenFile'],
  [
    'auth-provider with a token file',
    { 'auth-provider': { name: 'oidc', config: { 'id-token': 'x', tokenFile: keyFile } } },
    {},
    'users[0].user.auth-provider',
  ],
  ['client certificate from a path', { 'client-certificate': keyFile, 'client-key': keyFile }, {}, 'users[0].user.client-certificate'],
  ['CA from a path', { token: 'x' }, { 'certificate-authority': keyFile }, 'clusters[0].cluster.certificate-authority'],
  ['proxy to the metadata server', { token: 'x' }, { 'proxy-url': 'http://169.254.169.254:80' }, 'clusters[0].cluster.proxy-url'],
];

test.each(attacks)('a Secret with %s is refused with 422 naming the field; nothing stored or run', async (_what, user, cluster, field) => {
  const before = await snapshotStore(api.db);
  const res = await call(api.url, 'POST', '/api/v1/namespaces/federation-system/secrets', {
    token: ADMIN_TOKEN,
    body: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'm1' }, stringData: { kubeconfig: hostile(user, cluster) } },
  });
  expect(res.status).toBe(422);
  expect(res.body).toMatchObject({ kind: 'Status', reason: 'Invalid', code: 422 });
  expect(res.text).toContain(field);
  expect(res.text).not.toContain(KEY_TEXT);
  expect(res.text).not.toContain(keyFile);
  expect(await snapshotStore(api.db)).toBe(before);
  expect(existsSync(marker)).toBe(false);
});

test.each(attacks)('a stored kubeconfig with %s is refused again when used: nothing run, nothing read', async (_what, user, cluster) => {
  const guard = addressGuard([parseCidr('127.0.0.0/8')]);
  let err: unknown;
  try {
    const client = new KubeMemberClient({ cluster: 'm1', server: fleet.cluster('m1').url, kubeconfig: hostile(user, cluster), timeoutMs: 2000, guard });
    await client.version();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(MemberError);
  expect((err as MemberError).reason).toBe('BadCredentials');
  expect(String((err as Error).message)).not.toContain(KEY_TEXT);
  expect(existsSync(marker)).toBe(false);
});

test.each([
  'https://169.254.169.254',
  'https://metadata.google.internal',
  'https://0x7f000001:6443',
  'https://[::ffff:169.254.169.254]',
  'https://[fd00:ec2::254]',
  'https://10.0.0.1:6443',
  'https://[64:ff9b::a9fe:a9fe]',
])('a Cluster at %s is refused with 422 and not stored', async (server) => {
  const before = await snapshotStore(api.db);
  const res = await call(api.url, 'POST', '/apis/federation/v1beta1/clusters', {
    token: ADMIN_TOKEN,
    body: {
      apiVersion: 'federation/v1beta1',
      kind: 'Cluster',
      metadata: { name: 'evil' },
      spec: { serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: server }], secretRef: { name: 'm1' } },
    },
  });
  expect(res.status).toBe(422);
  expect(res.text).toContain('serverAddress');
  expect(await snapshotStore(api.db)).toBe(before);
});

test('a member API at a refused address is never dialled: the guard answers before any connection', async () => {
  const c = fleet.cluster('m1');
  const strict = addressGuard();
  const client = new KubeMemberClient({
    cluster: 'm1',
    server: c.url,
    kubeconfig: c.kubeconfig(),
    timeoutMs: 2000,
    guard: strict,
    retry: { attempts: 1, baseMs: 1, maxMs: 1 },
  });
  const seen = c.connectionCount;
  const err = await client.version().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(MemberError);
  expect((err as MemberError).reason).toBe('Forbidden');
  expect((err as Error).message).toMatch(/dial refused: address not allowed \(loopback address\)/);
  expect(c.connectionCount).toBe(seen);
  await expect(client.ready()).rejects.toBeInstanceOf(MemberError);
  expect(c.connectionCount).toBe(seen);
});

test('bad Service annotations are refused when written (probe path, adopt)', async () => {
  for (const [k, v] of [
    ['skyfed.io/probe-http-path', '/a b'],
    ['skyfed.io/probe-http-path', 'http://169.254.169.254/'],
    ['skyfed.io/adopt', 'yes'],
  ]) {
    const res = await call(api.url, 'POST', '/api/v1/namespaces/web/services', {
      token: ADMIN_TOKEN,
      body: {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'bad', annotations: { [k as string]: v } },
        spec: { type: 'LoadBalancer', ports: [{ port: 80 }] },
      },
    });
    expect(res.status).toBe(422);
    expect(res.text).toContain(k);
  }
});
