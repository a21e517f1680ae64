/**
 * Two lanes over one concurrency limit: work in the slow lane (shards whose last probe timed out)
 * always gets the next free slot; work in the fast lane only fills slots no slow work is waiting
 * for. The sweep's wall time is bounded below by its slow probes (each holds a slot for the whole
 * time-out), so they must start as early as possible, whatever order the clusters' state arrives
 * in; the fast probes fit in around them.
 */
import pLimit from 'p-limit';

export interface Lanes {
  run<T>(slow: boolean, task: () => Promise<T>): Promise<T>;
  /** Tasks running and waiting, for tests and reports. */
  readonly active: number;
  readonly waiting: number;
}

export function twoLanes(concurrency: number): Lanes {
  const size = Math.max(1, concurrency);
  const limit = pLimit(size);
  const fast: (() => void)[] = [];
  // A fast task joins the limit only while nothing is waiting there (slow work goes straight in).
  const pump = (): void => {
    while (fast.length > 0 && limit.activeCount + limit.pendingCount < size) (fast.shift() as () => void)();
  };
  const settle = <T>(p: Promise<T>): Promise<T> => {
    void p.then(pump, pump);
    return p;
  };
  return {
    run<T>(slow: boolean, task: () => Promise<T>): Promise<T> {
      if (slow) return settle(limit(task));
      return new Promise<T>((resolve, reject) => {
        fast.push(() => {
          settle(limit(task)).then(resolve, reject);
        });
        pump();
      });
    },
    get active() {
      return limit.activeCount;
    },
    get waiting() {
      return limit.pendingCount + fast.length;
    },
  };
}
