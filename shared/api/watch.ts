/**
 * `?watch=true`: a stream of watch events (`{"type":"ADDED|MODIFIED|DELETED","object":…}`, one JSON
 * object per line), as kubectl's `delete --wait` and `get -w` consume it. The store has no change
 * feed here, so the objects are re-listed every `pollMs` — once per (resource, namespace) for all
 * watchers on this instance, however many there are (a WatchHub) — and each watcher reports the
 * differences it sees through its own selectors. A watch ends at `timeoutSeconds` (capped) on a
 * timer, or when the client goes away.
 */
import type { Request, Response } from 'express';
import { KubeObject } from '../model/meta';
import { StoredRecord } from '../store/port';

export const MAX_WATCH_SECONDS = 300;

const idOf = (x: KubeObject): string => x.metadata.uid ?? `${x.metadata.namespace}/${x.metadata.name}`;

interface Snapshot {
  readonly items: readonly KubeObject[];
}

type Listener = (s: Snapshot) => void;

/** What a poller lists: stored objects, and how a reader sees one (done again only when its resourceVersion changes). */
export interface WatchSource {
  list(): Promise<readonly StoredRecord[]>;
  present(rec: StoredRecord): Promise<KubeObject>;
}

/** One poller per key, shared by every watcher of that key; it stops when its last watcher leaves. */
class Poller {
  readonly listeners = new Set<Listener>();
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private presented = new Map<string, { rv: string | undefined; object: KubeObject }>();

  constructor(
    private readonly source: WatchSource,
    private readonly pollMs: number,
    private readonly onIdle: () => void,
  ) {}

  private async list(): Promise<KubeObject[]> {
    const recs = await this.source.list();
    const next = new Map<string, { rv: string | undefined; object: KubeObject }>();
    const items = await Promise.all(
      recs.map(async (rec) => {
        const id = idOf(rec.object);
        const rv = rec.object.metadata.resourceVersion;
        const hit = this.presented.get(id);
        const object = hit && hit.rv === rv ? hit.object : await this.source.present(rec);
        next.set(id, { rv, object });
        return object;
      }),
    );
    this.presented = next;
    return items;
  }

  add(l: Listener): () => void {
    this.listeners.add(l);
    if (!this.running) {
      this.running = true;
      void this.tick();
    }
    return () => {
      this.listeners.delete(l);
      if (this.listeners.size === 0) this.stop();
    };
  }

  private stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.onIdle();
  }

  private async tick(): Promise<void> {
    if (!this.running) return;
    try {
      const items = await this.list();
      for (const l of [...this.listeners]) l({ items });
    } catch {
      // a failed poll is skipped; the next one catches up
    }
    if (this.running) this.timer = setTimeout(() => void this.tick(), this.pollMs);
  }
}

export class WatchHub {
  private readonly pollers = new Map<string, Poller>();

  constructor(readonly pollMs: number) {}

  /** Calls `listener` with every poll of `key` (listed by `source`) until the returned function is called. */
  subscribe(key: string, source: WatchSource, listener: Listener): () => void {
    let p = this.pollers.get(key);
    if (!p) {
      const created: Poller = new Poller(source, this.pollMs, () => {
        if (this.pollers.get(key) === created) this.pollers.delete(key);
      });
      this.pollers.set(key, created);
      p = created;
    }
    return p.add(listener);
  }

  /** Pollers running now (one per watched resource and namespace). */
  get active(): number {
    return this.pollers.size;
  }
}

export interface WatchOptions {
  readonly hub: WatchHub;
  /** Identifies what `list` lists, e.g. `services/web`; watchers with one key share one poller. */
  readonly key: string;
  /** Every object under `key`. */
  readonly source: WatchSource;
  /** This watcher's selectors. */
  readonly matches: (o: KubeObject) => boolean;
  /** Objects deleted after a resourceVersion (matching the same selectors). */
  readonly deletedSince: (resourceVersion: number) => Promise<KubeObject[]>;
  /** Objects at or below this resourceVersion are the client's baseline: not sent as ADDED. */
  readonly sinceResourceVersion?: string;
  readonly timeoutSeconds: number;
  /** What an event carries for an object (a Table row under `as=Table`); the object itself by default. */
  readonly render?: (obj: KubeObject, first: boolean) => unknown;
}

/** Serves one watch; resolves when the stream has ended. */
export function serveWatch(_req: Request, res: Response, o: WatchOptions): Promise<void> {
  res.status(200).type('application/json');
  res.setHeader('Transfer-Encoding', 'chunked');
  res.flushHeaders();
  const since = o.sinceResourceVersion && /^[0-9]+$/.test(o.sinceResourceVersion) ? Number(o.sinceResourceVersion) : undefined;
  let sent = 0;
  const send = (type: string, object: KubeObject): void => {
    res.write(`${JSON.stringify({ type, object: o.render ? o.render(object, sent === 0) : object })}\n`);
    sent++;
  };
  let known: Map<string, KubeObject> | undefined;
  let busy = Promise.resolve();

  const apply = async (snapshot: Snapshot): Promise<void> => {
    const now = new Map(snapshot.items.filter(o.matches).map((x) => [idOf(x), x]));
    const first = known === undefined;
    const before = known ?? new Map<string, KubeObject>();
    for (const [id, obj] of now) {
      const was = before.get(id);
      const rv = Number(obj.metadata.resourceVersion ?? 0);
      if (!was) {
        if (!first || since === undefined || rv > since) send('ADDED', obj);
      } else if (was.metadata.resourceVersion !== obj.metadata.resourceVersion) send('MODIFIED', obj);
    }
    for (const [id, obj] of before) if (!now.has(id)) send('DELETED', obj);
    known = now;
    if (first && since !== undefined) {
      // Deleted after the client's resourceVersion but before this first list: from tombstones.
      // (Read after the list, so nothing deleted in between is missed.)
      for (const gone of await o.deletedSince(since).catch(() => [])) {
        if (!now.has(gone.metadata.uid ?? '')) send('DELETED', gone);
      }
    }
  };

  return new Promise<void>((resolve) => {
    let ended = false;
    const end = (): void => {
      if (ended) return;
      ended = true;
      clearTimeout(timer);
      unsubscribe();
      // Always end the stream, so a client never waits on a watch that stopped.
      res.end();
      resolve();
    };
    const seconds = Math.min(o.timeoutSeconds, MAX_WATCH_SECONDS);
    const timer = setTimeout(end, seconds * 1000);
    // The response (not the request, whose stream closes once its empty body is read) tells when the client goes.
    res.on('close', end);
    const unsubscribe = o.hub.subscribe(o.key, o.source, (s) => {
      // Snapshots are applied in order, one at a time, per watcher.
      busy = busy.then(() => (ended ? undefined : apply(s))).catch(() => undefined);
    });
  });
}
