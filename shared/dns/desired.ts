/**
 * Desired record sets of ONE federated Service, from the health of its shards. Pure.
 *
 * - Levels: the global name, one regional name per region that has a shard, one zonal name per
 *   (region, zone) that has a shard (every zone of a multi-zone cluster). No shard, no name.
 * - A level answers A/AAAA with the addresses of the healthy shards under it: canonical, de-duplicated,
 *   sorted numerically. A level without any → CNAME to the level above (zone → region → global), so
 *   a name is either a CNAME or address sets, never both.
 * - A shard without a region contributes to the global name only (warning). Hostname load balancers
 *   reach here as the addresses the sweep resolved them to; a hostname left unresolved is warned about.
 * - Nothing healthy anywhere → the Service's all-down policy: `failStatic` keeps the previously
 *   published global answer (lower levels CNAME up), `failOpen` treats every shard that has an
 *   address as healthy, `remove` publishes nothing (NXDOMAIN).
 */
import { parseAddress, sortedAddresses } from './address';
import { DnsNameError, ServiceDnsScope, dnsLabel, dnsSuffix, federationLabel, globalName, normalizeName, regionalName, zonalName } from './names';
import { compareRecordSets } from './records';
import { RecordSet } from './types';

/** What a Service's names answer when none of its shards is healthy. */
export const ALL_DOWN_POLICIES = ['failStatic', 'failOpen', 'remove'] as const;
export type AllDownPolicy = (typeof ALL_DOWN_POLICIES)[number];
export const DEFAULT_TTL = 30;
export const DEFAULT_ALL_DOWN_POLICY: AllDownPolicy = 'failStatic';

/** The policy an annotation value names (validation refuses others at the API; anything else means the default). */
export function allDownPolicyOf(value: string | undefined): AllDownPolicy {
  return (ALL_DOWN_POLICIES as readonly string[]).includes(value ?? '') ? (value as AllDownPolicy) : DEFAULT_ALL_DOWN_POLICY;
}

export interface ShardAddress {
  readonly ip?: string;
  readonly hostname?: string;
}

export interface ShardView {
  readonly cluster: string;
  readonly region?: string;
  readonly zones: readonly string[];
  readonly healthy: boolean;
  /** The member Service's load-balancer ingress (hostnames already resolved by the sweep). */
  readonly addresses: readonly ShardAddress[];
}

export interface DesiredInput {
  readonly federation: string;
  readonly suffix: string;
  /** Seconds; default 30. */
  readonly ttl?: number;
  readonly service: string;
  readonly namespace: string;
  readonly policy?: AllDownPolicy;
  /** What was published for this Service before (for `failStatic`); other names are ignored. */
  readonly previous?: readonly RecordSet[];
  readonly shards: readonly ShardView[];
}

export type DesiredWarningReason = 'Unlabeled' | 'InvalidName' | 'InvalidAddress' | 'Unresolved' | 'AllDown';

export interface DesiredWarning {
  readonly reason: DesiredWarningReason;
  /** The cluster concerned; absent for warnings about the whole Service. */
  readonly cluster?: string;
  readonly message: string;
}

export interface DesiredResult {
  readonly recordSets: RecordSet[];
  readonly warnings: DesiredWarning[];
}

interface Level {
  readonly name: string;
  /** The name a CNAME at this level points to; undefined for the global level. */
  readonly parent?: string;
  readonly addresses: Set<string>;
}

/** A shard reduced to what the levels need: valid names and canonical addresses. */
interface Placed {
  readonly shard: ShardView;
  readonly regional?: Level;
  readonly zonal: readonly Level[];
  readonly addresses: readonly string[];
}

type Warn = (reason: DesiredWarningReason, message: string, cluster?: string) => void;

function shardAddresses(shard: ShardView, warn: Warn): string[] {
  const out: string[] = [];
  const take = (value: string, from: string): void => {
    const parsed = parseAddress(value);
    if (parsed) out.push(parsed.text);
    else warn('InvalidAddress', `${from} ${JSON.stringify(value)} is not an IP address; ignored`, shard.cluster);
  };
  let hostnames = 0;
  for (const a of shard.addresses) {
    if (a.ip) take(a.ip, 'ingress ip');
    else if (a.hostname) hostnames++;
  }
  if (hostnames > 0) {
    warn('Unresolved', `ingress hostname did not resolve this sweep; the shard has no address in DNS`, shard.cluster);
  }
  return out;
}

