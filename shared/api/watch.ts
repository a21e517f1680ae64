/**
 * `?watch=true`: a stream of watch events (`{"type":"ADDED|MODIFIED|DELETED","object":…}`, one JSON
 * object per line), as kubectl's `delete --wait` and `get -w` consume it. The store has no change
 * feed here, so the watch re-lists every `pollMs` and reports differences; it ends at
 * `timeoutSeconds` (capped) or when the client goes away.
 */
import type { Request, Response } from 'express';
import { KubeObject } from '../model/meta';

export interface WatchOptions {
  readonly list: () => Promise<KubeObject[]>;
  /** Objects deleted after a resourceVersion (matching the same selectors). */
  readonly deletedSince: (resourceVersion: number) => Promise<KubeObject[]>;
  /** Objects at or below this resourceVersion are the client's baseline: not sent as ADDED. */
  readonly sinceResourceVersion?: string;
  readonly timeoutSeconds: number;
  readonly pollMs: number;
  /** What an event carries for an object (a Table row under `as=Table`); the object itself by default. */
  readonly render?: (obj: KubeObject, first: boolean) => unknown;
}

export const MAX_WATCH_SECONDS = 300;

export async function serveWatch(_req: Request, res: Response, o: WatchOptions): Promise<void> {
  res.status(200).type('application/json');
  res.setHeader('Transfer-Encoding', 'chunked');
  res.flushHeaders();
  let open = true;
  // The response (not the request, whose stream closes once its empty body is read) tells when the client goes.
  res.on('close', () => { open = false; });
  const deadline = Date.now() + Math.min(o.timeoutSeconds, MAX_WATCH_SECONDS) * 1000;
  const since = o.sinceResourceVersion && /^[0-9]+$/.test(o.sinceResourceVersion) ? Number(o.sinceResourceVersion) : undefined;
  let sent = 0;
  const send = (type: string, object: KubeObject): void => {
    res.write(`${JSON.stringify({ type, object: o.render ? o.render(object, sent === 0) : object })}\n`);
    sent++;
  };
  let known = new Map<string, KubeObject>();
  let first = true;
  try {
    while (open && Date.now() < deadline) {
      let listed: KubeObject[] | undefined;
      try {
        listed = await o.list();
      } catch {
        listed = undefined; // a failed poll is skipped; the next one catches up
      }
      if (listed) {
        const now = new Map(listed.map((x) => [x.metadata.uid ?? `${x.metadata.namespace}/${x.metadata.name}`, x]));
        for (const [id, obj] of now) {
          const before = known.get(id);
          const rv = Number(obj.metadata.resourceVersion ?? 0);
          if (!before) {
            if (!first || since === undefined || rv > since) send('ADDED', obj);
          } else if (before.metadata.resourceVersion !== obj.metadata.resourceVersion) send('MODIFIED', obj);
        }
        for (const [id, obj] of known) if (!now.has(id)) send('DELETED', obj);
        if (first && since !== undefined) {
          // Deleted after the client's resourceVersion but before this first list: from tombstones.
          // (Read after the list, so nothing deleted in between is missed.)
          for (const gone of await o.deletedSince(since)) {
            if (!now.has(gone.metadata.uid ?? '')) send('DELETED', gone);
          }
        }
        known = now;
        first = false;
      }
      await new Promise((r) => setTimeout(r, o.pollMs));
    }
  } finally {
    // Always end the stream, so a client never waits on a watch that stopped.
    res.end();
  }
}
