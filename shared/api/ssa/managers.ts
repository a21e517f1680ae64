/**
 * Field managers (`metadata.managedFields`) as Kubernetes keeps them: one entry per manager and
 * operation (Apply or Update). An Update takes every field it changes from the other managers; an
 * Apply that would change a field another manager owns is a conflict unless forced, and forcing
 * takes the field. A manager with no fields left is dropped.
 */
import { ApiError, StatusCause } from '../../k8s/status';
import { FieldSet, difference, fromFieldsV1, intersection, pathOf, pathString, toFieldSet, toFieldsV1, union, valueAt } from './fieldset';
import { Obj, canonical, isObj } from './schema';

export type Operation = 'Apply' | 'Update';

export interface Manager {
  readonly manager: string;
  readonly operation: Operation;
  readonly apiVersion: string;
  readonly time?: string;
  readonly set: FieldSet;
}

export interface ManagedFieldsEntry {
  manager: string;
  operation: Operation;
  apiVersion: string;
  time?: string;
  fieldsType: 'FieldsV1';
  fieldsV1: Record<string, unknown>;
}

export function decodeManagers(entries: unknown): Manager[] {
  if (!Array.isArray(entries)) return [];
  return entries
    .filter(isObj)
    .filter((e) => typeof e['manager'] === 'string' && (e['operation'] === 'Apply' || e['operation'] === 'Update'))
    .map((e) => ({
      manager: e['manager'] as string,
      operation: e['operation'] as Operation,
      apiVersion: String(e['apiVersion'] ?? ''),
      ...(typeof e['time'] === 'string' ? { time: e['time'] } : {}),
      set: fromFieldsV1(e['fieldsV1']),
    }));
}

/** Kubernetes' order: Apply before Update, then by time, then by name. */
export function encodeManagers(managers: readonly Manager[]): ManagedFieldsEntry[] {
  return [...managers]
    .sort((a, b) => a.operation.localeCompare(b.operation) || (a.time ?? '').localeCompare(b.time ?? '') || a.manager.localeCompare(b.manager))
    .map((m) => ({
      manager: m.manager,
      operation: m.operation,
      apiVersion: m.apiVersion,
      ...(m.time !== undefined ? { time: m.time } : {}),
      fieldsType: 'FieldsV1',
      fieldsV1: toFieldsV1(m.set),
    }));
}

export interface Comparison {
  readonly added: FieldSet;
  readonly modified: FieldSet;
  readonly removed: FieldSet;
}

/** Which fields a write adds, changes (leaf or atomic value differs) and removes. */
export function compare(before: Obj, after: Obj): Comparison {
  const a = toFieldSet(before);
  const b = toFieldSet(after);
  const modified = new Set(
    [...intersection(a, b)].filter((id) => {
      const p = pathOf(id);
      const last = p[p.length - 1] ?? '';
      if (last.startsWith('k:') || last.startsWith('v:')) return false; // membership only; its fields compare on their own
      return canonical(valueAt(before, p)) !== canonical(valueAt(after, p));
    }),
  );
  return { added: difference(b, a), modified, removed: difference(a, b) };
}

/** How Kubernetes names a manager in a conflict: Update managers with their API version. */
function who(m: Manager): string {
  return m.operation === 'Update' ? `${JSON.stringify(m.manager)} using ${m.apiVersion}` : JSON.stringify(m.manager);
}

export function applyConflict(conflicts: readonly { manager: Manager; path: string[] }[]): ApiError {
  const causes: StatusCause[] = conflicts.map((c) => ({
    reason: 'FieldManagerConflict',
    message: `conflict with ${who(c.manager)}`,
    field: pathString(c.path),
  }));
  let message: string;
  const [only] = conflicts;
  if (conflicts.length === 1 && only) message = `Apply failed with 1 conflict: conflict with ${who(only.manager)}: ${pathString(only.path)}`;
  else {
    const byManager = new Map<string, string[]>();
    for (const c of conflicts) byManager.set(who(c.manager), [...(byManager.get(who(c.manager)) ?? []), pathString(c.path)]);
    const lines = [...byManager.keys()].sort().flatMap((m) => [`conflicts with ${m}:`, ...(byManager.get(m) ?? []).map((p) => `- ${p}`)]);
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
  }
  return new ApiError(409, 'Conflict', message, { causes });
}

export interface Write {
  readonly managers: readonly Manager[];
  /** The object before and after the write, as ownership sees it (see view.ts). */
  readonly before: Obj;
  readonly after: Obj;
  readonly manager: string;
  readonly operation: Operation;
  /** Apply only: the fields of the applied configuration. */
  readonly applied?: FieldSet;
  readonly force: boolean;
  readonly apiVersion: string;
  readonly time: string;
}

/** The managers after a write; throws a 409 Conflict when an unforced Apply would change fields others own. */
export function trackWrite(w: Write): Manager[] {
  const mine = (m: Manager): boolean => m.manager === w.manager && m.operation === w.operation && (w.operation === 'Apply' || m.apiVersion === w.apiVersion);
  const cmp = compare(w.before, w.after);
  const changed = union(cmp.added, cmp.modified);
  const others = w.managers.filter((m) => !mine(m));
  if (w.operation === 'Apply' && !w.force) {
    const conflicts = others.flatMap((m) => [...intersection(m.set, changed)].sort().map((id) => ({ manager: m, path: pathOf(id) })));
    if (conflicts.length > 0) throw applyConflict(conflicts);
  }
  const previous = w.managers.find(mine);
  const set = w.operation === 'Apply' ? new Set(w.applied ?? []) : union(difference(previous?.set ?? new Set(), cmp.removed), changed);
  const next: Manager[] = [
    ...others.map((m) => ({ ...m, set: difference(m.set, union(changed, cmp.removed)) })),
    { manager: w.manager, operation: w.operation, apiVersion: w.apiVersion, time: w.time, set },
  ];
  return next.filter((m) => m.set.size > 0);
}
