/**
 * The record diff, like ExternalDNS's Plan.Calculate: current (what the DNS zone holds) + desired
 * (what every federated Service wants) + owned (the ledger of record sets skyfed wrote) → changes.
 * Pure and level-triggered: applying a plan to `current` and planning again gives an empty plan.
 *
 * - Never updates or deletes a set that is not in the ledger; a desired set that collides with one
 *   (same name and type, or a CNAME next to anything) is reported in `untouchable` instead.
 * - SOA and NS are never ours, whatever the ledger says.
 * - Deletes only owned sets that are no longer desired; updates only sets that are not equivalent.
 * - `maxDeletes` caps plain deletions per plan (a bad sweep cannot wipe a zone). Deletions that make
 *   room for a CNAME↔address switch at the same name are replacements, not losses, and are not capped:
 *   capping them would block failover exactly when many zones go down together.
 */
import { normalizeName } from './names';
import { compareRecordSets, equivalent, normalizeKey, normalizedKey } from './records';
import { RecordSet } from './types';

export interface PlanInput {
  readonly current: readonly RecordSet[];
  readonly desired: readonly RecordSet[];
  /** Keys (`recordKey`) of the record sets skyfed wrote. */
  readonly owned: Iterable<string>;
  /** At most this many plain deletions; the rest wait for a later sweep. */
  readonly maxDeletes?: number;
}

export type UntouchableReason = 'NotOwned' | 'CnameConflict' | 'DuplicateDesired';

export interface Untouchable {
  readonly reason: UntouchableReason;
  readonly desired: RecordSet;
  /** The set in the zone (or the other desired set) that is in the way. */
  readonly blocking: RecordSet;
}

/** The changes alone; what batching and applying need. */
export interface Changes {
  readonly create: readonly RecordSet[];
  /** Current versions of updated sets, index-aligned with updateNew. */
  readonly updateOld: readonly RecordSet[];
  readonly updateNew: readonly RecordSet[];
  readonly delete: readonly RecordSet[];
}

export interface Plan extends Changes {
  readonly untouchable: readonly Untouchable[];
  /** True when deletions were held back by maxDeletes. */
  readonly deletesCapped: boolean;
  /** The deletions held back. */
  readonly deferredDeletes: readonly RecordSet[];
}

const PROTECTED = new Set(['SOA', 'NS']);

export function isEmptyPlan(p: Changes): boolean {
  return p.create.length + p.updateNew.length + p.delete.length === 0;
}

function groupByName(sets: Iterable<RecordSet>): Map<string, RecordSet[]> {
  const out = new Map<string, RecordSet[]>();
  for (const r of sets) {
    const n = normalizeName(r.name);
    out.set(n, [...(out.get(n) ?? []), r]);
  }
  return out;
}

/** Desired sets that may be planned: one per key, and no CNAME beside another type. */
function admissible(desired: readonly RecordSet[], untouchable: Untouchable[]): Map<string, RecordSet> {
  const byKey = new Map<string, RecordSet>();
  for (const d of [...desired].sort(compareRecordSets)) {
    const first = byKey.get(normalizedKey(d));
    if (!first) byKey.set(normalizedKey(d), d);
    else if (!equivalent(first, d)) untouchable.push({ reason: 'DuplicateDesired', desired: d, blocking: first });
  }
  for (const group of groupByName(byKey.values()).values()) {
    const cname = group.find((r) => r.type === 'CNAME');
    const other = group.find((r) => r.type !== 'CNAME');
    if (cname && other) {
      byKey.delete(normalizedKey(cname));
      untouchable.push({ reason: 'CnameConflict', desired: cname, blocking: other });
    }
  }
  return byKey;
}

export function planChanges(input: PlanInput): Plan {
  const ledger = new Set([...input.owned].map(normalizeKey));
  const ours = (r: RecordSet): boolean => !PROTECTED.has(r.type) && ledger.has(normalizedKey(r));
  const current = new Map(input.current.map((r) => [normalizedKey(r), r]));
  const currentByName = groupByName(input.current);
  const untouchable: Untouchable[] = [];
  const wanted = admissible(input.desired, untouchable);
  const create: RecordSet[] = [];
  const updateOld: RecordSet[] = [];
  const updateNew: RecordSet[] = [];

  for (const [key, d] of [...wanted].sort(([, a], [, b]) => compareRecordSets(a, b))) {
    const cur = current.get(key);
    if (cur) {
      if (!ours(cur)) untouchable.push({ reason: 'NotOwned', desired: d, blocking: cur });
      else if (!equivalent(cur, d)) {
        updateOld.push(cur);
        updateNew.push(d);
      }
      continue;
    }
    // A CNAME cannot share its name; a foreign set there blocks us, an owned one is deleted below.
    const clash = (currentByName.get(normalizeName(d.name)) ?? []).find((c) => !ours(c) && (d.type === 'CNAME' || c.type === 'CNAME'));
    if (clash) {
      wanted.delete(key);
      untouchable.push({ reason: 'CnameConflict', desired: d, blocking: clash });
    } else create.push(d);
  }

  const deletes = input.current.filter((c) => ours(c) && !wanted.has(normalizedKey(c))).sort(compareRecordSets);
  const createdNames = new Set(create.map((r) => normalizeName(r.name)));
  const switches = (c: RecordSet): boolean =>
    createdNames.has(normalizeName(c.name)) &&
    create.some((r) => normalizeName(r.name) === normalizeName(c.name) && (r.type === 'CNAME' || c.type === 'CNAME'));
  const plain = deletes.filter((c) => !switches(c));
  const cap = input.maxDeletes;
  const deferred = cap !== undefined && plain.length > cap ? plain.slice(Math.max(0, cap)) : [];
  const held = new Set(deferred);

  return {
    create,
    updateOld,
    updateNew,
    delete: deletes.filter((c) => !held.has(c)),
    untouchable,
    deletesCapped: deferred.length > 0,
    deferredDeletes: deferred,
  };
}
