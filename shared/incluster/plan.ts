/**
 * What Pods in one member cluster are told, and the ConfigMap `kube-system/skyfed-dns` that tells
 * them. Pure: federated Services × the cluster's shard health → zone entries → ConfigMap write (or
 * none, when every answer is already there).
 */
import { DnsNameError, globalName, regionalName, zonalName } from '../dns/names';
import { Cluster } from '../model/cluster';
import { SKYFED } from '../model/meta';
import { Service } from '../model/service';
import { placedOn } from '../propagation/placement';
import { DEFAULT_CLUSTER_DOMAIN, ZoneEntry, ZoneScope, entriesOf, nextSerial, readZone, renderZone, zoneOrigin } from './zone';

export const ZONE_CONFIGMAP = { namespace: 'kube-system', name: 'skyfed-dns' } as const;
/** Where the CoreDNS opt-in mounts the ConfigMap (beside k3s's and AKS's `custom` mounts). */
export const ZONE_MOUNT = '/etc/coredns/skyfed';

export interface ConfigMap {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name?: string;
    namespace?: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [k: string]: unknown;
  };
  data?: Record<string, string>;
  [field: string]: unknown;
}

export interface FederationNames {
  readonly federation: string;
  /** Public DNS suffix of the federated names. */
  readonly suffix: string;
  readonly ttl: number;
}

export interface ClusterPlace {
  readonly clusterDomain: string;
  readonly zones: readonly string[];
  readonly region?: string;
}

export function clusterDomainOf(c: Cluster): string {
  return (c.spec.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN).replace(/\.$/, '').toLowerCase();
}

/** The local Service's own name: `<svc>.<ns>.svc.<clusterDomain>.` */
export function localTarget(place: Pick<ClusterPlace, 'clusterDomain'>, namespace: string, service: string): string {
  return `${service}.${namespace}.svc.${place.clusterDomain}.`.toLowerCase();
}

/**
 * The cluster's nearest federated name: zonal (its first zone), else regional, else global. The
 * public records fall back zone → region → global, so this finds the closest healthy shard.
 */
export function fallbackTarget(names: FederationNames, place: ClusterPlace, namespace: string, service: string): string {
  const scope = { federation: names.federation, suffix: names.suffix, namespace, service };
  const zone = [...place.zones].sort()[0];
  if (place.region && zone) return zonalName(scope, place.region, zone);
  if (place.region) return regionalName(scope, place.region);
  return globalName(scope);
}

/** Federated Services that get a name in a cluster: LoadBalancer (the ones with federated names), placed there, not being deleted. */
export function servicesFor(services: readonly Service[], cluster: Cluster): Service[] {
  return services.filter((s) => s.spec.type === 'LoadBalancer' && !s.metadata.deletionTimestamp && placedOn(s.metadata.annotations, cluster.metadata.labels));
}

export interface PodAnswer {
  readonly name: string;
  readonly cname: string;
  readonly local: boolean;
}

/** One cluster's entries from shard health: local while the shard is healthy, else the fallback. */
export function entriesFromHealth(
  names: FederationNames,
  place: ClusterPlace,
  services: readonly { namespace: string; name: string; healthy: boolean }[],
): { entries: ZoneEntry[]; answers: Map<string, PodAnswer> } {
  const entries: ZoneEntry[] = [];
  const answers = new Map<string, PodAnswer>();
  for (const s of services) {
    try {
      const target = s.healthy ? localTarget(place, s.namespace, s.name) : fallbackTarget(names, place, s.namespace, s.name);
      entries.push({ namespace: s.namespace, service: s.name, target });
      const name = `${s.name}.${s.namespace}.${zoneOrigin(names.federation, place.clusterDomain)}`;
      answers.set(`${s.namespace}/${s.name}`, { name, cname: target, local: s.healthy });
    } catch (e) {
      if (!(e instanceof DnsNameError)) throw e;
    }
  }
  return { entries, answers };
}

/**
 * Propagation's view: Services placed (in scope) get an entry — the one already in the zone if
 * any, else the fallback (the sweep decides local vs. fallback); in-scope Services not placed lose
 * theirs; out-of-scope entries stay as they are.
 */
export function mergePlaced(current: ReadonlyMap<string, string>, placed: ReadonlyMap<string, string>, scope?: ReadonlySet<string>): ZoneEntry[] {
  const out = new Map<string, string>();
  for (const [k, t] of current) if (scope && !scope.has(k)) out.set(k, t);
  for (const [k, fallback] of placed) if (!scope || scope.has(k)) out.set(k, current.get(k) ?? fallback);
  return entriesOf(out);
}

/** The `Corefile` key: the server block CoreDNS needs to serve the zone (file plugin with reload). */
export function renderServerBlock(federation: string, clusterDomain: string, port = 53): string {
  const origin = zoneOrigin(federation, clusterDomain).replace(/\.$/, '');
  return [
    `# skyfed in-cluster discovery for federation ${federation}: serves ${origin}`,
    '# from the zone file beside this one (ConfigMap kube-system/skyfed-dns). Written by skyfed.',
    `${origin}:${port} {`,
    '    errors',
    `    file ${ZONE_MOUNT}/db.${federation} ${origin} {`,
    '        reload 10s',
    '    }',
    '}',
    '',
  ].join('\n');
}

export type ZoneWrite =
  | { readonly op: 'none' }
  | { readonly op: 'create' | 'replace'; readonly body: ConfigMap; readonly serial: number }
  | { readonly op: 'conflict'; readonly reason: string };

export interface ZonePlanInput {
  readonly scope: ZoneScope;
  readonly current: ConfigMap | undefined;
  readonly entries: (current: ReadonlyMap<string, string>) => readonly ZoneEntry[];
  readonly corefilePort?: number;
  readonly nowMs: number;
}

/** Compares what the member holds with what it should hold; a write only when some answer (or the server block) changed. */
export function planZoneWrite(input: ZonePlanInput): ZoneWrite {
  const { scope, current } = input;
  if (current && current.metadata.labels?.[SKYFED.managedBy] !== SKYFED.managedByValue) {
    return {
      op: 'conflict',
      reason: `ConfigMap ${ZONE_CONFIGMAP.namespace}/${ZONE_CONFIGMAP.name} exists and was not created by skyfed; delete it to let skyfed manage in-cluster discovery`,
    };
  }
  const origin = zoneOrigin(scope.federation, scope.clusterDomain);
  const zoneKey = `db.${scope.federation}`;
  const held = readZone(current?.data?.[zoneKey], origin);
  const entries = input.entries(held.entries);
  const corefile = renderServerBlock(scope.federation, scope.clusterDomain, input.corefilePort);
  const data = current?.data ?? {};
  const sameKeys = Object.keys(data).sort().join(',') === ['Corefile', zoneKey].sort().join(',');
  if (current && held.serial !== undefined && sameKeys && data['Corefile'] === corefile && renderZone(scope, held.serial, entries).text === data[zoneKey]) {
    return { op: 'none' };
  }
  const serial = nextSerial(held.serial, input.nowMs);
  const body: ConfigMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      ...(current?.metadata ?? {}),
      name: ZONE_CONFIGMAP.name,
      namespace: ZONE_CONFIGMAP.namespace,
      labels: { ...(current?.metadata.labels ?? {}), [SKYFED.managedBy]: SKYFED.managedByValue },
    },
    data: { Corefile: corefile, [zoneKey]: renderZone(scope, serial, entries).text },
  };
  return { op: current ? 'replace' : 'create', body, serial };
}
