/**
 * Field sets as server-side apply defines them: the paths of an object's leaves, associative-list
 * items (`k:{"port":80,"protocol":"TCP"}`), set members (`v:"x"`) and atomic values, encoded in
 * `metadata.managedFields[].fieldsV1` as a tree (`{"f:spec":{"f:type":{}}}`, `.` marks a node that
 * is itself a member). A set holds paths only, never values.
 */
import { Json, Obj, canonical, isAtomicMap, isObj, itemKey, listShape } from './schema';

/** One path: elements such as `f:spec`, `k:{"port":80,"protocol":"TCP"}`, `v:"x"`. */
export type FieldPath = readonly string[];
export type FieldSet = ReadonlySet<string>;

export const pathId = (p: FieldPath): string => JSON.stringify(p);
export const pathOf = (id: string): string[] => JSON.parse(id) as string[];

const join = (fieldPath: string, name: string): string => (fieldPath ? `${fieldPath}.${name}` : name);

function walk(v: Json | undefined, path: string[], fieldPath: string, out: Set<string>): void {
  if (isObj(v) && !isAtomicMap(fieldPath)) {
    const entries = Object.entries(v);
    if (entries.length === 0 && path.length > 0) out.add(pathId(path));
    for (const [k, x] of entries) if (x !== undefined) walk(x, [...path, `f:${k}`], join(fieldPath, k), out);
    return;
  }
  if (Array.isArray(v) && v.length > 0) {
    const shape = listShape(fieldPath);
    if (shape.kind === 'map' && v.every((i) => itemKey(i, shape) !== undefined)) {
      for (const item of v) {
        const itemPath = [...path, `k:${canonical(itemKey(item, shape))}`];
        out.add(pathId(itemPath));
        for (const [k, x] of Object.entries(item as Obj)) if (x !== undefined) walk(x, [...itemPath, `f:${k}`], join(fieldPath, k), out);
      }
      return;
    }
    if (shape.kind === 'set') {
      for (const item of v) out.add(pathId([...path, `v:${canonical(item)}`]));
      return;
    }
  }
  out.add(pathId(path));
}

/** The set of an object's fields (as an applier or updater of exactly this object would own them). */
export function toFieldSet(obj: Obj): Set<string> {
  const out = new Set<string>();
  walk(obj, [], '', out);
  return out;
}

type Tree = { [el: string]: Tree };

export function toFieldsV1(set: FieldSet): Tree {
  const root: Tree = {};
  const members: Tree[] = [];
  for (const id of [...set].sort()) {
    let node = root;
    for (const el of pathOf(id)) node = node[el] ??= {};
    members.push(node);
  }
  for (const node of members) if (Object.keys(node).length > 0) node['.'] = {};
  return root;
}

export function fromFieldsV1(tree: unknown): Set<string> {
  const out = new Set<string>();
  const visit = (node: unknown, path: string[]): void => {
    if (!isObj(node)) return;
    const keys = Object.keys(node);
    if (keys.length === 0 && path.length > 0) out.add(pathId(path));
    for (const k of keys) {
      if (k === '.') out.add(pathId(path));
      else visit(node[k], [...path, k]);
    }
  };
  visit(tree, []);
  return out;
}

/** `.spec.ports[port=80,protocol="TCP"].targetPort`, as Kubernetes prints a path in a conflict. */
export function pathString(p: FieldPath): string {
  return p
    .map((el) => {
      const body = el.slice(2);
      if (el.startsWith('f:')) return `.${body}`;
      if (el.startsWith('k:')) {
        const key = JSON.parse(body) as Obj;
        return `[${Object.keys(key)
          .sort()
          .map((k) => `${k}=${JSON.stringify(key[k])}`)
          .join(',')}]`;
      }
      if (el.startsWith('v:')) return `[=${body}]`;
      return `[${body}]`;
    })
    .join('');
}

interface Located {
  readonly parent: Obj | Json[];
  readonly at: string | number;
}

/** Finds the container and slot a path names inside `obj`, or undefined when absent. */
function locate(obj: Obj, p: FieldPath): Located | undefined {
  let node: Json = obj;
  let fieldPath = '';
  let found: Located | undefined;
  for (const el of p) {
    const body = el.slice(2);
    if (el.startsWith('f:')) {
      if (!isObj(node) || !(body in node)) return undefined;
      found = { parent: node, at: body };
      fieldPath = join(fieldPath, body);
    } else if (Array.isArray(node)) {
      const shape = listShape(fieldPath);
      const i =
        el.startsWith('k:') && shape.kind === 'map'
          ? node.findIndex((x) => canonical(itemKey(x, shape)) === canonical(JSON.parse(body)))
          : el.startsWith('v:')
            ? node.findIndex((x) => canonical(x) === canonical(JSON.parse(body)))
            : el.startsWith('i:')
              ? Number(body)
              : -1;
      if (i < 0 || i >= node.length) return undefined;
      found = { parent: node, at: i };
    } else return undefined;
    node = (found.parent as Record<string | number, Json>)[found.at] as Json;
  }
  return found;
}

export function valueAt(obj: Obj, p: FieldPath): Json | undefined {
  const l = locate(obj, p);
  return l ? (l.parent as Record<string | number, Json>)[l.at] : undefined;
}

/** Removes the field, list item or set member a path names (no-op when absent). */
export function removeAt(obj: Obj, p: FieldPath): void {
  const l = locate(obj, p);
  if (!l) return;
  if (Array.isArray(l.parent)) l.parent.splice(l.at as number, 1);
  else delete l.parent[l.at as string];
}

export function union(...sets: FieldSet[]): Set<string> {
  const out = new Set<string>();
  for (const s of sets) for (const x of s) out.add(x);
  return out;
}

export function difference(a: FieldSet, b: FieldSet): Set<string> {
  return new Set([...a].filter((x) => !b.has(x)));
}

export function intersection(a: FieldSet, b: FieldSet): Set<string> {
  return new Set([...a].filter((x) => b.has(x)));
}
