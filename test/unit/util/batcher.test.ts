/** The batcher: groups by size and by waiting time, answers each caller in order, and fails only the group that failed. */
import { batcher } from '../../../shared/util/batcher';

test('items arriving together share one flush; each caller gets its own answer', async () => {
  const flushes: number[][] = [];
  const double = batcher(
    async (xs: readonly number[]) => {
      flushes.push([...xs]);
      return xs.map((x) => x * 2);
    },
    { maxItems: 100, maxWaitMs: 10 },
  );
  expect(await Promise.all([1, 2, 3].map(double))).toEqual([2, 4, 6]);
  expect(flushes).toEqual([[1, 2, 3]]);
});

/** A batcher that answers each item with itself, and the groups it flushed. */
function echoing<T>(opts: { maxItems: number; maxWaitMs: number }): { echo: (x: T) => Promise<T>; flushes: T[][] } {
  const flushes: T[][] = [];
  const echo = batcher(async (xs: readonly T[]) => {
    flushes.push([...xs]);
    return xs;
  }, opts);
  return { echo, flushes };
}

test('a full group flushes at once, without waiting', async () => {
  const { echo, flushes } = echoing<number>({ maxItems: 2, maxWaitMs: 60_000 });
  const t0 = Date.now();
  expect(await Promise.all([1, 2, 3, 4].map(echo))).toEqual([1, 2, 3, 4]);
  expect(Date.now() - t0).toBeLessThan(5_000);
  expect(flushes).toEqual([
    [1, 2],
    [3, 4],
  ]);
});

test('items further apart than the wait go in separate flushes', async () => {
  const { echo, flushes } = echoing<string>({ maxItems: 100, maxWaitMs: 5 });
  await echo('a');
  await echo('b');
  expect(flushes).toEqual([['a'], ['b']]);
});

test('a failed flush rejects the callers of that group only', async () => {
  const maybe = batcher(
    async (xs: readonly string[]) => {
      if (xs.includes('bad')) throw new Error('commit failed');
      return xs.map((x) => x.toUpperCase());
    },
    { maxItems: 2, maxWaitMs: 5 },
  );
  const first = [maybe('ok'), maybe('bad')];
  const second = maybe('fine');
  await expect(first[0]).rejects.toThrow('commit failed');
  await expect(first[1]).rejects.toThrow('commit failed');
  await expect(second).resolves.toBe('FINE');
});
