/** Small builders shared by the DNS planner tests. */
import { RecordSet, RecordType } from '../../../shared/dns/types';

export const SUFFIX = 'example.com';
const PREFIX = 'nginx.web.myfed.svc.';

/** Short name → absolute: '@' is the global name, 'r' a regional, 'z.r' a zonal name; other names pass through. */
export function fq(short: string): string {
  if (short.endsWith('.')) return short;
  return short === '@' ? `${PREFIX}${SUFFIX}.` : `${PREFIX}${short}.${SUFFIX}.`;
}

/** Absolute → short (inverse of fq for our names). */
export function short(name: string): string {
  if (name === `${PREFIX}${SUFFIX}.`) return '@';
  if (name.startsWith(PREFIX) && name.endsWith(`.${SUFFIX}.`)) return name.slice(PREFIX.length, -(SUFFIX.length + 2));
  return name;
}

export function rs(name: string, type: RecordType, rrdatas: string[] | string, ttl = 30): RecordSet {
  const data = typeof rrdatas === 'string' ? rrdatas.split(',') : rrdatas;
  return { name: fq(name), type, ttl, rrdatas: type === 'CNAME' ? data.map(fq) : data };
}

/** Record sets as `{ 'short TYPE': 'data,data' }`, CNAME targets shortened too. */
export function render(sets: readonly RecordSet[]): Record<string, string> {
  return Object.fromEntries(sets.map((r) => [`${short(r.name)} ${r.type}`, r.rrdatas.map((d) => (r.type === 'CNAME' ? short(d) : d)).join(',')]));
}

export const keys = (sets: readonly RecordSet[]): string[] => sets.map((r) => `${short(r.name)} ${r.type}`);

/** `count` distinct IPv4 addresses starting at 10.<base>.0.0. */
export function ips(count: number, base = 0): string[] {
  return Array.from({ length: count }, (_, i) => `10.${base}.${Math.floor(i / 256)}.${i % 256}`);
}
