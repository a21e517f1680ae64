/**
 * The sweep's Firestore adapters against the real emulator: the sharded map (field-path merges from
 * many writers, whole-document replaces that touch only changed documents), the per-cluster health
 * record split into parts, and the Service catalog kept in step with the Service documents.
 */
import { Firestore } from '@google-cloud/firestore';
import { FirestoreObjectStore } from '../../../shared/store/firestore';
import { CATALOG_SHARDS, ServiceCatalog } from '../../../shared/store/service-catalog';
import { FirestoreShardedMap } from '../../../shared/store/sharded-map';
import { FirestoreHealthStore, PART_CHARS } from '../../../shared/store/sweep-health';
import { Service } from '../../../shared/model/service';
import { TestEmulator, useEmulator } from '../../harness/emulator';
import { testProjectId } from '../../harness/api-server';

let emu: TestEmulator;
let db: Firestore;
beforeAll(async () => {
  emu = await useEmulator();
  db = new Firestore({ projectId: testProjectId('sweepstores'), ignoreUndefinedProperties: true });
}, 60_000);
afterAll(async () => {
  await db?.terminate();
  await emu?.stop();
});

test('sharded map: concurrent puts of different keys all land; replace writes only changed documents', async () => {
  const map = new FirestoreShardedMap(db, 'mapTest', 4);
  const keys = Array.from({ length: 24 }, (_, i) => `ns-${i % 3}/svc.${i} with space`);
  await Promise.all(keys.map((k) => map.put(k, `v-${k}`)));
  const read = await map.read();
  expect([...read.values.keys()].sort()).toEqual([...keys].sort());
  expect(read.documents).toBeLessThanOrEqual(4);
  await map.put(keys[0] as string, undefined);
  expect((await map.read()).values.has(keys[0] as string)).toBe(false);
  expect(await map.get(keys[1] as string)).toBe(`v-${keys[1] as string}`);
  const before = (await map.read()).values;
  const next = new Map(before);
  next.set(keys[2] as string, 'changed');
  expect(await map.replace(next, before)).toBe(1);
  expect(await map.replace(next, next)).toBe(0);
  expect((await map.read()).values).toEqual(next);
});

test('health record: a large cluster record is split into parts and read back whole; shrinking drops the extra parts', async () => {
  const PART = 20_000; // small parts: the same splitting as at 900,000 characters, without megabyte writes
  const store = new FirestoreHealthStore(db, PART);
  const big: Record<string, { healthy: boolean; reason: string; readyEndpoints: number; consecutiveFailures: number; consecutiveSuccesses: number }> = {};
  expect(PART_CHARS).toBeLessThan(1_048_576 - 1_000); // production parts fit Firestore's document limit
  // About 2.2 parts' worth of JSON (each entry is about 300 characters).
  for (let i = 0; i < Math.ceil((PART * 2.2) / 300); i++)
    big[`ns/service-${i}`] = { healthy: i % 2 === 0, reason: 'x'.repeat(200), readyEndpoints: 3, consecutiveFailures: 0, consecutiveSuccesses: 0 };
  expect(JSON.stringify(big).length).toBeGreaterThan(PART * 2);
  await store.write('gke-1', big);
  await store.write('eks-2', { 'ns/a': { healthy: true, reason: 'ok', readyEndpoints: 1, consecutiveFailures: 0, consecutiveSuccesses: 0 } });
  let all = await store.readAll();
  expect(all.clusters.get('gke-1')).toEqual(big);
  expect(all.documents).toBe(4);
  await store.write('gke-1', { 'ns/b': { healthy: false, reason: 'down', readyEndpoints: 0, consecutiveFailures: 1, consecutiveSuccesses: 0 } });
  all = await store.readAll();
  expect(Object.keys(all.clusters.get('gke-1') ?? {})).toEqual(['ns/b']);
  expect(all.documents).toBe(2);
  await store.write('eks-2', undefined);
  expect([...(await store.readAll()).clusters.keys()]).toEqual(['gke-1']);
});

test('health record: the shards whose last probe timed out are heard first, before any whole record, and go with it', async () => {
  const store = new FirestoreHealthStore(db);
  const entry = (code: 'ProbeTimedOut' | 'ProbeSucceeded') => ({
    healthy: code === 'ProbeSucceeded',
    code,
    reason: code,
    readyEndpoints: 1,
    consecutiveFailures: 0,
    consecutiveSuccesses: 0,
    addresses: ['10.0.0.1'],
  });
  await store.write('slow-a', { 'ns/x': entry('ProbeTimedOut'), 'ns/y': entry('ProbeSucceeded') });
  await store.write('slow-b', { 'ns/x': entry('ProbeSucceeded') });
  const heard: string[] = [];
  const all = await store.readAll((cluster, h) => heard.push(`${cluster}:${Object.keys(h).join(',')}`));
  // The timed-out list of slow-a comes before every whole record; whole records are what readAll returns.
  expect(heard[0]).toBe('slow-a:ns/x');
  expect(heard).toEqual(expect.arrayContaining(['slow-a:ns/x,ns/y', 'slow-b:ns/x']));
  expect(Object.keys(all.clusters.get('slow-a') ?? {})).toEqual(['ns/x', 'ns/y']);
  // Nothing timed out any more: the list goes in the same write; a removed record takes it along too.
  await store.write('slow-a', { 'ns/x': entry('ProbeSucceeded') });
  heard.length = 0;
  await store.readAll((cluster, h) => heard.push(`${cluster}:${Object.keys(h).join(',')}`));
  expect(heard.filter((h) => h.startsWith('slow-a'))).toEqual(['slow-a:ns/x']);
  await store.write('slow-a', { 'ns/x': entry('ProbeTimedOut') });
  await store.write('slow-a', undefined);
  const left = (await db.collection('sweepHealth').get()).docs.map((d) => d.id).filter((id) => id.includes('slow-a'));
  expect(left).toEqual([]);
});

test('catalog: sync follows the Service document, skips writes that change nothing, and forgets deleted Services', async () => {
  const store = new FirestoreObjectStore(db);
  const catalog = new ServiceCatalog(new FirestoreShardedMap(db, 'catalogTest', CATALOG_SHARDS));
  const svc: Service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'shop', uid: 'u1', labels: { team: 'a' } },
    spec: { type: 'LoadBalancer', selector: { app: 'web' }, ports: [{ port: 443 }] },
  };
  await store.transact<Service>('services', { namespace: 'shop', name: 'web' }, () => ({ write: { object: svc } }));
  await catalog.sync(store, 'shop', 'web');
  const [entry] = (await catalog.readAll()).services;
  expect(entry?.spec).toEqual({ type: 'LoadBalancer', ports: [{ port: 443 }] });
  expect(entry?.metadata.labels).toBeUndefined();
  await store.transact<Service>('services', { namespace: 'shop', name: 'web' }, () => ({ delete: true }));
  await catalog.sync(store, 'shop', 'web');
  expect((await catalog.readAll()).services).toEqual([]);
});
