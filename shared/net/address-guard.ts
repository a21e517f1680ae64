/**
 * The one address guard every outbound dial to a registrant- or member-named address passes: member
 * API servers, load-balancer probes, and anything they redirect or resolve to. It judges the
 * resolved address, parsed and classified by ipaddr.js (every spelling — `0x7f000001`, `127.1`,
 * `0::1`, `::ffff:169.254.169.254` — lands on one canonical form first). Only global unicast
 * addresses pass, unless an explicit allow-list of CIDRs (configuration) covers the address.
 * Addresses that embed an IPv4 address (IPv4-mapped) are judged by that IPv4 address; NAT64,
 * 6to4, Teredo and the other translation ranges are refused outright.
 */
import * as ipaddr from 'ipaddr.js';

export type Address = ipaddr.IPv4 | ipaddr.IPv6;

export interface AddressGuard {
  /** Why the address may not be dialled, or undefined when it may. */
  refusal(address: string): string | undefined;
}

const REASONS: Readonly<Record<string, string>> = {
  unspecified: 'unspecified address',
  broadcast: 'broadcast address',
  multicast: 'multicast address',
  linkLocal: 'link-local or metadata address',
  loopback: 'loopback address',
  carrierGradeNat: 'shared (carrier-grade NAT) address',
  private: 'private address',
  uniqueLocal: 'unique-local address',
  reserved: 'reserved address',
  rfc6052: 'NAT64 address',
  rfc6145: 'IPv4-translated address',
  '6to4': '6to4 address',
  teredo: 'Teredo address',
  discard: 'discard-only address',
};

/** Strict literals, as Kubernetes and DNS record data write them: dotted-quad IPv4, or IPv6 text. */
export function isIPv4Literal(s: string): boolean {
  return ipaddr.IPv4.isValidFourPartDecimal(s) && !/(^|\.)0\d/.test(s);
}
export function isIPv6Literal(s: string): boolean {
  return s.includes(':') && !s.includes('%') && ipaddr.IPv6.isValid(s) && (!s.includes('.') || isIPv4Literal(s.slice(s.lastIndexOf(':') + 1)));
}

/** Parses any spelling ipaddr.js accepts; IPv4-mapped IPv6 becomes its IPv4 address. */
export function parseIp(input: string): Address | undefined {
  const s = input.trim().replace(/^\[(.*)\]$/, '$1');
  if (s === '' || s.includes('%')) return undefined;
  if (!ipaddr.isValid(s)) return undefined;
  const a = ipaddr.parse(s);
  if (a.kind() === 'ipv6') {
    const v6 = a as ipaddr.IPv6;
    if (v6.isIPv4MappedAddress()) return v6.toIPv4Address();
    // IPv4-compatible (deprecated) ::a.b.c.d is judged by the IPv4 address it carries.
    const p = v6.parts;
    if (p.slice(0, 6).every((x) => x === 0) && (p[6] !== 0 || (p[7] ?? 0) > 1)) {
      return ipaddr.IPv4.parse(`${(p[6] ?? 0) >> 8}.${(p[6] ?? 0) & 255}.${(p[7] ?? 0) >> 8}.${(p[7] ?? 0) & 255}`);
    }
  }
  return a;
}

/** Canonical text of an address (dotted quad, or RFC 5952 IPv6), or undefined when not an address. */
export function canonicalIp(input: string): string | undefined {
  return parseIp(input)?.toString();
}

export type Cidr = [Address, number];

/** Parses `a.b.c.d/n` or `v6/n`; throws on anything else (configuration fails at start). */
export function parseCidr(text: string): Cidr {
  const [addr, bits] = ipaddr.parseCIDR(text.trim());
  if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress()) {
    return [(addr as ipaddr.IPv6).toIPv4Address(), Math.max(0, bits - 96)];
  }
  return [addr, bits];
}

function within(a: Address, cidrs: readonly Cidr[]): boolean {
  return cidrs.some(([net, bits]) => net.kind() === a.kind() && a.match(net as never, bits));
}

/**
 * Documentation ranges (RFC 5737, RFC 3849) reach nothing and are what examples and tests use for
 * "a public address"; they pass like global unicast.
 */
const DOCUMENTATION: readonly Cidr[] = ['192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/24', '2001:db8::/32'].map((c) => ipaddr.parseCIDR(c));

export function addressGuard(allow: readonly Cidr[] = []): AddressGuard {
  return {
    refusal(address: string): string | undefined {
      const a = parseIp(address);
      if (!a) return 'not an IP address';
      if (within(a, allow) || within(a, DOCUMENTATION)) return undefined;
      const range = a.range();
      if (range === 'unicast') return undefined;
      return REASONS[range] ?? `${range} address`;
    },
  };
}

/** Host names that always mean the platform's own metadata service or this machine. */
const METADATA_HOSTS = /^(metadata|metadata\.google\.internal|instance-data|instance-data\.ec2\.internal)\.?$/i;
const LOCAL_HOSTS = /^(localhost|.*\.localhost)\.?$/i;

/**
 * What a registrant may write as a server host, before any resolution: a refused literal address
 * (in any spelling the URL parser turns into one) or a metadata/local host name is refused up front;
 * other names are judged again, on their resolved addresses, at every dial.
 */
export function hostRefusal(host: string, guard: AddressGuard): string | undefined {
  const h = host.replace(/^\[(.*)\]$/, '$1');
  if (parseIp(h)) return guard.refusal(h);
  if (METADATA_HOSTS.test(h)) return 'metadata host name';
  if (LOCAL_HOSTS.test(h)) return guard.refusal('127.0.0.1');
  return undefined;
}
