/**
 * Server-side apply's merge of an applied configuration onto the live object, and the pruning of
 * fields the applier set before and no longer does (unless another manager owns them).
 */
import { FieldSet, pathOf, removeAt } from './fieldset';
import { Json, Obj, canonical, isAtomicMap, isObj, itemKey, listShape } from './schema';

const join = (fieldPath: string, name: string): string => (fieldPath ? `${fieldPath}.${name}` : name);

/** Merges `config` onto `live`: granular maps field by field, associative lists item by item, sets by value. */
export function mergeApplied(live: Json | undefined, config: Json, fieldPath = ''): Json {
  if (isObj(config) && !isAtomicMap(fieldPath)) {
    const out: Obj = isObj(live) ? structuredClone(live) : {};
    for (const [k, v] of Object.entries(config)) out[k] = mergeApplied(out[k], v, join(fieldPath, k));
    return out;
  }
  if (Array.isArray(config) && Array.isArray(live)) {
    const shape = listShape(fieldPath);
    if (shape.kind === 'map' && [...config, ...live].every((i) => itemKey(i, shape) !== undefined)) {
      const keyOf = (i: Json): string => canonical(itemKey(i, shape));
      const applied = new Set(config.map(keyOf));
      // The applier's items in its order (each merged onto the live item), then items only others set.
      return [
        ...config.map((item) =>
          mergeApplied(
            live.find((x) => keyOf(x) === keyOf(item)),
            item,
            fieldPath,
          ),
        ),
        ...structuredClone(live.filter((x) => !applied.has(keyOf(x)))),
      ];
    }
    if (shape.kind === 'set') {
      const have = new Set(live.map(canonical));
      return [...structuredClone(live), ...config.filter((x) => !have.has(canonical(x)))];
    }
  }
  return structuredClone(config);
}

/**
 * Removes from `merged` the fields in `lastApplied` (the applier's previous set) that no manager
 * owns any more (`owned`: every manager's current set, the applier's new one included). A field
 * stays while anything beneath it is owned.
 */
export function prune(merged: Obj, lastApplied: FieldSet, owned: FieldSet): Obj {
  const out = structuredClone(merged);
  const ownedPrefixes = new Set<string>();
  for (const id of owned) {
    const p = pathOf(id);
    for (let i = 1; i <= p.length; i++) ownedPrefixes.add(JSON.stringify(p.slice(0, i)));
  }
  // Shallowest first, skipping what an earlier removal already took (a list item takes its fields).
  const gone = [...lastApplied]
    .filter((id) => !ownedPrefixes.has(id))
    .map(pathOf)
    .sort((a, b) => a.length - b.length);
  const removed: string[][] = [];
  for (const p of gone) {
    if (removed.some((r) => r.every((el, i) => p[i] === el))) continue;
    removeAt(out, p);
    removed.push(p);
  }
  return out;
}
