/**
 * Records Events for users (`kubectl get events`, `kubectl describe`). Best-effort and cheap: a
 * `record` call returns at once and never throws; the write (one store transaction, which counts
 * a repeated occurrence up instead of adding an Event) runs in the background under a small
 * concurrency limit and a deadline, and a failed or late write is logged and dropped. Callers
 * `flush()` before their work ends (a function instance may be frozen after it answers).
 */
import pLimit from 'p-limit';
import { Logger } from '../log';
import { ObjectStore } from '../store/port';
import { CoreEvent, Occurrence, eventName, eventNamespace, isExpired, nextEvent } from './event';

export interface EventRecorder {
  record(o: Occurrence): void;
  /** Waits for the writes started so far (each is bounded by its own deadline). */
  flush(): Promise<void>;
}

export interface RecorderOptions {
  /** `source.component` / `reportingComponent`, e.g. `skyfed-propagation`. */
  readonly component: string;
  readonly ttlSeconds: number;
  /** Deadline of one write, from the moment it was recorded. */
  readonly timeoutMs?: number;
  /** Occurrences waiting beyond this are dropped (and counted in `dropped`). */
  readonly maxPending?: number;
  readonly concurrency?: number;
  readonly now?: () => Date;
}

export const DEFAULT_EVENT_TTL_SECONDS = 3600;

export class StoreEventRecorder implements EventRecorder {
  private readonly limit: ReturnType<typeof pLimit>;
  private readonly pending = new Set<Promise<void>>();
  /** Counters, for tests and benchmarks. */
  readonly stats = { recorded: 0, written: 0, dropped: 0, failed: 0 };

  constructor(
    private readonly store: ObjectStore,
    private readonly log: Logger,
    private readonly o: RecorderOptions,
  ) {
    this.limit = pLimit(Math.max(1, o.concurrency ?? 8));
  }

  record(occurrence: Occurrence): void {
    this.stats.recorded++;
    if (this.pending.size >= (this.o.maxPending ?? 1000)) {
      this.stats.dropped++;
      return;
    }
    const deadline = Date.now() + (this.o.timeoutMs ?? 2000);
    const p: Promise<void> = this.limit(() => this.write(occurrence, deadline))
      .catch((e: unknown) => {
        this.stats.failed++;
        this.log.warn('event not recorded', {
          reason: occurrence.reason,
          object: `${occurrence.regarding.kind}/${occurrence.regarding.name}`,
          error: e instanceof Error ? e.message : String(e),
        });
      })
      .finally(() => {
        this.pending.delete(p);
      });
    this.pending.add(p);
  }

  async flush(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  private async write(occurrence: Occurrence, deadline: number): Promise<void> {
    const left = deadline - Date.now();
    if (left <= 0) throw new Error('deadline passed before the write started');
    const now = (this.o.now ?? (() => new Date()))();
    const key = { namespace: eventNamespace(occurrence.regarding), name: eventName(occurrence, this.o.component) };
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_r, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${left} ms`)), left);
    });
    try {
      await Promise.race([
        this.store.transact<CoreEvent>('events', key, (cur) => ({
          write: { object: nextEvent(cur?.object, occurrence, this.o.component, now, this.o.ttlSeconds) },
        })),
        timeout,
      ]);
      this.stats.written++;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Records nothing (tests and tools that do not care). */
export const noEvents: EventRecorder = { record: () => undefined, flush: async () => undefined };

/**
 * Deletes Events not seen for `ttlSeconds` (the periodic reconcile calls this; readers already
 * hide them). Deletions go through the store, so watchers see DELETED.
 */
export async function pruneEvents(store: ObjectStore, now: Date, ttlSeconds: number): Promise<number> {
  const all = await store.list<CoreEvent>('events');
  const expired = all.filter((r) => isExpired(r.object, now, ttlSeconds));
  const limit = pLimit(16);
  await Promise.all(
    expired.map((r) =>
      limit(() =>
        store.transact<CoreEvent>('events', { namespace: r.object.metadata.namespace ?? '', name: r.object.metadata.name ?? '' }, (cur) =>
          cur && isExpired(cur.object, now, ttlSeconds) ? { delete: true } : { none: true },
        ),
      ),
    ),
  );
  return expired.length;
}
