/**
 * Issue 8, finding 10: with the store unreachable, requests answer 503/504 (Status, Retry-After)
 * within 10 s instead of hanging; a write the caller was told timed out is not applied later; and
 * once the store is back, requests succeed again within a few seconds.
 */
import { Firestore } from '@google-cloud/firestore';
import { ADMIN_TOKEN, ApiServer, startApiServer } from '../../harness/api-server';
import { TestEmulator, useEmulator } from '../../harness/emulator';
import { call } from '../../harness/http';
import { StoreRelay, startStoreRelay } from './store-relay';

let emu: TestEmulator;
let relay: StoreRelay;
let api: ApiServer;
let direct: Firestore;
const SVC = '/api/v1/namespaces/web/services';
const svc = (name: string) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { type: 'ClusterIP', ports: [{ port: 80 }] } });

beforeAll(async () => {
  emu = await useEmulator();
  relay = await startStoreRelay(emu.host);
  // The API's Firestore client dials the relay; the test reads the emulator directly.
  process.env['FIRESTORE_EMULATOR_HOST'] = relay.host;
  try {
    api = await startApiServer();
  } finally {
    process.env['FIRESTORE_EMULATOR_HOST'] = emu.host;
  }
  direct = new Firestore({ projectId: api.projectId });
  expect((await call(api.url, 'POST', SVC, { token: ADMIN_TOKEN, body: svc('before') })).status).toBe(201);
}, 60_000);
afterAll(async () => {
  await api?.close();
  await direct?.terminate();
  await relay?.close();
  await emu?.stop();
});

async function timed(method: string, path: string, body?: object): Promise<{ status: number; reason: unknown; retryAfter: unknown; ms: number }> {
  const t = Date.now();
  const contentType = method === 'PATCH' ? 'application/merge-patch+json' : 'application/json';
  const r = await call(api.url, method, path, { token: ADMIN_TOKEN, ...(body ? { body, contentType } : {}) });
  return { status: r.status, reason: r.body['reason'], retryAfter: r.headers['retry-after'], ms: Date.now() - t };
}

/** Polls a read until it succeeds; returns how long that took. */
async function recoveryMs(): Promise<number> {
  const t = Date.now();
  while (Date.now() - t < 30_000) {
    if ((await call(api.url, 'GET', `${SVC}/before`, { token: ADMIN_TOKEN })).status === 200) return Date.now() - t;
    await new Promise((r) => setTimeout(r, 200));
  }
  return Infinity;
}

test('store black-holed: reads and writes answer 503/504 with Retry-After within 10 s; the timed-out write never lands; back within seconds', async () => {
  await relay.set('blackhole');
  const answers = await Promise.all([
    timed('GET', `${SVC}/before`),
    timed('GET', SVC),
    timed('POST', SVC, svc('during')),
    timed('PATCH', `${SVC}/before`, { metadata: { labels: { during: 'outage' } } }),
  ]);
  for (const a of answers) {
    expect([503, 504]).toContain(a.status);
    expect(['ServiceUnavailable', 'Timeout']).toContain(a.reason);
    expect(Number(a.retryAfter)).toBeGreaterThan(0);
    expect(a.ms).toBeLessThan(10_000);
  }
  await new Promise((r) => setTimeout(r, 3000)); // the client library's own retries would still be going
  await relay.set('up');
  const back = await recoveryMs();
  expect(back).toBeLessThan(5000);
  await new Promise((r) => setTimeout(r, 3000));
  expect((await direct.doc('namespaces/web/services/during').get()).exists).toBe(false);
  expect((await direct.doc('namespaces/web/services/before').get()).data()?.['object'].metadata.labels?.during).toBeUndefined();
}, 60_000);

test('store refusing connections for 15 s: 503 quickly, and requests succeed again within seconds of its return', async () => {
  await relay.set('refuse');
  const until = Date.now() + 15_000;
  while (Date.now() < until) {
    const a = await timed('GET', `${SVC}/before`);
    expect([503, 504]).toContain(a.status);
    expect(a.ms).toBeLessThan(10_000);
    await new Promise((r) => setTimeout(r, 1000));
  }
  await relay.set('up');
  expect(await recoveryMs()).toBeLessThan(5000);
}, 90_000);
