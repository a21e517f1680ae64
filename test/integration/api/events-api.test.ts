/**
 * Events and the self-reviews through the API on the real Firestore emulator: recorded by the
 * recorder skyfed's functions use, read back as kubectl reads them (list, Table, describe's field
 * selector, watch, both API groups), hidden after their TTL; can-i / whoami from the two roles.
 */
import { ADMIN_TOKEN, ApiServer, VIEW_TOKEN, startApiServer } from '../../harness/api-server';
import { TestEmulator, useEmulator } from '../../harness/emulator';
import { call } from '../../harness/http';
import { silentLogger } from '../../../shared/log';
import { CoreEvent, clusterRef, serviceRef } from '../../../shared/recorder/event';
import { StoreEventRecorder, pruneEvents } from '../../../shared/recorder/recorder';
import { shardHealth } from '../../../shared/recorder/occurrences';

let emu: TestEmulator;
let api: ApiServer;
beforeAll(async () => {
  emu = await useEmulator();
  api = await startApiServer(undefined, { SKYFED_EVENT_TTL_SECONDS: '600' });
}, 60_000);
afterAll(async () => {
  await api?.close();
  await emu?.stop();
});

const A = { token: ADMIN_TOKEN };
const V = { token: VIEW_TOKEN };
const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';
type List = { items: CoreEvent[]; metadata: { resourceVersion: string } };

async function createService(name: string): Promise<Record<string, unknown>> {
  const r = await call(api.url, 'POST', '/api/v1/namespaces/shop/services', {
    ...A,
    body: { apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { ports: [{ port: 80 }] } },
  });
  expect(r.status).toBe(201);
  return r.body;
}

test('recorded occurrences are listed once with their count, as a Table, and under both groups', async () => {
  const svc = (await createService('web')) as { metadata: { name: string; namespace: string; uid: string } };
  const rec = api.runtime.events('skyfed-sweep');
  rec.record(shardHealth(svc as never, 'east', false, 'no answer within 2000 ms'));
  await rec.flush();
  rec.record(shardHealth(svc as never, 'east', false, 'no answer within 2000 ms'));
  rec.record(shardHealth(svc as never, 'west', true, '1 ready endpoints'));
  await rec.flush();

  const list = (await call(api.url, 'GET', '/api/v1/namespaces/shop/events', A)).body as unknown as List;
  expect(list.items.map((e) => [e.reason, e.count, e.type]).sort()).toEqual([
    ['ShardHealthy', 1, 'Normal'],
    ['ShardUnhealthy', 2, 'Warning'],
  ]);
  const unhealthy = list.items.find((e) => e.reason === 'ShardUnhealthy') as CoreEvent;
  expect(unhealthy.involvedObject).toEqual({ kind: 'Service', apiVersion: 'v1', namespace: 'shop', name: 'web', uid: svc.metadata.uid });
  expect(unhealthy.message).toBe('Shard in cluster east is unhealthy: no answer within 2000 ms');
  expect(unhealthy.source).toEqual({ component: 'skyfed-sweep' });

  const table = (await call(api.url, 'GET', '/api/v1/namespaces/shop/events', { ...A, accept: TABLE })).body as {
    columnDefinitions: { name: string }[];
    rows: { cells: unknown[] }[];
  };
  expect(table.columnDefinitions.map((c) => c.name)).toEqual([
    'Last Seen',
    'Type',
    'Reason',
    'Object',
    'Subobject',
    'Source',
    'Message',
    'First Seen',
    'Count',
    'Name',
  ]);
  expect(table.rows.map((r) => r.cells.slice(1, 4)).sort()).toEqual([
    ['Normal', 'ShardHealthy', 'service/web'],
    ['Warning', 'ShardUnhealthy', 'service/web'],
  ]);

  const v1 = (await call(api.url, 'GET', '/apis/events.k8s.io/v1/namespaces/shop/events', A)).body as { kind: string; items: Record<string, unknown>[] };
  expect(v1.kind).toBe('EventList');
  const note = v1.items.find((e) => e['reason'] === 'ShardUnhealthy') as Record<string, unknown>;
  expect(note).toMatchObject({
    apiVersion: 'events.k8s.io/v1',
    note: unhealthy.message,
    deprecatedCount: 2,
    regarding: unhealthy.involvedObject,
    series: { count: 2 },
  });
  const one = await call(api.url, 'GET', `/apis/events.k8s.io/v1/namespaces/shop/events/${unhealthy.metadata.name ?? ''}`, V);
  expect(one.status).toBe(200);
  expect(one.body['metadata']).toEqual(unhealthy.metadata);
});

