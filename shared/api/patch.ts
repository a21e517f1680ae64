/**
 * Patch semantics: JSON merge patch (RFC 7386), strategic merge patch for the lists our kinds
 * declare merge keys for, and server-side apply's merge with removal of fields the same manager
 * applied before but no longer does.
 */
import { errors } from '../k8s/status';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };

const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Lists merged by key rather than replaced (strategic merge patch / apply). */
const MERGE_KEYS: Readonly<Record<string, string>> = { ports: 'port', conditions: 'type', serverAddressByClientCIDRs: 'clientCIDR' };

export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObj(patch)) return structuredClone(patch);
  const out: Obj = isObj(target) ? structuredClone(target) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v) as Json;
  }
  return out;
}

export function strategicMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObj(patch)) return structuredClone(patch);
  if (patch['$patch'] === 'replace') {
    const { $patch: _p, ...rest } = patch;
    return structuredClone(rest);
  }
  const out: Obj = isObj(target) ? structuredClone(target) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$setElementOrder/') || k === '$retainKeys' || k.startsWith('$deleteFromPrimitiveList/')) continue;
    if (k.startsWith('$')) throw errors.badRequest(`strategic merge patch directive ${k} is not supported`);
    const key = MERGE_KEYS[k];
    if (v === null) delete out[k];
    else if (key && Array.isArray(v) && Array.isArray(out[k])) out[k] = mergeList(out[k] as Json[], v, key, strategicMergePatch);
    else out[k] = strategicMergePatch(out[k], v) as Json;
  }
  return out;
}

function mergeList(current: Json[], patch: Json[], key: string, merge: (a: unknown, b: unknown) => unknown): Json[] {
  const out = structuredClone(current);
  for (const item of patch) {
    if (!isObj(item) || item[key] === undefined) throw errors.badRequest(`list items must carry the merge key "${key}"`);
    const i = out.findIndex((x) => isObj(x) && x[key] === item[key]);
    if (item['$patch'] === 'delete') {
      if (i >= 0) out.splice(i, 1);
    } else if (i >= 0) out[i] = merge(out[i], item) as Json;
    else out.push(structuredClone(item));
  }
  return out;
}

/** Paths of all leaves (and list-valued fields) in an object, e.g. `spec.type`, `metadata.labels.app`. */
export function leafPaths(v: unknown, prefix: string[] = []): string[][] {
  if (!isObj(v)) return [prefix];
  const entries = Object.entries(v);
  if (entries.length === 0) return [prefix];
  return entries.flatMap(([k, x]) => leafPaths(x, [...prefix, k]));
}

function deletePath(obj: Obj, path: readonly string[]): void {
  let node: Json | undefined = obj;
  for (const seg of path.slice(0, -1)) {
    if (!isObj(node)) return;
    node = node[seg];
  }
  const last = path[path.length - 1];
  if (isObj(node) && last !== undefined) delete node[last];
}

function deepMergeApply(target: unknown, applied: unknown): unknown {
  if (!isObj(applied)) return structuredClone(applied);
  const out: Obj = isObj(target) ? structuredClone(target) : {};
  for (const [k, v] of Object.entries(applied)) {
    const key = MERGE_KEYS[k];
    if (key && Array.isArray(v) && Array.isArray(out[k])) {
      // apply owns the list as given: keep only applied items, merging each onto the live one.
      out[k] = v.map((item) => {
        const live = (out[k] as Json[]).find((x) => isObj(x) && isObj(item) && x[key] === item[key]);
        return deepMergeApply(live, item) as Json;
      });
    } else out[k] = deepMergeApply(out[k], v) as Json;
  }
  return out;
}

/**
 * Server-side apply (simplified field ownership): the applied configuration is merged onto the live
 * object; fields this manager applied last time and has now dropped are removed.
 */
export function applyConfiguration(live: unknown, applied: unknown, previouslyApplied: unknown): unknown {
  const base = (isObj(live) ? structuredClone(live) : {}) as Obj;
  if (previouslyApplied !== undefined) {
    const now = new Set(leafPaths(applied).map((p) => p.join('\u0000')));
    for (const p of leafPaths(previouslyApplied)) {
      if (p[0] === 'apiVersion' || p[0] === 'kind' || (p[0] === 'metadata' && (p[1] === 'name' || p[1] === 'namespace'))) continue;
      if (!now.has(p.join('\u0000'))) deletePath(base, p);
    }
  }
  return deepMergeApply(base, applied);
}
