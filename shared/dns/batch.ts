/**
 * A plan → provider change batches. Everything at one name travels in one batch (an update or a
 * CNAME↔A switch is never split into "deleted now, created a sweep later"); names are packed into as
 * few batches as the limits allow, parents before children (global, regional, zonal) so a CNAME does
 * not point at a name that is not there yet. One batch per zone in the usual case.
 *
 * Route 53: ≤ 1,000 ResourceRecord values and ≤ 32,000 characters of values per batch, UPSERT
 * counting twice for both; within a name DELETE comes first (a type switch is DELETE + CREATE).
 * Cloud DNS: ≤ 1,000 additions and ≤ 1,000 deletions and ≤ 100,000 bytes of record data per change;
 * an update is the exact old set deleted and the new set added in the same change.
 */
import { DnsErrorReason, SkyfedError } from '../errors';
import { normalizeName } from './names';
import { Changes } from './plan';
import { labelCount } from './records';
import { RecordSet } from './types';

export type Route53Action = 'CREATE' | 'DELETE' | 'UPSERT';

export interface Route53Change {
  readonly action: Route53Action;
  readonly recordSet: RecordSet;
}

export interface Route53Options {
  readonly maxValues: number;
  readonly maxValueChars: number;
  /** `UPSERT` (default, as ExternalDNS) or `DELETE_CREATE`: exact old set out, new in; fails if the zone drifted. */
  readonly updateAs: 'UPSERT' | 'DELETE_CREATE';
}

export const ROUTE53_LIMITS: Route53Options = { maxValues: 1000, maxValueChars: 32000, updateAs: 'UPSERT' };

export interface CloudDnsChange {
  readonly additions: readonly RecordSet[];
  readonly deletions: readonly RecordSet[];
}

export interface CloudDnsLimits {
  readonly maxAdditions: number;
  readonly maxDeletions: number;
  readonly maxRrdataBytes: number;
}

export const CLOUD_DNS_LIMITS: CloudDnsLimits = { maxAdditions: 1000, maxDeletions: 1000, maxRrdataBytes: 100000 };

/** One name's changes cannot fit a single batch: the batch would be rejected whatever we do. */
export class BatchLimitError extends SkyfedError<DnsErrorReason> {
  override readonly name = 'BatchLimitError';
  constructor(
    readonly recordName: string,
    message: string,
  ) {
    super('DnsBatchTooLarge', message);
  }
}

/** The plan's changes for one name. */
interface NameChanges {
  readonly name: string;
  readonly deletes: RecordSet[];
  readonly updates: [old: RecordSet, next: RecordSet][];
  readonly creates: RecordSet[];
}

function byName(plan: Changes): NameChanges[] {
  const map = new Map<string, NameChanges>();
  const at = (r: RecordSet): NameChanges => {
    const name = normalizeName(r.name);
    let g = map.get(name);
    if (!g) map.set(name, (g = { name, deletes: [], updates: [], creates: [] }));
    return g;
  };
  for (const r of plan.delete) at(r).deletes.push(r);
  plan.updateNew.forEach((r, i) => at(r).updates.push([plan.updateOld[i] as RecordSet, r]));
  for (const r of plan.create) at(r).creates.push(r);
  return [...map.values()].sort((a, b) => labelCount(a.name) - labelCount(b.name) || (a.name < b.name ? -1 : 1));
}

const valueChars = (r: RecordSet): number => r.rrdatas.reduce((n, v) => n + v.length, 0);

/** Greedy in-order packing of indivisible units under additive limits. */
function pack<T>(units: readonly { name: string; items: T[]; cost: readonly number[] }[], limits: readonly number[], what: readonly string[]): T[][] {
  const batches: T[][] = [];
  let items: T[] = [];
  let used = limits.map(() => 0);
  for (const u of units) {
    u.cost.forEach((c, i) => {
      if (c > (limits[i] as number)) throw new BatchLimitError(u.name, `changes at ${u.name} need ${c} ${what[i]}; one batch allows ${limits[i]}`);
    });
    if (items.length > 0 && u.cost.some((c, i) => (used[i] as number) + c > (limits[i] as number))) {
      batches.push(items);
      items = [];
      used = limits.map(() => 0);
    }
    items.push(...u.items);
    used = used.map((x, i) => x + (u.cost[i] as number));
  }
  if (items.length > 0) batches.push(items);
  return batches;
}

export function route53Batches(plan: Changes, options: Partial<Route53Options> = {}): Route53Change[][] {
  const o = { ...ROUTE53_LIMITS, ...options };
  const units = byName(plan).map((g) => {
    const items: Route53Change[] = g.deletes.map((r) => ({ action: 'DELETE' as const, recordSet: r }));
    const later: Route53Change[] = [];
    for (const [old, next] of g.updates) {
      if (o.updateAs === 'UPSERT') later.push({ action: 'UPSERT', recordSet: next });
      else {
        items.push({ action: 'DELETE', recordSet: old });
        later.push({ action: 'CREATE', recordSet: next });
      }
    }
    items.push(...later, ...g.creates.map((r) => ({ action: 'CREATE' as const, recordSet: r })));
    const weight = (c: Route53Change): number => (c.action === 'UPSERT' ? 2 : 1);
    const values = items.reduce((n, c) => n + weight(c) * c.recordSet.rrdatas.length, 0);
    const chars = items.reduce((n, c) => n + weight(c) * valueChars(c.recordSet), 0);
    return { name: g.name, items, cost: [values, chars] };
  });
  return pack(units, [o.maxValues, o.maxValueChars], ['ResourceRecord values (UPSERT counts twice)', 'characters of values (UPSERT counts twice)']);
}

type Tagged = { readonly add: boolean; readonly r: RecordSet };

export function cloudDnsChanges(plan: Changes, limits: Partial<CloudDnsLimits> = {}): CloudDnsChange[] {
  const l = { ...CLOUD_DNS_LIMITS, ...limits };
  const units = byName(plan).map((g) => {
    const deletions = [...g.deletes, ...g.updates.map(([old]) => old)];
    const additions = [...g.updates.map(([, next]) => next), ...g.creates];
    const items: Tagged[] = [...deletions.map((r) => ({ add: false, r })), ...additions.map((r) => ({ add: true, r }))];
    const bytes = items.reduce((n, t) => n + valueChars(t.r), 0);
    return { name: g.name, items, cost: [additions.length, deletions.length, bytes] };
  });
  return pack(units, [l.maxAdditions, l.maxDeletions, l.maxRrdataBytes], ['additions', 'deletions', 'bytes of record data']).map((batch) => ({
    additions: batch.filter((t) => t.add).map((t) => t.r),
    deletions: batch.filter((t) => !t.add).map((t) => t.r),
  }));
}
