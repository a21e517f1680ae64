/**
 * Shard status written in groups (FirestoreShardStore.putAll) against the real emulator: one commit
 * for many clusters' shards with the member index beside them, and, when one shard was written by
 * someone else since it was read, a fall-back to one write each that keeps the newer observation.
 */
import { Firestore } from '@google-cloud/firestore';
import { FirestoreShardStore, PropagationState } from '../../../shared/store/shards';
import { TestEmulator, useEmulator } from '../../harness/emulator';
import { testProjectId } from '../../harness/api-server';

let emu: TestEmulator;
let db: Firestore;
let store: FirestoreShardStore;
beforeAll(async () => {
  emu = await useEmulator();
  db = new Firestore({ projectId: testProjectId('shardbatch'), ignoreUndefinedProperties: true });
  store = new FirestoreShardStore(db);
}, 60_000);
afterAll(async () => {
  await db?.terminate();
  await emu?.stop();
});

const present = (uid: string, at: string): PropagationState => ({ present: true, ingress: [], memberUid: uid, observedAt: at });

test('many clusters in one call: every shard and every member-index entry lands', async () => {
  const clusters = Array.from({ length: 30 }, (_, i) => `c${i}`);
  const wrote = await store.putAll(
    clusters.map((cluster) => ({ namespace: 'web', service: 'nginx', cluster, value: present(`uid-${cluster}`, '2026-12-01T00:00:00Z') })),
  );
  expect(wrote).toEqual(clusters.map(() => true));
  const shards = await store.list('web', 'nginx');
  expect(shards.map((s) => s.cluster).sort()).toEqual([...clusters].sort());
  const index = await store.readAll();
  expect(clusters.every((c) => index.get(c)?.get('web/nginx') === `uid-${c}`)).toBe(true);
  // The same again (nothing new to say): nothing is written.
  const again = await store.list('web', 'nginx');
  expect(
    await store.putAll(again.map((d) => ({ namespace: 'web', service: 'nginx', cluster: d.cluster, value: d.propagation as PropagationState, previous: d }))),
  ).toEqual(again.map(() => false));
});

test('a shard someone else wrote since it was read: the others still land, and the newer observation is kept', async () => {
  await store.putAll(['a', 'b'].map((cluster) => ({ namespace: 'web', service: 'api', cluster, value: present(`old-${cluster}`, '2026-12-01T00:00:00Z') })));
  const read = new Map((await store.list('web', 'api')).map((d) => [d.cluster, d]));
  // Another instance records a later observation of cluster a.
  await store.put('web', 'api', 'a', 'propagation', present('newest-a', '2026-12-01T00:10:00Z'), read.get('a'));
  const wrote = await store.putAll(
    ['a', 'b'].map((cluster) => ({
      namespace: 'web',
      service: 'api',
      cluster,
      value: present(`mine-${cluster}`, '2026-12-01T00:05:00Z'),
      previous: read.get(cluster),
    })),
  );
  expect(wrote).toEqual([false, true]);
  const now = new Map((await store.list('web', 'api')).map((d) => [d.cluster, d.propagation?.memberUid]));
  expect(now).toEqual(
    new Map([
      ['a', 'newest-a'],
      ['b', 'mine-b'],
    ]),
  );
  expect((await store.readAll()).get('b')?.get('web/api')).toBe('mine-b');
});
