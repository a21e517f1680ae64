/**
 * Issue 8, finding 9, from the attacker's side: expected conditions get 4xx Statuses, never 500, and
 * cost stays bounded — bodies are not read before the caller is known, are cut off at 3 MiB while
 * streaming, deep nesting is refused, a document too large for the store is refused before the
 * write, 50 concurrent patches of one object never answer 5xx, watches are limited per caller and
 * end on time.
 */
import { request } from 'node:http';
import { ADMIN_TOKEN, ApiServer, VIEW_TOKEN, snapshotStore, startApiServer } from '../../harness/api-server';
import { TestEmulator, useEmulator } from '../../harness/emulator';
import { call } from '../../harness/http';
import { DocumentTooLargeError } from '../../../shared/store/errors';

let emu: TestEmulator;
let api: ApiServer;
const SVC = '/api/v1/namespaces/web/services';
const nginx = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'nginx' }, spec: { type: 'LoadBalancer', ports: [{ port: 80 }] } };

beforeAll(async () => {
  emu = await useEmulator();
  api = await startApiServer(undefined, { SKYFED_MAX_WATCHES_PER_USER: '3' });
  expect((await call(api.url, 'POST', SVC, { token: ADMIN_TOKEN, body: nginx })).status).toBe(201);
}, 60_000);
afterAll(async () => {
  await api?.close();
  await emu?.stop();
});

/**
 * Declares a body of `declared` bytes (or chunked when undefined) and sends `send` bytes of it, then
 * waits for an answer without ever finishing the body: only a server that answers before reading
 * the whole body replies.
 */
function sendPartial(path: string, opts: { token?: string; declared?: number; send: number }): Promise<{ status: number; text: string; ms: number }> {
  const url = new URL(api.url);
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (opts.token) headers['authorization'] = `Bearer ${opts.token}`;
    if (opts.declared !== undefined) headers['content-length'] = String(opts.declared);
    const req = request({ host: url.hostname, port: url.port, method: 'POST', path, headers }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => {
        text += c.toString();
      });
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, text, ms: Date.now() - started });
        req.destroy();
      });
    });
    req.on('error', (e) => reject(e));
    const chunk = Buffer.alloc(64 * 1024, 'a');
    let sent = 0;
    const pump = (): void => {
      while (sent < opts.send) {
        sent += chunk.length;
        if (!req.write(chunk)) {
          req.once('drain', pump);
          return;
        }
      }
    };
    pump();
    setTimeout(() => reject(new Error('no answer while the body was still open')), 15_000).unref();
  });
}

test('an unauthenticated 100 MB body is refused (401) before it is read', async () => {
  const r = await sendPartial(SVC, { declared: 100 * 1024 * 1024, send: 1024 * 1024 });
  expect(r.status).toBe(401);
  expect(JSON.parse(r.text)).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
});

test('a read-only token cannot make the API read a body (403 before reading)', async () => {
  const r = await sendPartial(SVC, { token: VIEW_TOKEN, declared: 50 * 1024 * 1024, send: 256 * 1024 });
  expect(r.status).toBe(403);
});

test('an admin body declared over 3 MiB is refused at once; a chunked one is cut off while it streams (413)', async () => {
  const declared = await sendPartial(SVC, { token: ADMIN_TOKEN, declared: 10 * 1024 * 1024, send: 64 * 1024 });
  expect(declared.status).toBe(413);
  expect(JSON.parse(declared.text)).toMatchObject({ kind: 'Status', reason: 'RequestEntityTooLarge', code: 413 });
  const chunked = await sendPartial(SVC, { token: ADMIN_TOKEN, send: 4 * 1024 * 1024 });
  expect(chunked.status).toBe(413);
});

const deepJson = (n: number) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;
test.each([
  ['JSON object nested 10,000 deep', deepJson(10_000), 'application/json'],
  ['JSON array nested 10,000 deep', `{"metadata":{"name":"x"},"spec":{"ports":${'['.repeat(10_000)}${']'.repeat(10_000)}}}`, 'application/json'],
  ['merge patch nested 5,000 deep', deepJson(5000), 'application/merge-patch+json'],
  ['YAML nested 2,000 deep (block)', Array.from({ length: 2000 }, (_, i) => `${' '.repeat(i)}a:`).join('\n') + ' 1\n', 'application/yaml'],
  ['YAML nested 5,000 deep (flow)', `a: ${'['.repeat(5000)}${']'.repeat(5000)}\n`, 'application/yaml'],
])('%s → 400, store unchanged', async (_n, body, contentType) => {
  const before = await snapshotStore(api.db);
  const path = contentType === 'application/merge-patch+json' ? `${SVC}/nginx` : SVC;
  const r = await call(api.url, contentType.includes('patch') ? 'PATCH' : 'POST', path, { token: ADMIN_TOKEN, body, contentType });
  expect({ status: r.status, reason: r.body['reason'] }).toEqual({ status: 400, reason: 'BadRequest' });
  expect(await snapshotStore(api.db)).toBe(before);
});

