/**
 * The in-cluster zone `<federation>.svc.<clusterDomain>.` as an RFC 1035 zone file, for stock
 * CoreDNS's `file` plugin: SOA, NS, and one CNAME per federated Service placed in the cluster
 * (`<svc>.<ns>` → the local Service or the cluster's federated name). Pure: render, read back what
 * we rendered (the member's copy is hostile input, so reading is strict and bounded), next serial.
 */
import { DnsNameError, MAX_NAME_LENGTH, dnsLabel, dnsSuffix } from '../dns/names';

/** One name Pods can ask for: `<service>.<namespace>.<federation>.svc.<clusterDomain>` → `target`. */
export interface ZoneEntry {
  readonly namespace: string;
  readonly service: string;
  /** Absolute, lower case, trailing dot. */
  readonly target: string;
}

export interface ZoneScope {
  readonly federation: string;
  readonly clusterDomain: string;
  readonly ttl: number;
}

export const DEFAULT_CLUSTER_DOMAIN = 'cluster.local';
/** Largest zone file we read back from a member (a zone with ~20,000 entries). */
const MAX_ZONE_BYTES = 4 * 1024 * 1024;
const MAX_SERIAL = 2 ** 32 - 1;

/** `<federation>.svc.<clusterDomain>.` — throws DnsNameError when a part is not a DNS name. */
export function zoneOrigin(federation: string, clusterDomain: string): string {
  const origin = `${dnsLabel(federation, 'federation name')}.svc.${dnsSuffix(clusterDomain)}`;
  if (origin.length > MAX_NAME_LENGTH) throw new DnsNameError('NameTooLong', origin, `${origin}. is longer than ${MAX_NAME_LENGTH} characters`);
  return `${origin}.`;
}

/** The name Pods ask for, absolute. */
export function podName(scope: Pick<ZoneScope, 'federation' | 'clusterDomain'>, namespace: string, service: string): string {
  return `${entryOwner(namespace, service)}.${zoneOrigin(scope.federation, scope.clusterDomain)}`;
}

function entryOwner(namespace: string, service: string): string {
  return `${dnsLabel(service, 'service name')}.${dnsLabel(namespace, 'namespace')}`;
}

const entryKey = (namespace: string, service: string): string => `${namespace}/${service}`;

/**
 * The zone file. Entries are sorted, so the same answers always give the same bytes; entries whose
 * names do not fit DNS (too long) are left out and returned, so one bad name never spoils a zone.
 */
export function renderZone(scope: ZoneScope, serial: number, entries: readonly ZoneEntry[]): { text: string; skipped: ZoneEntry[] } {
  const origin = zoneOrigin(scope.federation, scope.clusterDomain);
  const domain = `${dnsSuffix(scope.clusterDomain)}.`;
  const skipped: ZoneEntry[] = [];
  const lines = new Map<string, string>();
  for (const e of entries) {
    try {
      const owner = entryOwner(e.namespace, e.service);
      if (owner.length + 1 + origin.length - 1 > MAX_NAME_LENGTH || e.target.length - 1 > MAX_NAME_LENGTH || !e.target.endsWith('.'))
        throw new DnsNameError('NameTooLong', owner, 'too long');
      lines.set(entryKey(e.namespace, e.service), `${owner} IN CNAME ${e.target.toLowerCase()}`);
    } catch (err) {
      if (!(err instanceof DnsNameError)) throw err;
      skipped.push(e);
    }
  }
  const body = [...lines].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, l]) => l);
  const text = [
    `; skyfed in-cluster discovery: <service>.<namespace>.${origin} for Pods of this cluster.`,
    '; Written by skyfed (kube-system/skyfed-dns); edits are overwritten at the next sweep.',
    `$ORIGIN ${origin}`,
    `$TTL ${scope.ttl}`,
    // The NS and SOA names are CoreDNS's own (its kubernetes plugin answers ns.dns.<domain>).
    `@ IN SOA ns.dns.${domain} hostmaster.${domain} ( ${serial} 7200 1800 86400 ${scope.ttl} )`,
    `@ IN NS ns.dns.${domain}`,
    ...body,
    '',
  ].join('\n');
  return { text, skipped };
}

/** What a zone file we wrote says: its serial and entries. Anything else in it is ignored. */
export function readZone(text: string | undefined, origin: string): { serial?: number; entries: Map<string, string> } {
  const entries = new Map<string, string>();
  if (text === undefined || text.length > MAX_ZONE_BYTES) return { entries };
  let serial: number | undefined;
  const suffix = `.${origin}`;
  for (const line of text.split('\n')) {
    const soa = /^@ IN SOA \S+ \S+ \( (\d{1,10}) /.exec(line);
    if (soa) {
      const n = Number(soa[1]);
      if (n <= MAX_SERIAL) serial = n;
      continue;
    }
    const m = /^([a-z0-9-]{1,63})\.([a-z0-9-]{1,63}) IN CNAME ([a-z0-9.-]{1,254})$/.exec(line);
    if (!m || !(m[3] as string).endsWith('.')) continue;
    const [, service, namespace, target] = m as unknown as [string, string, string, string];
    if (target.endsWith(suffix)) continue; // never a target inside our own zone (no loops)
    entries.set(entryKey(namespace, service), target);
  }
  return { ...(serial !== undefined ? { serial } : {}), entries };
}

/**
 * The serial for a changed zone: larger than the last one and at least the Unix time, so it keeps
 * increasing even when the ConfigMap was deleted and written afresh.
 */
export function nextSerial(previous: number | undefined, nowMs: number): number {
  const now = Math.floor(nowMs / 1000) % MAX_SERIAL;
  const next = Math.max((previous ?? 0) + 1, now);
  return next > MAX_SERIAL ? 1 : next;
}

/** Entries back from `readZone`'s map. */
export function entriesOf(map: ReadonlyMap<string, string>): ZoneEntry[] {
  return [...map].map(([k, target]) => {
    const i = k.indexOf('/');
    return { namespace: k.slice(0, i), service: k.slice(i + 1), target };
  });
}
