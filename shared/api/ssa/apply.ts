/**
 * Server-side apply and field ownership around one write, in two steps because validation and
 * defaults run between them: `applyConfiguration` merges the applied configuration onto the live
 * object and prunes what the applier dropped; `recordManagers` then sets `metadata.managedFields`
 * on the object about to be stored (or throws the 409 of an unforced conflicting apply).
 */
import { KubeObject } from '../../model/meta';
import { FieldSet, toFieldSet, union } from './fieldset';
import { Operation, decodeManagers, encodeManagers, trackWrite } from './managers';
import { mergeApplied, prune } from './merge';
import { Json, Obj } from './schema';
import { ownershipView } from './view';

export interface Applied {
  readonly object: KubeObject;
  /** The fields the applied configuration sets (what the applier will own). */
  readonly fields: FieldSet;
}

export function applyConfiguration(live: KubeObject, config: KubeObject, manager: string): Applied {
  const fields = toFieldSet(ownershipView(config));
  const managers = decodeManagers(live.metadata.managedFields);
  const last = managers.find((m) => m.manager === manager && m.operation === 'Apply');
  const owned = union(fields, ...managers.filter((m) => m !== last).map((m) => m.set));
  const merged = mergeApplied(live as unknown as Json, config as unknown as Json) as Obj;
  const object = (last ? prune(merged, last.set, owned) : merged) as unknown as KubeObject;
  return { object, fields };
}

export interface Recorded {
  readonly manager: string;
  readonly operation: Operation;
  readonly applied?: FieldSet;
  readonly force: boolean;
  readonly time: string;
}

/** Returns `after` with its managedFields updated for this write by `r.manager`. */
export function recordManagers(before: KubeObject | undefined, after: KubeObject, r: Recorded): KubeObject {
  const managers = trackWrite({
    managers: decodeManagers(before?.metadata.managedFields),
    before: ownershipView(before ?? {}),
    after: ownershipView(after),
    manager: r.manager,
    operation: r.operation,
    ...(r.applied ? { applied: r.applied } : {}),
    force: r.force,
    apiVersion: after.apiVersion,
    time: r.time,
  });
  const metadata = { ...after.metadata };
  if (managers.length > 0) metadata.managedFields = encodeManagers(managers);
  else delete metadata.managedFields;
  return { ...after, metadata };
}