test('a 1 MB Secret is 422 (not 500), and nothing is stored', async () => {
  const before = await snapshotStore(api.db);
  const r = await call(api.url, 'POST', '/api/v1/namespaces/federation-system/secrets', {
    token: ADMIN_TOKEN,
    body: { metadata: { name: 'big' }, data: { blob: Buffer.alloc(1024 * 1024, 7).toString('base64') } },
  });
  expect({ status: r.status, reason: r.body['reason'] }).toEqual({ status: 422, reason: 'Invalid' });
  expect(await snapshotStore(api.db)).toBe(before);
});

test("a document over Firestore's 1 MiB limit is refused by the store before the write", async () => {
  const huge = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'huge', namespace: 'web', annotations: { a: 'x'.repeat(1100 * 1024) } }, spec: {} };
  await expect(api.runtime.store.transact('services', { namespace: 'web', name: 'huge' }, () => ({ write: { object: huge } }))).rejects.toBeInstanceOf(
    DocumentTooLargeError,
  );
  expect((await api.db.doc('namespaces/web/services/huge').get()).exists).toBe(false);
});

test('50 concurrent merge patches of one object: no 5xx; each is applied (200) or told to retry (429 with Retry-After)', async () => {
  const results = await Promise.all(
    Array.from({ length: 50 }, (_, i) =>
      call(api.url, 'PATCH', `${SVC}/nginx`, {
        token: ADMIN_TOKEN,
        body: { metadata: { labels: { [`p${i}`]: 'x' } } },
        contentType: 'application/merge-patch+json',
      }),
    ),
  );
  const codes = results.map((r) => r.status);
  expect(codes.filter((c) => c >= 500)).toEqual([]);
  expect(codes.filter((c) => c !== 200 && c !== 429)).toEqual([]);
  for (const r of results.filter((x) => x.status === 429)) expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
  const got = await call(api.url, 'GET', `${SVC}/nginx`, { token: ADMIN_TOKEN });
  const labels = (got.body['metadata'] as { labels: Record<string, string> }).labels;
  const applied = results.map((r, i) => (r.status === 200 ? `p${i}` : undefined)).filter(Boolean);
  expect(applied.filter((k) => labels[k as string] !== 'x')).toEqual([]);
  expect(applied.length).toBeGreaterThanOrEqual(25);
}, 60_000);

test('watches: timeoutSeconds ends the stream on time; a caller over the per-user limit gets 429; a bad timeout is 400', async () => {
  const started = Date.now();
  const short = await call(api.url, 'GET', `${SVC}?watch=true&timeoutSeconds=2`, { token: VIEW_TOKEN });
  const took = Date.now() - started;
  expect(short.status).toBe(200);
  expect(short.text).toContain('"ADDED"');
  expect(took).toBeGreaterThanOrEqual(1900);
  expect(took).toBeLessThan(6000); // ended by its timeout, not by the client (a busy CI machine adds seconds)

  const open = [1, 2, 3].map(() => call(api.url, 'GET', `${SVC}?watch=true&timeoutSeconds=4`, { token: VIEW_TOKEN }));
  await new Promise((r) => setTimeout(r, 500));
  const fourth = await call(api.url, 'GET', `${SVC}?watch=true&timeoutSeconds=4`, { token: VIEW_TOKEN });
  expect({ status: fourth.status, reason: fourth.body['reason'] }).toEqual({ status: 429, reason: 'TooManyRequests' });
  expect(Number(fourth.headers['retry-after'])).toBeGreaterThan(0);
  const others = await call(api.url, 'GET', `${SVC}?watch=true&timeoutSeconds=1`, { token: ADMIN_TOKEN });
  expect(others.status).toBe(200); // the limit is per caller
  expect((await Promise.all(open)).map((r) => r.status)).toEqual([200, 200, 200]);
  const after = await call(api.url, 'GET', `${SVC}?watch=true&timeoutSeconds=1`, { token: VIEW_TOKEN });
  expect(after.status).toBe(200); // closed watches give their slot back

  const bad = await call(api.url, 'GET', `${SVC}?watch=true&timeoutSeconds=soon`, { token: VIEW_TOKEN });
  expect({ status: bad.status, reason: bad.body['reason'] }).toEqual({ status: 400, reason: 'BadRequest' });
}, 30_000);
