/**
 * Patch semantics: JSON patch (RFC 6902), JSON merge patch (RFC 7386) and strategic merge patch for
 * the lists our kinds declare merge keys for. Server-side apply lives in ssa/.
 */
import { JsonPatchError, Operation, applyPatch } from 'fast-json-patch';
import { ApiError, errors } from '../k8s/status';

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

/**
 * RFC 6902 JSON patch through fast-json-patch (maintained, typed, implements every operation
 * including `test`, and validates operations before applying any). As kube-apiserver: a malformed
 * patch (not a list) is a 400; one that does not apply (a bad operation, a failed `test`, a missing
 * path) is a 422 Invalid.
 */
export function jsonPatch(target: unknown, patch: unknown): unknown {
  if (!Array.isArray(patch)) throw errors.badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  const ops = patch as Operation[];
  const doc = structuredClone(target);
  try {
    return applyPatch(doc, ops, true, false).newDocument;
  } catch (e) {
    if (!(e instanceof JsonPatchError)) throw e;
    const what = `${e.message.split('\n')[0] ?? e.name} (operation ${String(e.index ?? 0)}: ${JSON.stringify(e.operation ?? {})})`;
    throw new ApiError(422, 'Invalid', 'the server rejected our request due to an error in our request', {
      causes: [{ reason: 'UnexpectedServerResponse', message: what }],
    });
  }
}
