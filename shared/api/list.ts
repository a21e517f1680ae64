/**
 * Lists: label and field selectors, and paging with `limit`/`continue` on the store's key order, as
 * kube-apiserver pages: the `continue` token carries the list's resourceVersion and the last key
 * returned; a token older than the store keeps history for (COMPACTION_MS) answers 410 Expired.
 * `remainingItemCount` is set when no selector filters the list (then it is exact).
 */
import { ApiError, errors } from '../k8s/status';
import { Selector, matches } from '../k8s/selector';
import { FieldSelector, matchesFields } from './field-selector';
import { KubeObject } from '../model/meta';
import { ObjectStore, StoredRecord } from '../store/port';
import { Strategy } from './strategies';

/** How long the store keeps what a watch or a continued list needs (tombstones: shared/store/firestore.ts). */
export const COMPACTION_MS = 5 * 60 * 1000;

export interface ListQuery {
  readonly namespace?: string;
  readonly labels: Selector;
  readonly fields: FieldSelector;
  readonly limit?: number;
  readonly continue?: string;
}

export interface ListPage {
  readonly items: KubeObject[];
  readonly resourceVersion: string;
  readonly continue?: string;
  readonly remainingItemCount?: number;
}

export function selected(q: Pick<ListQuery, 'namespace' | 'labels' | 'fields'>, o: KubeObject, s?: Strategy): boolean {
  return (
    (q.namespace === undefined || o.metadata.namespace === q.namespace) && matches(q.labels, o.metadata.labels) && matchesFields(q.fields, o, s?.type.fields)
  );
}

interface Token {
  readonly rv: number;
  readonly start: string;
}

function encodeToken(t: Token): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: t.rv, start: t.start })).toString('base64url');
}

function decodeToken(raw: string): Token {
  try {
    const t = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Record<string, unknown>;
    if (t['v'] !== 'meta.k8s.io/v1' || typeof t['rv'] !== 'number' || typeof t['start'] !== 'string' || t['start'] === '') throw new Error('bad');
    return { rv: t['rv'], start: t['start'] };
  } catch {
    throw errors.badRequest('continue key is not valid: the continue parameter is not a token this server issued');
  }
}

export function parseLimit(raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (!/^[0-9]+$/.test(raw)) throw errors.badRequest(`invalid limit ${JSON.stringify(raw)}: must be a non-negative integer`);
  const n = Number(raw);
  return n > 0 ? n : undefined;
}

export async function listObjects(store: ObjectStore, s: Strategy, q: ListQuery, nowMs: number): Promise<ListPage> {
  const present = (r: StoredRecord): Promise<KubeObject> => (s.present ? s.present(r) : Promise.resolve(r.object));
  const nowRv = nowMs * 1000;
  if (q.limit === undefined && q.continue === undefined) {
    const recs = await store.list(s.type.resource, q.namespace);
    const now = new Date(nowMs);
    const picked = recs.filter((r) => selected(q, r.object, s) && (!s.visible || s.visible(r.object, now)));
    const maxRv = recs.reduce((m, r) => Math.max(m, Number(r.object.metadata.resourceVersion ?? 0)), 0);
    return { items: await Promise.all(picked.map(present)), resourceVersion: String(Math.max(maxRv, nowRv)) };
  }
  const token = q.continue !== undefined && q.continue !== '' ? decodeToken(q.continue) : undefined;
  if (token && nowRv - token.rv > COMPACTION_MS * 1000) {
    throw new ApiError(
      410,
      'Expired',
      'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.',
    );
  }
  const rv = token?.rv ?? nowRv;
  const limit = q.limit ?? 500;
  const picked: { key: string; record: StoredRecord }[] = [];
  let after = token?.start;
  let more = true;
  while (more && picked.length < limit) {
    const page = await store.listPage(s.type.resource, q.namespace, { limit: limit - picked.length, ...(after !== undefined ? { after } : {}) });
    for (const r of page.records) if (selected(q, r.record.object, s) && (!s.visible || s.visible(r.record.object, new Date(nowMs)))) picked.push(r);
    after = page.records[page.records.length - 1]?.key ?? after;
    more = page.more && page.records.length > 0;
  }
  const items = await Promise.all(picked.map((r) => present(r.record)));
  if (!more || after === undefined) return { items, resourceVersion: String(rv) };
  const unfiltered = q.labels.length === 0 && q.fields.length === 0;
  const remaining = unfiltered ? await store.countAfter(s.type.resource, q.namespace, after) : undefined;
  return {
    items,
    resourceVersion: String(rv),
    continue: encodeToken({ rv, start: after }),
    ...(remaining !== undefined ? { remainingItemCount: remaining } : {}),
  };
}
