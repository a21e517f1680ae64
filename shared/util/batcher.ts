/**
 * Gathers single requests into groups: an item waits at most `maxWaitMs` (or until `maxItems` are
 * waiting) and is then handled with the others in one call of `flush`, which answers each item in
 * order. A failing flush fails the items of that group only.
 */
export interface BatcherOptions {
  readonly maxItems: number;
  readonly maxWaitMs: number;
}

export function batcher<T, R>(flush: (items: readonly T[]) => Promise<readonly R[]>, opts: BatcherOptions): (item: T) => Promise<R> {
  let waiting: { item: T; resolve: (r: R) => void; reject: (e: unknown) => void }[] = [];
  let timer: NodeJS.Timeout | undefined;
  const go = (): void => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    const group = waiting;
    waiting = [];
    if (group.length === 0) return;
    flush(group.map((w) => w.item)).then(
      (results) => group.forEach((w, i) => (i < results.length ? w.resolve(results[i] as R) : w.reject(new Error('batch flush gave too few results')))),
      (e: unknown) => group.forEach((w) => w.reject(e)),
    );
  };
  return (item) =>
    new Promise<R>((resolve, reject) => {
      waiting.push({ item, resolve, reject });
      if (waiting.length >= Math.max(1, opts.maxItems)) go();
      else timer ??= setTimeout(go, opts.maxWaitMs);
    });
}
