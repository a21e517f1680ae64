import { KubeObject } from '../../../shared/model/meta';
import { CoreEvent, Occurrence, eventName, isExpired, nextEvent } from '../../../shared/recorder/event';
import { StoreEventRecorder, pruneEvents } from '../../../shared/recorder/recorder';
import { ObjectKey, ResourceName } from '../../../shared/store/layout';
import { ObjectStore, StoredRecord, TransactResult, nextResourceVersion } from '../../../shared/store/port';
import { silentLogger } from '../../../shared/log';

/** An in-memory ObjectStore: one map per resource, resourceVersions assigned on write as the port promises. */
class MemoryStore implements ObjectStore {
  readonly docs = new Map<string, StoredRecord>();
  writes = 0;
  constructor(private readonly hook: () => Promise<void> = async () => undefined) {}
  private key(r: ResourceName, k: ObjectKey): string {
    return `${r}/${k.namespace ?? ''}/${k.name}`;
  }
  async get<T extends KubeObject>(r: ResourceName, k: ObjectKey): Promise<StoredRecord<T> | undefined> {
    return this.docs.get(this.key(r, k)) as StoredRecord<T> | undefined;
  }
  async list<T extends KubeObject>(r: ResourceName, ns?: string): Promise<StoredRecord<T>[]> {
    return [...this.docs].filter(([k]) => k.startsWith(`${r}/${ns !== undefined ? `${ns}/` : ''}`)).map(([, v]) => v as StoredRecord<T>);
  }
  /** Transactions are serializable, as Firestore's are: one at a time here. */
  private queue: Promise<unknown> = Promise.resolve();
  transact<T extends KubeObject>(
    r: ResourceName,
    k: ObjectKey,
    decide: (c: StoredRecord<T> | undefined) => TransactResult<T> | Promise<TransactResult<T>>,
  ): Promise<StoredRecord<T> | undefined> {
    const run = this.queue.then(() => this.transactNow(r, k, decide));
    this.queue = run.catch(() => undefined);
    return run;
  }
  private async transactNow<T extends KubeObject>(
    r: ResourceName,
    k: ObjectKey,
    decide: (c: StoredRecord<T> | undefined) => TransactResult<T> | Promise<TransactResult<T>>,
  ): Promise<StoredRecord<T> | undefined> {
    await this.hook();
    const cur = this.docs.get(this.key(r, k)) as StoredRecord<T> | undefined;
    const res = await decide(cur);
    if ('none' in res) return cur;
    this.writes++;
    if ('delete' in res) {
      this.docs.delete(this.key(r, k));
      return cur;
    }
    const object = {
      ...res.write.object,
      metadata: { ...res.write.object.metadata, resourceVersion: nextResourceVersion(cur?.object.metadata.resourceVersion, Date.now() * 1000) },
    };
    this.docs.set(this.key(r, k), { object });
    return { object };
  }
  async deletedSince<T extends KubeObject>(): Promise<T[]> {
    return [];
  }
  async listPage(): Promise<never> {
    throw new Error('not used by the recorder');
  }
  async countAfter(): Promise<number> {
    throw new Error('not used by the recorder');
  }
}

const occ = (message: string, reason = 'ShardUnhealthy'): Occurrence => ({
  regarding: { kind: 'Service', apiVersion: 'v1', namespace: 'shop', name: 'web', uid: 'u-1' },
  type: 'Warning',
  reason,
  message,
});
const t0 = new Date('2026-12-01T10:00:00.123Z');
const at = (seconds: number): Date => new Date(t0.getTime() + seconds * 1000);

