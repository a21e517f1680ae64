/**
 * The cluster directory against the real emulator: a Service event's pass reads one stamp
 * document while no registration changed, and sees every registration change — from this
 * instance or another — at its next read, never a copy older than the stamp says.
 */
import { Firestore } from '@google-cloud/firestore';
import { Cluster } from '../../../shared/model/cluster';
import { KubeObject } from '../../../shared/model/meta';
import { FirestoreObjectStore } from '../../../shared/store/firestore';
import { StampedClusterDirectory } from '../../../shared/store/cluster-directory';
import { ObjectStore } from '../../../shared/store/port';
import { TestEmulator, useEmulator } from '../../harness/emulator';
import { testProjectId } from '../../harness/api-server';

let emu: TestEmulator;
let db: Firestore;
let store: FirestoreObjectStore;
const projectId = testProjectId('clusterdir');
beforeAll(async () => {
  emu = await useEmulator();
  db = new Firestore({ projectId, ignoreUndefinedProperties: true });
  store = new FirestoreObjectStore(db);
}, 60_000);
afterAll(async () => {
  await db?.terminate();
  await emu?.stop();
});

const cluster = (name: string, labels: Record<string, string> = {}): Cluster => ({
  apiVersion: 'federation/v1beta1',
  kind: 'Cluster',
  metadata: { name, labels },
  spec: { serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: `https://${name}.example.com` }], secretRef: { name } },
});

async function put(s: ObjectStore, c: Cluster): Promise<void> {
  await s.transact<Cluster>('clusters', { name: c.metadata.name as string }, (cur) => ({
    write: {
      object: {
        ...c,
        metadata: { ...c.metadata, ...(cur ? { uid: cur.object.metadata.uid } : {}) },
        ...(cur?.object.status ? { status: cur.object.status } : {}),
      },
    },
  }));
}

async function setStatus(s: ObjectStore, name: string, status: Cluster['status']): Promise<void> {
  await s.transact<Cluster>('clusters', { name }, (cur) => (cur ? { write: { object: { ...cur.object, status } } } : { none: true }));
}

const names = (cs: readonly Cluster[]): string[] => cs.map((c) => c.metadata.name ?? '');

test('steady registrations cost one listing; a join, a label change and a removal are each seen at the next read', async () => {
  await put(store, cluster('a'));
  await put(store, cluster('b'));
  const dir = new StampedClusterDirectory(db, store);
  expect(names(await dir.list())).toEqual(['a', 'b']);
  expect(names(await dir.list())).toEqual(['a', 'b']);
  expect(dir.listings).toBe(1);

  await put(store, cluster('c'));
  expect(names(await dir.list())).toEqual(['a', 'b', 'c']);
  await put(store, cluster('b', { tier: 'gold' }));
  expect((await dir.list()).find((c) => c.metadata.name === 'b')?.metadata.labels).toEqual({ tier: 'gold' });
  await store.transact<Cluster>('clusters', { name: 'a' }, () => ({ delete: true }));
  expect(names(await dir.list())).toEqual(['b', 'c']);
  expect(dir.listings).toBe(4);
});

test('a change of conditions alone does not move the stamp, and the directory never serves conditions', async () => {
  await put(store, cluster('s1'));
  const dir = new StampedClusterDirectory(db, store);
  await dir.list();
  await setStatus(store, 's1', { conditions: [{ type: 'Ready', status: 'False', reason: 'ClusterNotReady' }] });
  const after = await dir.list();
  expect(dir.listings).toBe(1);
  expect(after.every((c) => c.status?.conditions === undefined && c.metadata.managedFields === undefined)).toBe(true);
  // Observed topology is what propagation reads of status: a change of it is seen.
  await setStatus(store, 's1', { zones: ['z2'], region: 'r2' });
  expect((await dir.list()).find((c) => c.metadata.name === 's1')?.status).toEqual({ zones: ['z2'], region: 'r2' });
  expect(dir.listings).toBe(2);
  // The same spec written again (a no-op apply): no new listing either.
  await put(store, cluster('s1'));
  await dir.list();
  expect(dir.listings).toBe(2);
});

test('a copy a minute old is listed again even if the stamp did not move (a writer that does not stamp, mid-deploy)', async () => {
  let now = 1_000_000;
  const dir = new StampedClusterDirectory(db, store, () => now);
  await put(store, cluster('aged'));
  await dir.list();
  // Written around the stamp, as an older revision would.
  await db.doc('clusters/unstamped').set({ object: cluster('unstamped') });
  expect(names(await dir.list())).not.toContain('unstamped');
  now += 61_000;
  expect(names(await dir.list())).toContain('unstamped');
  await db.doc('clusters/unstamped').delete();
});

test('a registration written by another instance is seen here', async () => {
  const other = new FirestoreObjectStore(new Firestore({ projectId, ignoreUndefinedProperties: true }));
  const dir = new StampedClusterDirectory(db, store);
  const before = names(await dir.list());
  await put(other, cluster('from-elsewhere'));
  expect(names(await dir.list())).toEqual([...before, 'from-elsewhere'].sort());
});

test('a registration that lands while the directory lists is never lost behind the copy', async () => {
  // A registration lands just after the listing was taken (so the listing lacks it) and before the
  // directory keeps its copy: a copy labelled with a stamp read after the listing would hide it for good.
  let racing = true;
  const racy: ObjectStore = Object.create(store) as ObjectStore;
  racy.list = async <T extends KubeObject>(...args: Parameters<ObjectStore['list']>) => {
    const listed = await store.list<T>(...args);
    if (racing) {
      racing = false;
      await put(store, cluster('late'));
    }
    return listed;
  };
  const dir = new StampedClusterDirectory(db, racy);
  await dir.list();
  // Whatever that listing showed, the next read shows the late registration.
  expect(names(await dir.list())).toContain('late');
  expect(dir.listings).toBe(2);
});
