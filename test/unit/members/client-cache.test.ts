/** Member clients are reused per cluster registration, replaced (and closed) when it changes or ages out. */
import { memberClientCache } from '../../../shared/members/client-cache';
import { MemberClient } from '../../../shared/members/port';
import { Cluster } from '../../../shared/model/cluster';

interface Opened {
  readonly id: number;
  readonly cluster: string;
  closed: boolean;
  close(): void;
}

function setup(fail: (n: number) => boolean = () => false) {
  let t = 0;
  const opened: Opened[] = [];
  const cache = memberClientCache(
    async (c: Cluster) => {
      const id = opened.length + 1;
      const o: Opened = {
        id,
        cluster: c.metadata.name ?? '',
        closed: false,
        close() {
          this.closed = true;
        },
      };
      opened.push(o);
      if (fail(id)) throw new Error('credentials Secret not found');
      return o as unknown as MemberClient & Opened;
    },
    30_000,
    () => t,
  );
  return {
    cache,
    opened,
    advance: (ms: number) => {
      t += ms;
    },
  };
}
// `server` stands for the connection: the registration's address (the cache's key with the secret reference).
const cluster = (name: string, server: string, resourceVersion = '1'): Cluster =>
  ({
    metadata: { name, resourceVersion },
    spec: { serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: `https://${server}.example` }], secretRef: { name } },
  }) as Cluster;
const flush = () => new Promise((r) => setImmediate(r));

test('one registration within the TTL is one client; each cluster has its own', async () => {
  const { cache, opened } = setup();
  const [a1, a2, b] = await Promise.all([cache(cluster('a', '1')), cache(cluster('a', '1')), cache(cluster('b', '1'))]);
  expect(a1).toBe(a2);
  expect(b).not.toBe(a1);
  expect(opened.map((o) => o.cluster)).toEqual(['a', 'b']);
});

test('a changed registration or an aged client is replaced, and the replaced one closed', async () => {
  const { cache, opened, advance } = setup();
  const first = await cache(cluster('a', '1'));
  const changed = await cache(cluster('a', '2'));
  await flush();
  expect(changed).not.toBe(first);
  expect(opened.map((o) => o.closed)).toEqual([true, false]);
  advance(30_000);
  const aged = await cache(cluster('a', '2'));
  await flush();
  expect(aged).not.toBe(changed);
  expect(opened.map((o) => o.closed)).toEqual([true, true, false]);
});

test('a status update (new resourceVersion, same connection) keeps the client', async () => {
  const { cache, opened } = setup();
  const first = await cache(cluster('a', '1', '10'));
  expect(await cache(cluster('a', '1', '11'))).toBe(first);
  expect(opened).toHaveLength(1);
});

test('a client that failed to open is not kept: the next call tries again', async () => {
  const { cache, opened } = setup((n) => n === 1);
  await expect(cache(cluster('a', '1'))).rejects.toThrow('credentials Secret not found');
  await flush();
  await expect(cache(cluster('a', '1'))).resolves.toMatchObject({ id: 2 });
  expect(opened).toHaveLength(2);
});

test('a stale failure does not evict the client that replaced it', async () => {
  let release: (e: Error) => void = () => undefined;
  let t = 0;
  const cache = memberClientCache(
    async (c: Cluster) => {
      if (c.spec.serverAddressByClientCIDRs[0]?.serverAddress === 'https://1.example')
        await new Promise((_, reject) => {
          release = reject;
        });
      return { close: () => undefined } as unknown as MemberClient & { close(): void };
    },
    30_000,
    () => t,
  );
  const stale = cache(cluster('a', '1')).catch(() => 'failed');
  const fresh = await cache(cluster('a', '2'));
  release(new Error('slow and then failed'));
  expect(await stale).toBe('failed');
  t += 1;
  expect(await cache(cluster('a', '2'))).toBe(fresh);
});