test("kubectl describe's field selector finds a Service's and a cluster-scoped object's Events", async () => {
  const svc = (await createService('api')) as { metadata: { uid: string } };
  const rec = api.runtime.events('skyfed-propagation');
  rec.record({ regarding: serviceRef(svc as never), type: 'Normal', reason: 'Propagated', message: 'Created the Service in cluster east' });
  rec.record({
    regarding: clusterRef({ apiVersion: 'federation/v1beta1', kind: 'Cluster', metadata: { name: 'east', uid: 'c-1' } }),
    type: 'Warning',
    reason: 'Offline',
    message: 'unreachable',
  });
  await rec.flush();
  const sel = encodeURIComponent(`involvedObject.kind=Service,involvedObject.name=api,involvedObject.namespace=shop,involvedObject.uid=${svc.metadata.uid}`);
  const forSvc = (await call(api.url, 'GET', `/api/v1/namespaces/shop/events?fieldSelector=${sel}&limit=500`, V)).body as unknown as List;
  expect(forSvc.items.map((e) => e.reason)).toEqual(['Propagated']);
  const wrongUid = (
    await call(api.url, 'GET', `/api/v1/namespaces/shop/events?fieldSelector=${encodeURIComponent('involvedObject.name=api,involvedObject.uid=other')}`, V)
  ).body as unknown as List;
  expect(wrongUid.items).toEqual([]);
  // A cluster-scoped object: kubectl lists across namespaces with an empty involvedObject.namespace.
  const clusterSel = encodeURIComponent('involvedObject.kind=Cluster,involvedObject.name=east,involvedObject.namespace=,involvedObject.uid=c-1');
  const forCluster = (await call(api.url, 'GET', `/api/v1/events?fieldSelector=${clusterSel}`, V)).body as unknown as List;
  expect(forCluster.items.map((e) => [e.metadata.namespace, e.reason])).toEqual([['default', 'Offline']]);
  const bad = await call(api.url, 'GET', '/api/v1/events?fieldSelector=spec.x%3Dy', V);
  expect([bad.status, bad.body['message']]).toEqual([400, 'field label not supported: spec.x']);
});

test('a watch sees a repeated occurrence as MODIFIED with the new count', async () => {
  const svc = await createService('cart');
  const rec = api.runtime.events('skyfed-sweep');
  rec.record(shardHealth(svc as never, 'east', false, 'refused'));
  await rec.flush();
  const list = (await call(api.url, 'GET', '/api/v1/namespaces/shop/events?fieldSelector=involvedObject.name%3Dcart', A)).body as unknown as List;
  const watching = call(
    api.url,
    'GET',
    `/api/v1/namespaces/shop/events?watch=true&timeoutSeconds=3&fieldSelector=involvedObject.name%3Dcart&resourceVersion=${list.metadata.resourceVersion}`,
    A,
  );
  await new Promise((r) => setTimeout(r, 800));
  rec.record(shardHealth(svc as never, 'east', false, 'refused'));
  await rec.flush();
  const lines = (await watching).text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { type: string; object: CoreEvent });
  expect(lines.map((l) => [l.type, l.object.count])).toEqual([['MODIFIED', 2]]);
});

test('Events not seen for the TTL are hidden, then pruned', async () => {
  const svc = await createService('old');
  const rec = new StoreEventRecorder(api.runtime.store, silentLogger, {
    component: 'skyfed-sweep',
    ttlSeconds: 600,
    now: () => new Date(Date.now() - 601_000),
  });
  rec.record(shardHealth(svc as never, 'east', true, 'ok'));
  await rec.flush();
  const stored = await api.runtime.store.list<CoreEvent>('events', 'shop');
  const old = stored.find((r) => r.object.involvedObject.name === 'old');
  expect(old).toBeDefined();
  const list = (await call(api.url, 'GET', '/api/v1/namespaces/shop/events?fieldSelector=involvedObject.name%3Dold', A)).body as unknown as List;
  expect(list.items).toEqual([]);
  expect((await call(api.url, 'GET', `/api/v1/namespaces/shop/events/${old?.object.metadata.name ?? ''}`, A)).status).toBe(404);
  expect(await pruneEvents(api.runtime.store, new Date(), 600)).toBe(1);
  expect((await api.runtime.store.list<CoreEvent>('events', 'shop')).some((r) => r.object.involvedObject.name === 'old')).toBe(false);
});

