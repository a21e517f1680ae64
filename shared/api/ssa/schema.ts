/**
 * How server-side apply treats the lists and maps of skyfed's kinds (the `x-kubernetes-list-type`,
 * `-list-map-keys` and `-map-type` markers of the upstream types): associative lists merge item by
 * item on their keys, sets by value, everything else is atomic (owned and replaced whole).
 * Paths are field names joined by dots, list items skipped: `spec.ports`, `spec.ports.targetPort`.
 */
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type Obj = { [k: string]: Json };

export type ListShape =
  | { readonly kind: 'map'; readonly keys: readonly string[]; readonly defaults?: Readonly<Record<string, Json>> }
  | { readonly kind: 'set' }
  | { readonly kind: 'atomic' };

const LISTS: Readonly<Record<string, ListShape>> = {
  // core/v1 ServiceSpec.ports: +listType=map, +listMapKey=port, +listMapKey=protocol (protocol defaults to TCP)
  'spec.ports': { kind: 'map', keys: ['port', 'protocol'], defaults: { protocol: 'TCP' } },
  'metadata.finalizers': { kind: 'set' },
  'metadata.ownerReferences': { kind: 'map', keys: ['uid'] },
  'status.conditions': { kind: 'map', keys: ['type'] },
  // federation/v1beta1 ClusterSpec: one entry per client CIDR
  'spec.serverAddressByClientCIDRs': { kind: 'map', keys: ['clientCIDR'] },
};

/** Maps owned whole (ServiceSpec.selector is +mapType=atomic); other maps and structs are granular. */
const ATOMIC_MAPS: ReadonlySet<string> = new Set(['spec.selector']);

export function listShape(fieldPath: string): ListShape {
  return LISTS[fieldPath] ?? { kind: 'atomic' };
}

export function isAtomicMap(fieldPath: string): boolean {
  return ATOMIC_MAPS.has(fieldPath);
}

export const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The key of an associative-list item, with the schema's defaults for missing key fields. */
export function itemKey(item: Json, shape: Extract<ListShape, { kind: 'map' }>): Obj | undefined {
  if (!isObj(item)) return undefined;
  const key: Obj = {};
  for (const k of [...shape.keys].sort()) {
    const v = item[k] ?? shape.defaults?.[k];
    if (v === undefined) return undefined;
    key[k] = v;
  }
  return key;
}

/** Order-independent JSON (object keys sorted), for comparing values. */
export function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isObj(v))
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
      .join(',')}}`;
  return JSON.stringify(v) ?? 'null';
}
