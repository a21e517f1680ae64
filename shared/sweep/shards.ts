/**
 * Turns cluster observations into one observation per shard (federated Service × cluster), and
 * the probe targets that decide it. Pure.
 */
import { Cluster } from '../model/cluster';
import { SKYFED } from '../model/meta';
import { Service } from '../model/service';
import { federatedKey } from '../propagation/member';
import { placedOn } from '../propagation/placement';
import { HealthState } from '../store/shards';
import { ClusterObservation } from './observe';
import { ProbeTarget } from './probe';
import { ShardHealthReason } from './reasons';

export interface ShardPlan {
  readonly service: string; // namespace/name
  readonly cluster: string;
  readonly zones: readonly string[];
  readonly region?: string;
  /** Ingress as the member reports it (ip or hostname). */
  readonly ingress: readonly { ip?: string; hostname?: string }[];
  /** Why the shard is down before any probe (not present, no endpoints, no address); undefined = probe decides. */
  readonly downBecause?: { readonly code: ShardHealthReason; readonly message: string };
  readonly readyEndpoints: number;
  readonly port: number;
  readonly httpPath?: string;
  readonly controlPlaneDown: boolean;
}

export function zonesOf(c: Cluster): { zones: string[]; region?: string } {
  const zones = c.spec.zones?.length ? c.spec.zones : (c.status?.zones ?? []);
  const region = c.spec.region ?? c.status?.region;
  return { zones: [...zones], ...(region ? { region } : {}) };
}

/** The first TCP port of the federated Service (probes never take a port from a member). */
function probePort(s: Service): number {
  const p = s.spec.ports?.find((x) => (x.protocol ?? 'TCP') === 'TCP') ?? s.spec.ports?.[0];
  return p?.port ?? 80;
}

/** Each LoadBalancer Service that is not being deleted, with each cluster it is placed on: the base of its shard there. */
function* placedShards(
  services: readonly Service[],
  clusters: readonly Cluster[],
): Generator<{ key: string; cluster: Cluster; base: Pick<ShardPlan, 'service' | 'cluster' | 'zones' | 'region' | 'port' | 'httpPath'> }> {
  for (const s of services) {
    if (s.spec.type !== 'LoadBalancer' || s.metadata.deletionTimestamp) continue;
    const key = federatedKey(s);
    const httpPath = s.metadata.annotations?.[SKYFED.probePath];
    for (const cluster of clusters) {
      if (!placedOn(s.metadata.annotations, cluster.metadata.labels)) continue;
      yield {
        key,
        cluster,
        base: { service: key, cluster: cluster.metadata.name ?? '', ...zonesOf(cluster), port: probePort(s), ...(httpPath ? { httpPath } : {}) },
      };
    }
  }
}

/**
 * Every shard of every LoadBalancer Service placed on an observed cluster. Port and probe path are
 * the federated Service's; `previous` is the last sweep's health (cluster → Service → health). A member Service is only taken as the shard when its uid is the one
 * propagation recorded for it (`created`: cluster → key → uid), so a member cannot make skyfed
 * probe a Service it invented or replaced.
 */
export function planShards(
  services: readonly Service[],
  observations: ReadonlyMap<string, ClusterObservation>,
  previous: ReadonlyMap<string, Readonly<Record<string, HealthState>>>,
  created: ReadonlyMap<string, ReadonlyMap<string, string>>,
): ShardPlan[] {
  const out: ShardPlan[] = [];
  const observed = [...observations.values()];
  for (const { key, base } of placedShards(
    services,
    observed.map((o) => o.cluster),
  )) {
    const name = base.cluster;
    const obs = observations.get(name) as ClusterObservation;
    if (!obs.reachable) {
      // Control plane down: keep judging the shard by its data plane, at the last known addresses.
      const last = previous.get(name)?.[key]?.addresses ?? [];
      out.push({
        ...base,
        ingress: last.map((ip) => ({ ip })),
        readyEndpoints: previous.get(name)?.[key]?.readyEndpoints ?? 0,
        controlPlaneDown: true,
        ...(last.length === 0
          ? { downBecause: { code: 'ClusterUnreachable', message: `cluster unreachable (${obs.error ?? 'no answer'}) and no last known address` } }
          : {}),
      });
      continue;
    }
    const member = obs.members.get(key);
    const ours = member !== undefined && member.metadata.uid !== undefined && created.get(name)?.get(key) === member.metadata.uid;
    const ready = obs.readyEndpoints.get(key) ?? 0;
    const ingress = ours ? (member.status?.loadBalancer?.ingress ?? []) : [];
    const downBecause: ShardPlan['downBecause'] = !member
      ? { code: 'NotPresent', message: 'the Service is not present in the cluster' }
      : !ours
        ? { code: 'NotCreatedBySkyfed', message: 'the Service in the cluster is not the one skyfed created (uid unknown)' }
        : ready === 0
          ? { code: 'NoReadyEndpoints', message: 'no ready endpoints' }
          : ingress.length === 0
            ? { code: 'NoLoadBalancerAddress', message: 'no load-balancer address yet' }
            : undefined;
    out.push({
      ...base,
      ingress: ingress.map((i) => (i.ip ? { ip: i.ip } : { hostname: i.hostname as string })),
      readyEndpoints: ready,
      controlPlaneDown: false,
      ...(downBecause ? { downBecause } : {}),
    });
  }
  return out;
}

/** Health reasons that mean the last sweep probed the shard at its addresses. */
const PROBED = new Set(['ProbeSucceeded', 'ProbeTimedOut', 'ProbeFailed']);

/**
 * The shards as the last sweep saw them (the addresses it probed, its ready endpoints), for probes
 * that start before the clusters are observed. Only shards the last sweep probed qualify (their
 * addresses came from members propagation created); a probe is used only when the observed shard
 * turns out the same (`probeKey`), and every address still passes the dial guard.
 */
export function lastKnownShards(
  services: readonly Service[],
  clusters: readonly Cluster[],
  previous: ReadonlyMap<string, Readonly<Record<string, HealthState>>>,
): ShardPlan[] {
  const out: ShardPlan[] = [];
  for (const { key, base } of placedShards(services, clusters)) {
    const h = previous.get(base.cluster)?.[key];
    if (!h || !PROBED.has(h.code ?? '') || !(h.addresses ?? []).length) continue;
    out.push({ ...base, ingress: (h.addresses ?? []).map((ip) => ({ ip })), readyEndpoints: h.readyEndpoints, controlPlaneDown: false });
  }
  return out;
}

export function probeTargets(shard: ShardPlan, addresses: readonly string[]): ProbeTarget[] {
  return addresses.map((address) => ({ address, port: shard.port, ...(shard.httpPath ? { httpPath: shard.httpPath } : {}) }));
}

/** Identity of a probe: the same shard at the same addresses, port and path. */
export function probeKey(sh: ShardPlan): string {
  return `${sh.service}@${sh.cluster} ${sh.port} ${sh.httpPath ?? ''} ${sh.ingress.map((i) => i.ip ?? i.hostname).join(',')}`;
}