test('events are written by admins only; a bad Event is a 422', async () => {
  const ev = {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: 'hand.1' },
    involvedObject: { kind: 'Service', name: 'web', namespace: 'shop' },
    reason: 'Manual',
    message: 'hi',
    type: 'Normal',
  };
  expect((await call(api.url, 'POST', '/api/v1/namespaces/shop/events', { ...V, body: ev })).status).toBe(403);
  expect((await call(api.url, 'POST', '/api/v1/namespaces/shop/events', { ...A, body: ev })).status).toBe(201);
  const bad = await call(api.url, 'POST', '/apis/events.k8s.io/v1/namespaces/shop/events', {
    ...A,
    body: {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name: 'hand.2' },
      regarding: { kind: 'Service', name: 'web', namespace: 'other' },
      type: 'Loud',
    },
  });
  expect(bad.status).toBe(422);
  expect(bad.body['message']).toBe(
    'Event "hand.2" is invalid: regarding.namespace: Invalid value: "other": does not match event.namespace, type: Unsupported value: "Loud": supported values: "Normal", "Warning"',
  );
});

describe('discovery', () => {
  test('core v1 and events.k8s.io/v1 list events; the review groups are served', async () => {
    const core = (await call(api.url, 'GET', '/api/v1', A)).body as { resources: { name: string; kind: string; shortNames?: string[] }[] };
    expect(core.resources.find((r) => r.name === 'events')).toMatchObject({ kind: 'Event', shortNames: ['ev'] });
    const groups = ((await call(api.url, 'GET', '/apis', A)).body as { groups: { name: string; preferredVersion: { version: string } }[] }).groups;
    expect(groups.map((g) => g.name)).toEqual(expect.arrayContaining(['events.k8s.io', 'authorization.k8s.io', 'authentication.k8s.io']));
    const authn = (await call(api.url, 'GET', '/apis/authentication.k8s.io/v1beta1', A)).body as { resources: { name: string; verbs: string[] }[] };
    expect(authn.resources).toEqual([{ name: 'selfsubjectreviews', singularName: '', namespaced: false, kind: 'SelfSubjectReview', verbs: ['create'] }]);
  });
});

describe('self reviews', () => {
  const ssar = (verb: string, resource: string) => ({
    apiVersion: 'authorization.k8s.io/v1',
    kind: 'SelfSubjectAccessReview',
    spec: { resourceAttributes: { namespace: 'shop', verb, resource } },
  });
  test.each([
    [A, 'create', 'services', true],
    [V, 'create', 'services', false],
    [V, 'list', 'events', true],
    [A, 'delete', 'secrets', true],
  ])('can-i %#: %s %s → %s', async (who, verb, resource, allowed) => {
    const r = await call(api.url, 'POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', { ...who, body: ssar(verb, resource) });
    expect(r.status).toBe(201);
    expect((r.body['status'] as { allowed: boolean }).allowed).toBe(allowed);
  });
  test('the view role may ask but still may not write', async () => {
    const rules = await call(api.url, 'POST', '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews', {
      ...V,
      body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectRulesReview', spec: { namespace: 'shop' } },
    });
    expect(rules.status).toBe(201);
    const who = await call(api.url, 'POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', {
      ...V,
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
    });
    expect((who.body['status'] as { userInfo: unknown }).userInfo).toEqual({ username: 'victor', groups: ['skyfed:view', 'system:authenticated'] });
    expect((await call(api.url, 'POST', '/api/v1/namespaces/shop/services', { ...V, body: {} })).status).toBe(403);
    expect((await call(api.url, 'GET', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', V)).status).toBe(405);
    expect((await call(api.url, 'POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', { body: ssar('get', 'services') })).status).toBe(401);
  });
});
