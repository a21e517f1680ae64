/**
 * The record-set rules both DNS doubles enforce, written from the services' documentation and
 * independent of skyfed's own code (a double that reused skyfed's rules would only prove that skyfed
 * agrees with itself):
 * - a name+type holds at most one record set; creating an existing one is refused;
 * - deleting a set must name it exactly: same name, type, TTL and the same records (IPv6 compared by
 *   value, names case-insensitively);
 * - a name that holds a CNAME holds nothing else;
 * - a change is checked whole and applied all-or-nothing.
 */
import { isIP } from 'node:net';

export interface ZoneSet {
  name: string;
  type: string;
  ttl: number;
  rrdatas: string[];
}

export class ZoneRuleError extends Error {
  constructor(
    readonly rule: 'exists' | 'missing' | 'mismatch' | 'cname',
    readonly key: string,
  ) {
    super(`${rule}: ${key}`);
  }
}

const lower = (s: string): string => s.toLowerCase();
export const setKey = (r: { name: string; type: string }): string => `${lower(r.name)}|${r.type}`;

/** One value in a comparable form: IPv6 expanded to eight groups, names lower-cased. */
function comparable(type: string, v: string): string {
  if (type === 'AAAA' && isIP(v) === 6) {
    const [head = '', tail] = v.toLowerCase().split('::');
    const h = head ? head.split(':') : [];
    const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
    const fill = tail !== undefined ? new Array<string>(8 - h.length - t.length).fill('0') : [];
    return [...h, ...fill, ...t].map((g) => parseInt(g, 16).toString(16)).join(':');
  }
  return type === 'CNAME' || type === 'NS' ? lower(v) : v;
}

function sameSet(a: ZoneSet, b: ZoneSet): boolean {
  if (a.ttl !== b.ttl || a.rrdatas.length !== b.rrdatas.length) return false;
  const x = a.rrdatas.map((v) => comparable(a.type, v)).sort();
  const y = b.rrdatas.map((v) => comparable(b.type, v)).sort();
  return x.every((v, i) => v === y[i]);
}

export type Step = { op: 'add' | 'remove' | 'replace'; set: ZoneSet };

/** Applies the steps in order to a copy of `zone`; throws ZoneRuleError and leaves `zone` as it was. */
export function applySteps(zone: readonly ZoneSet[], steps: readonly Step[]): ZoneSet[] {
  const next = new Map(zone.map((r) => [setKey(r), structuredClone(r)]));
  for (const { op, set } of steps) {
    const k = setKey(set);
    const cur = next.get(k);
    if (op === 'remove') {
      if (!cur) throw new ZoneRuleError('missing', k);
      if (!sameSet(cur, set)) throw new ZoneRuleError('mismatch', k);
      next.delete(k);
    } else if (op === 'add') {
      if (cur) throw new ZoneRuleError('exists', k);
      next.set(k, structuredClone(set));
    } else {
      next.set(k, structuredClone(set));
    }
  }
  const types = new Map<string, string[]>();
  for (const r of next.values()) types.set(lower(r.name), [...(types.get(lower(r.name)) ?? []), r.type]);
  for (const { set } of steps) {
    const t = types.get(lower(set.name)) ?? [];
    if (t.includes('CNAME') && t.length > 1) throw new ZoneRuleError('cname', setKey(set));
  }
  return [...next.values()];
}
