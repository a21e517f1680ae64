/**
 * Applying changes to a list of record sets, purely and with the real services' rules, for tests and
 * for the local provider: a change is validated whole and either applies completely or throws.
 * - Cloud DNS (`applyChange`): deletions must match the existing set exactly; additions must not exist.
 * - Route 53 (`applyRoute53Batch`): in order; DELETE must match exactly, CREATE must not exist,
 *   UPSERT creates or replaces.
 * Both: after the change no name may hold a CNAME beside another set.
 */
import { ChangeRejectedReason, SkyfedError } from '../errors';
import { CloudDnsChange, Route53Change } from './batch';
import { normalizeName } from './names';
import { Changes } from './plan';
import { compareRecordSets, equivalent, normalizedKey } from './records';
import { RecordSet } from './types';

export type { ChangeRejectedReason };

export class ChangeRejectedError extends SkyfedError<ChangeRejectedReason> {
  override readonly name = 'ChangeRejectedError';
  constructor(
    reason: ChangeRejectedReason,
    /** `name TYPE` of the offending set. */
    readonly key: string,
    message: string,
  ) {
    super(reason, message);
  }
}

type Zone = Map<string, RecordSet>;

function remove(zone: Zone, r: RecordSet, what: string): void {
  const key = normalizedKey(r);
  const cur = zone.get(key);
  if (!cur) throw new ChangeRejectedError('NotFound', key, `${what} ${key}: no such record set`);
  if (!equivalent(cur, r)) throw new ChangeRejectedError('Mismatch', key, `${what} ${key}: ttl or data differ from the record set in the zone`);
  zone.delete(key);
}

function add(zone: Zone, r: RecordSet, what: string): void {
  const key = normalizedKey(r);
  if (zone.has(key)) throw new ChangeRejectedError('AlreadyExists', key, `${what} ${key}: the record set already exists`);
  zone.set(key, r);
}

function checkCnames(zone: Zone, touched: Iterable<RecordSet>): void {
  const types = new Map<string, string[]>();
  for (const r of zone.values()) {
    const n = normalizeName(r.name);
    types.set(n, [...(types.get(n) ?? []), r.type]);
  }
  for (const r of touched) {
    const t = types.get(normalizeName(r.name)) ?? [];
    if (t.includes('CNAME') && t.length > 1) {
      throw new ChangeRejectedError(
        'CnameConflict',
        normalizedKey(r),
        `${normalizeName(r.name)} would hold a CNAME beside ${t.filter((x) => x !== 'CNAME').join(', ')}`,
      );
    }
  }
}

function result(zone: Zone): RecordSet[] {
  return [...zone.values()].sort(compareRecordSets);
}

/** Cloud DNS semantics: all deletions, then all additions, as one atomic change. */
export function applyChange(current: readonly RecordSet[], change: CloudDnsChange): RecordSet[] {
  const zone: Zone = new Map(current.map((r) => [normalizedKey(r), r]));
  for (const r of change.deletions) remove(zone, r, 'deletion');
  for (const r of change.additions) add(zone, r, 'addition');
  checkCnames(zone, change.additions);
  return result(zone);
}

/** A plan's changes: deletions and old versions out, new versions and creations in. */
export function applyPlan(current: readonly RecordSet[], plan: Changes): RecordSet[] {
  return applyChange(current, {
    deletions: [...plan.delete, ...plan.updateOld],
    additions: [...plan.updateNew, ...plan.create],
  });
}

/** Route 53 semantics: the changes of one batch in order, all or nothing. */
export function applyRoute53Batch(current: readonly RecordSet[], batch: readonly Route53Change[]): RecordSet[] {
  const zone: Zone = new Map(current.map((r) => [normalizedKey(r), r]));
  for (const c of batch) {
    if (c.action === 'DELETE') remove(zone, c.recordSet, 'DELETE');
    else if (c.action === 'CREATE') add(zone, c.recordSet, 'CREATE');
    else zone.set(normalizedKey(c.recordSet), c.recordSet);
  }
  checkCnames(
    zone,
    batch.map((c) => c.recordSet),
  );
  return result(zone);
}
