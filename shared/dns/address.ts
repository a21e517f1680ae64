/**
 * IP addresses as they appear in A and AAAA record data: parsing, one canonical text form (so that
 * `2001:DB8:0::1` and `2001:db8::1` are the same answer) and a numeric order (so `10.0.0.9` sorts
 * before `10.0.0.10`). Pure; no `net`, no resolver.
 */

export interface ParsedAddress {
  readonly family: 4 | 6;
  /** Canonical text: dotted quad without leading zeros, or RFC 5952 IPv6. */
  readonly text: string;
  /** Big-endian bytes (4 or 16), for ordering. */
  readonly bytes: readonly number[];
}

const DEC_OCTET = /^(0|[1-9][0-9]{0,2})$/;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

function ipv4Bytes(s: string): number[] | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const out: number[] = [];
  for (const p of parts) {
    if (!DEC_OCTET.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out.push(n);
  }
  return out;
}

function groups(part: string): number[] | undefined {
  if (part === '') return [];
  const out: number[] = [];
  const items = part.split(':');
  for (let i = 0; i < items.length; i++) {
    const g = items[i] as string;
    if (i === items.length - 1 && g.includes('.')) {
      const v4 = ipv4Bytes(g);
      if (!v4) return undefined;
      out.push(((v4[0] as number) << 8) | (v4[1] as number), ((v4[2] as number) << 8) | (v4[3] as number));
    } else if (HEX_GROUP.test(g)) {
      out.push(parseInt(g, 16));
    } else {
      return undefined;
    }
  }
  return out;
}

function ipv6Groups(s: string): number[] | undefined {
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const head = groups(halves[0] as string);
  if (!head) return undefined;
  if (halves.length === 1) return head.length === 8 ? head : undefined;
  const tail = groups(halves[1] as string);
  if (!tail || head.length + tail.length > 7) return undefined;
  return [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
}

/** RFC 5952: lower case, no leading zeros, the longest run (≥ 2) of zero groups as `::`, first on a tie. */
function ipv6Text(g: readonly number[]): string {
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

/** Parses an IPv4 or IPv6 literal; undefined when it is neither (hostnames, zone ids, garbage). */
export function parseAddress(input: string): ParsedAddress | undefined {
  const s = input.trim();
  if (s.includes(':')) {
    const g = ipv6Groups(s);
    if (!g) return undefined;
    return { family: 6, text: ipv6Text(g), bytes: g.flatMap((x) => [x >> 8, x & 0xff]) };
  }
  const b = ipv4Bytes(s);
  return b ? { family: 4, text: b.join('.'), bytes: b } : undefined;
}

/** Canonical text of an address, or the input unchanged when it is not an address. */
export function canonicalAddress(s: string): string {
  return parseAddress(s)?.text ?? s;
}

/** Orders IPv4 before IPv6, then numerically; non-addresses last, by text. */
export function compareAddresses(a: string, b: string): number {
  const pa = parseAddress(a);
  const pb = parseAddress(b);
  if (!pa || !pb) return pa ? -1 : pb ? 1 : a < b ? -1 : a > b ? 1 : 0;
  if (pa.family !== pb.family) return pa.family - pb.family;
  for (let i = 0; i < pa.bytes.length; i++) {
    const d = (pa.bytes[i] as number) - (pb.bytes[i] as number);
    if (d !== 0) return d;
  }
  return 0;
}

/** Canonical, de-duplicated, numerically sorted. Inputs must already be valid addresses. */
export function sortedAddresses(list: Iterable<string>): string[] {
  return [...new Set([...list].map(canonicalAddress))].sort(compareAddresses);
}
