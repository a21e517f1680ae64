/**
 * Comparing record sets the way DNS does: names are case-insensitive and absolute, an RRset is a set
 * (order and duplicates do not matter), and `2001:DB8::0:1` is `2001:db8::1`. Used by the planner,
 * the pure apply and anything that must decide "is this already published?".
 */
import { canonicalAddress } from './address';
import { normalizeName } from './names';
import { RecordSet, RecordType } from './types';

/** `recordKey` with the name normalized (lower case, trailing dot). */
export function normalizedKey(r: Pick<RecordSet, 'name' | 'type'>): string {
  return `${normalizeName(r.name)} ${r.type}`;
}

/** Normalizes a ledger/recordKey string `name TYPE` the same way. */
export function normalizeKey(key: string): string {
  const i = key.lastIndexOf(' ');
  return i < 0 ? key : `${normalizeName(key.slice(0, i))} ${key.slice(i + 1)}`;
}

function canonicalRrdata(type: RecordType, value: string): string {
  switch (type) {
    case 'A':
    case 'AAAA':
      return canonicalAddress(value);
    case 'CNAME':
    case 'NS':
      return normalizeName(value);
    default:
      return value;
  }
}

/** Canonical, de-duplicated, sorted rrdatas: a value that compares as a set. */
export function canonicalRrdatas(r: Pick<RecordSet, 'type' | 'rrdatas'>): string[] {
  return [...new Set(r.rrdatas.map((v) => canonicalRrdata(r.type, v)))].sort();
}

/** Same name, type, ttl and the same set of record data. */
export function equivalent(a: RecordSet, b: RecordSet): boolean {
  if (normalizedKey(a) !== normalizedKey(b) || a.ttl !== b.ttl) return false;
  // The same values in the same order need no canonicalizing (a steady sweep compares thousands).
  if (a.rrdatas.length === b.rrdatas.length && a.rrdatas.every((v, i) => v === b.rrdatas[i])) return true;
  const x = canonicalRrdatas(a);
  const y = canonicalRrdatas(b);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

const TYPE_ORDER: Readonly<Record<RecordType, number>> = { SOA: 0, NS: 1, CNAME: 2, A: 3, AAAA: 4, TXT: 5 };

/** Number of labels: parents (fewer labels) sort before children. */
export function labelCount(name: string): number {
  return normalizeName(name).split('.').length - 1;
}

/** A stable order for output: by name, then type. */
export function compareRecordSets(a: RecordSet, b: RecordSet): number {
  const na = normalizeName(a.name);
  const nb = normalizeName(b.name);
  if (na !== nb) return na < nb ? -1 : 1;
  return TYPE_ORDER[a.type] - TYPE_ORDER[b.type];
}