describe('nextEvent: de-duplication, counts and retention', () => {
  test.each([
    // [what, seconds since the stored event was last seen, expected count, firstTimestamp kept]
    ['a repeat within the TTL counts up', 60, 2, true],
    ['a repeat just inside the TTL counts up', 3600, 2, true],
    ['a repeat after the TTL starts over', 3601, 1, false],
  ])('%s', (_what, seconds, count, kept) => {
    const first = nextEvent(undefined, occ('down'), 'skyfed-sweep', t0, 3600);
    const next = nextEvent(first, occ('down'), 'skyfed-sweep', at(seconds), 3600);
    expect(next.count).toBe(count);
    expect(next.firstTimestamp === first.firstTimestamp).toBe(kept);
    expect(next.lastTimestamp).toBe(
      at(seconds)
        .toISOString()
        .replace(/\.\d{3}Z$/, 'Z'),
    );
    if (count > 1)
      expect(next.series).toEqual({
        count,
        lastObservedTime: at(seconds)
          .toISOString()
          .replace(/\.(\d{3})Z$/, '.$1000Z'),
      });
    else expect(next.series).toBeUndefined();
  });

  test("a new Event is a complete core v1 Event in the object's namespace", () => {
    const e = nextEvent(undefined, occ('down'), 'skyfed-sweep', t0, 3600);
    expect(e).toMatchObject({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { namespace: 'shop', name: eventName(occ('down'), 'skyfed-sweep') },
      involvedObject: { kind: 'Service', name: 'web', namespace: 'shop', uid: 'u-1' },
      type: 'Warning',
      reason: 'ShardUnhealthy',
      message: 'down',
      count: 1,
      source: { component: 'skyfed-sweep' },
      reportingComponent: 'skyfed-sweep',
      firstTimestamp: '2026-12-01T10:00:00Z',
      eventTime: '2026-12-01T10:00:00.123000Z',
    });
  });

  test('cluster-scoped objects\' Events go to "default"', () => {
    const e = nextEvent(undefined, { regarding: { kind: 'Cluster', name: 'east' }, type: 'Normal', reason: 'Ready', message: 'ok' }, 'c', t0, 60);
    expect(e.metadata.namespace).toBe('default');
    expect(e.involvedObject.namespace).toBeUndefined();
  });

  test.each([
    ['same object, reason and message', occ('down'), occ('down'), true],
    ['another message', occ('down'), occ('timeout'), false],
    ['another reason', occ('down'), occ('down', 'Other'), false],
    ['another object uid (re-created)', occ('down'), { ...occ('down'), regarding: { ...occ('down').regarding, uid: 'u-2' } }, false],
  ])('one Event name for %s: %s', (_w, a, b, same) => {
    expect(eventName(a, 'x') === eventName(b, 'x')).toBe(same);
    expect(eventName(a, 'x')).toMatch(/^web\.[0-9a-f]{16}$/);
  });

  test('isExpired counts from the latest sighting (the series)', () => {
    const e = {
      ...nextEvent(undefined, occ('x'), 'c', t0, 60),
      lastTimestamp: t0.toISOString(),
      series: { count: 2, lastObservedTime: at(100).toISOString() },
    } as CoreEvent;
    expect(isExpired(e, at(150), 60)).toBe(false);
    expect(isExpired(e, at(161), 60)).toBe(true);
  });

  test('long messages are clipped to 1 kB', () => {
    expect(nextEvent(undefined, occ('m'.repeat(5000)), 'c', t0, 60).message).toHaveLength(1024);
  });
});

describe('StoreEventRecorder', () => {
  test('the same occurrence three times is one Event with count 3; another message is another Event', async () => {
    const store = new MemoryStore();
    let now = t0;
    const r = new StoreEventRecorder(store, silentLogger, { component: 'skyfed-sweep', ttlSeconds: 3600, now: () => now });
    r.record(occ('down'));
    await r.flush();
    now = at(5);
    r.record(occ('down'));
    r.record(occ('down'));
    r.record(occ('timeout'));
    await r.flush();
    const events = (await store.list<CoreEvent>('events', 'shop')).map((x) => x.object);
    expect(events.map((e) => [e.message, e.count]).sort()).toEqual([
      ['down', 3],
      ['timeout', 1],
    ]);
    expect(r.stats).toEqual({ recorded: 4, written: 4, dropped: 0, failed: 0 });
  });

  test('recording never throws and never waits on a failing or hanging store', async () => {
    const failing = new StoreEventRecorder(
      new MemoryStore(async () => {
        throw new Error('unavailable');
      }),
      silentLogger,
      { component: 'c', ttlSeconds: 60 },
    );
    expect(() => failing.record(occ('x'))).not.toThrow();
    await failing.flush();
    expect(failing.stats.failed).toBe(1);

    const hanging = new StoreEventRecorder(new MemoryStore(() => new Promise(() => undefined)), silentLogger, {
      component: 'c',
      ttlSeconds: 60,
      timeoutMs: 100,
    });
    const started = Date.now();
    hanging.record(occ('x'));
    expect(Date.now() - started).toBeLessThan(100); // returned before the 100 ms store time-out could pass
    await hanging.flush();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(hanging.stats.failed).toBe(1);
  });

  test('beyond maxPending, occurrences are dropped and counted', async () => {
    const r = new StoreEventRecorder(new MemoryStore(() => new Promise((res) => setTimeout(res, 20))), silentLogger, {
      component: 'c',
      ttlSeconds: 60,
      maxPending: 2,
      concurrency: 1,
    });
    for (let i = 0; i < 5; i++) r.record(occ(`m${i}`));
    await r.flush();
    expect(r.stats).toMatchObject({ recorded: 5, written: 2, dropped: 3 });
  });

  test('pruneEvents deletes expired Events only', async () => {
    const store = new MemoryStore();
    let now = t0;
    const r = new StoreEventRecorder(store, silentLogger, { component: 'c', ttlSeconds: 60, now: () => now });
    r.record(occ('old'));
    await r.flush();
    now = at(100);
    r.record(occ('new'));
    await r.flush();
    expect(await pruneEvents(store, at(130), 60)).toBe(1);
    expect((await store.list<CoreEvent>('events')).map((x) => x.object.message)).toEqual(['new']);
  });
});
