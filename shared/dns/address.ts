/**
 * IP addresses as they appear in A and AAAA record data: parsing, one canonical text form (so that
 * `2001:DB8:0::1` and `2001:db8::1` are the same answer) and a numeric order (so `10.0.0.9` sorts
 * before `10.0.0.10`). Pure; no `net`, no resolver. Parsing is ipaddr.js's (shared/net/address-guard.ts).
 */
import * as ipaddr from 'ipaddr.js';
import { isIPv4Literal, isIPv6Literal } from '../net/address-guard';

export interface ParsedAddress {
  readonly family: 4 | 6;
  /** Canonical text: dotted quad without leading zeros, or RFC 5952 IPv6. */
  readonly text: string;
  /** Big-endian bytes (4 or 16), for ordering. */
  readonly bytes: readonly number[];
}

/** Parsed spellings, so sorting and planning 10,000 shards' addresses parse each one once (bounded; cleared when full). */
const parsed = new Map<string, ParsedAddress | undefined>();
const PARSED_MAX = 100_000;

/** Parses an IPv4 or IPv6 literal (strict spellings only); undefined when it is neither (hostnames, zone ids, garbage). */
export function parseAddress(input: string): ParsedAddress | undefined {
  if (parsed.has(input)) return parsed.get(input);
  const s = input.trim();
  let out: ParsedAddress | undefined;
  if (isIPv4Literal(s) || isIPv6Literal(s)) {
    const a = ipaddr.parse(s);
    out = Object.freeze({ family: a.kind() === 'ipv4' ? 4 : 6, text: a.toString(), bytes: Object.freeze(a.toByteArray()) });
  }
  if (parsed.size >= PARSED_MAX) parsed.clear();
  parsed.set(input, out);
  return out;
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