/** Finds or creates the levels a shard belongs to; invalid or too-long names are warned about and skipped. */
function place(scope: ServiceDnsScope, shard: ShardView, levels: Map<string, Level>, global: Level, warn: Warn): Placed {
  const addresses = shardAddresses(shard, warn);
  const level = (make: () => string, parent: string): Level | undefined => {
    try {
      const name = make();
      const existing = levels.get(name) ?? { name, parent, addresses: new Set<string>() };
      levels.set(name, existing);
      return existing;
    } catch (e) {
      if (!(e instanceof DnsNameError)) throw e;
      warn('InvalidName', `${e.message}; that level is not published for this cluster`, shard.cluster);
      return undefined;
    }
  };
  const region = shard.region?.trim() ? shard.region : undefined;
  if (region === undefined) {
    const zones = shard.zones.length ? ` (zones ${shard.zones.join(', ')} need a region)` : '';
    warn('Unlabeled', `cluster has no region${zones}: published under the global name only`, shard.cluster);
    return { shard, zonal: [], addresses };
  }
  const regional = level(() => regionalName(scope, region), global.name);
  if (!regional) return { shard, zonal: [], addresses };
  const zonal: Level[] = [];
  for (const zone of new Set(shard.zones.filter((z) => z.trim() !== '').map((z) => z.trim().toLowerCase()))) {
    const l = level(() => zonalName(scope, region, zone), regional.name);
    if (l) zonal.push(l);
  }
  return { shard, regional, zonal, addresses };
}

function fill(global: Level, placed: readonly Placed[], counts: (p: Placed) => boolean): void {
  for (const p of placed) {
    if (!counts(p)) continue;
    for (const l of [global, ...(p.regional ? [p.regional] : []), ...p.zonal]) {
      for (const a of p.addresses) l.addresses.add(a);
    }
  }
}

function previousGlobal(previous: readonly RecordSet[], name: string): string[] {
  return previous
    .filter((r) => normalizeName(r.name) === name && (r.type === 'A' || r.type === 'AAAA'))
    .flatMap((r) => r.rrdatas)
    .filter((v) => parseAddress(v) !== undefined);
}

function emit(levels: readonly Level[], ttl: number): RecordSet[] {
  const out: RecordSet[] = [];
  for (const l of levels) {
    if (l.addresses.size === 0) {
      if (l.parent !== undefined) out.push({ name: l.name, type: 'CNAME', ttl, rrdatas: [l.parent] });
      continue;
    }
    const sorted = sortedAddresses(l.addresses);
    const v4 = sorted.filter((a) => !a.includes(':'));
    const v6 = sorted.filter((a) => a.includes(':'));
    if (v4.length) out.push({ name: l.name, type: 'A', ttl, rrdatas: v4 });
    if (v6.length) out.push({ name: l.name, type: 'AAAA', ttl, rrdatas: v6 });
  }
  return out.sort(compareRecordSets);
}

export function desiredRecordSets(input: DesiredInput): DesiredResult {
  const ttl = input.ttl ?? DEFAULT_TTL;
  if (!Number.isInteger(ttl) || ttl < 0 || ttl > 2147483647) throw new RangeError(`ttl must be a whole number of seconds ≥ 0 (got ${ttl})`);
  // Configuration errors throw; per-service and per-cluster problems become warnings.
  const scope: ServiceDnsScope = {
    federation: federationLabel(input.federation),
    suffix: dnsSuffix(input.suffix),
    namespace: input.namespace,
    service: input.service,
  };
  const warnings: DesiredWarning[] = [];
  const warn: Warn = (reason, message, cluster) => warnings.push(cluster === undefined ? { reason, message } : { reason, cluster, message });

  let global: Level;
  try {
    dnsLabel(input.service, 'service name');
    dnsLabel(input.namespace, 'namespace');
    global = { name: globalName(scope), addresses: new Set() };
  } catch (e) {
    if (!(e instanceof DnsNameError)) throw e;
    warn('InvalidName', `${e.message}; no DNS records for this Service`);
    return { recordSets: [], warnings };
  }
  const levels = new Map<string, Level>();
  const placed = [...input.shards]
    .sort((a, b) => (a.cluster < b.cluster ? -1 : a.cluster > b.cluster ? 1 : 0))
    .map((s) => place(scope, s, levels, global, warn));
  const all = [global, ...[...levels.values()].sort((a, b) => (a.name < b.name ? -1 : 1))];

  fill(global, placed, (p) => p.shard.healthy);
  if (global.addresses.size === 0) {
    const policy = input.policy ?? DEFAULT_ALL_DOWN_POLICY;
    if (policy === 'failOpen') fill(global, placed, () => true);
    if (policy === 'failStatic') for (const a of previousGlobal(input.previous ?? [], global.name)) global.addresses.add(a);
    const outcome =
      global.addresses.size > 0
        ? policy === 'failOpen'
          ? 'publishing every shard that has an address'
          : 'keeping the last published global answer'
        : 'publishing nothing (NXDOMAIN)';
    warn('AllDown', `no healthy shard with an address; policy ${policy}: ${outcome}`);
    if (global.addresses.size === 0) return { recordSets: [], warnings };
  }
  return { recordSets: emit(all, ttl), warnings };
}
