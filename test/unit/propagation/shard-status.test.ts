/**
 * Shard status written by passes that overlap (duplicate or reordered events on several function
 * instances): the newer observation wins whichever pass finishes last, and the in-memory store
 * keeps Firestore's transaction rules (a contended transaction is decided again).
 */
import { Service } from '../../../shared/model/service';
import { MemoryObjectStore, MemoryShardStore } from '../../../shared/store/memory';
import { PropagationState, replacesShard } from '../../../shared/store/shards';

const state = (present: boolean, observedAt: string, extra: Partial<PropagationState> = {}): PropagationState => ({
  present,
  ingress: [],
  observedAt,
  ...extra,
});

test.each<[string, PropagationState | undefined, PropagationState, boolean]>([
  ['nothing stored', undefined, state(true, '2026-12-01T10:00:01Z'), true],
  ['the same, observed again later: no write', state(true, '2026-12-01T10:00:01Z'), state(true, '2026-12-01T10:00:02Z'), false],
  ['a newer observation', state(false, '2026-12-01T10:00:01Z'), state(true, '2026-12-01T10:00:02Z'), true],
  ['an older observation finishing last', state(false, '2026-12-01T10:00:02Z'), state(true, '2026-12-01T10:00:01Z'), false],
  ['an error cleared', state(false, '2026-12-01T10:00:01Z', { error: 'x', since: '2026-12-01T10:00:01Z' }), state(true, '2026-12-01T10:00:02Z'), true],
])('replacesShard: %s', (_t, stored, next, want) => {
  expect(replacesShard(stored, next)).toBe(want);
});

test('two passes read a shard, the later observation writes first: the earlier one does not overwrite it', async () => {
  const shards = new MemoryShardStore();
  await shards.put('web', 'nginx', 'asia', 'propagation', state(false, '2026-12-01T10:00:00Z'));
  const [read] = await shards.list('web', 'nginx');
  expect(await shards.put('web', 'nginx', 'asia', 'propagation', state(false, '2026-12-01T10:00:02Z', { error: 'delete failed' }), read)).toBe(true);
  // The earlier pass still holds the shard as it read it: its conditional write misses and it decides again.
  expect(await shards.put('web', 'nginx', 'asia', 'propagation', state(true, '2026-12-01T10:00:01Z'), read)).toBe(false);
  const [now] = await shards.list('web', 'nginx');
  expect(now?.propagation).toMatchObject({ present: false, error: 'delete failed' });
});

test('shards of different clusters never overwrite each other', async () => {
  const shards = new MemoryShardStore();
  await Promise.all(['a', 'b', 'c'].map((c) => shards.put('web', 'nginx', c, 'propagation', state(true, '2026-12-01T10:00:00Z'))));
  expect((await shards.list('web', 'nginx')).map((d) => d.cluster).sort()).toEqual(['a', 'b', 'c']);
});

test('the in-memory object store decides a contended transaction again, like Firestore', async () => {
  const store = new MemoryObjectStore();
  const svc: Service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'nginx', namespace: 'web', labels: {} }, spec: {} };
  await store.transact<Service>('services', { namespace: 'web', name: 'nginx' }, () => ({ write: { object: svc } }));
  let runs = 0;
  const label = (k: string) =>
    store.transact<Service>('services', { namespace: 'web', name: 'nginx' }, async (cur) => {
      runs++;
      await new Promise((r) => setTimeout(r, k === 'slow' ? 20 : 1));
      return {
        write: {
          object: { ...(cur?.object as Service), metadata: { ...(cur?.object as Service).metadata, labels: { ...cur?.object.metadata.labels, [k]: 'y' } } },
        },
      };
    });
  await Promise.all([label('slow'), label('fast')]);
  const got = await store.get<Service>('services', { namespace: 'web', name: 'nginx' });
  expect(got?.object.metadata.labels).toEqual({ slow: 'y', fast: 'y' });
  expect(runs).toBe(3);
  expect(Number(got?.object.metadata.resourceVersion)).toBeGreaterThan(0);
});
