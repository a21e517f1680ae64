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

export interface ShardPlan {
  readonly service: string; // namespace/name
  readonly cluster: string;
  readonly zones: readonly string[];
  readonly region?: string;
  /** Ingress as the member reports it (ip or hostname). */
  readonly ingress: readonly { ip?: string; hostname?: string }[];
  /** Why the shard is down before any probe (not present, no endpoints, no address); undefined = probe decides. */
  readonly downBecause?: string;
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

/** Every shard of every LoadBalancer Service placed on an observed cluster. */
export function planShards(services: readonly Service[], observations: ReadonlyMap<string, ClusterObservation>, previous: ReadonlyMap<string, Readonly<Record<string, HealthState>>>): ShardPlan[] {
  const out: ShardPlan[] = [];
  for (const s of services) {
    if (s.spec.type !== 'LoadBalancer' || s.metadata.deletionTimestamp) continue;
    const key = federatedKey(s);
    const firstPort = s.spec.ports?.find((p) => (p.protocol ?? 'TCP') === 'TCP') ?? s.spec.ports?.[0];
    const httpPath = s.metadata.annotations?.[SKYFED.probePath];
    for (const [name, obs] of observations) {
      if (!placedOn(s.metadata.annotations, obs.cluster.metadata.labels)) continue;
      const topo = zonesOf(obs.cluster);
      const base = { service: key, cluster: name, ...topo, port: firstPort?.port ?? 80, ...(httpPath ? { httpPath } : {}) };
      if (!obs.reachable) {
        // Control plane down: keep judging the shard by its data plane, at the last known addresses.
        const last = previous.get(key)?.[name]?.addresses ?? [];
        out.push({ ...base, ingress: last.map((ip) => ({ ip })), readyEndpoints: previous.get(key)?.[name]?.readyEndpoints ?? 0, controlPlaneDown: true,
          ...(last.length === 0 ? { downBecause: `cluster unreachable (${obs.error ?? 'no answer'}) and no last known address` } : {}) });
        continue;
      }
      const member = obs.members.get(key);
      const ready = obs.readyEndpoints.get(key) ?? 0;
      const ingress = member?.status?.loadBalancer?.ingress ?? [];
      const downBecause = !member ? 'the Service is not present in the cluster'
        : ready === 0 ? 'no ready endpoints'
          : ingress.length === 0 ? 'no load-balancer address yet' : undefined;
      out.push({ ...base, ingress: ingress.map((i) => (i.ip ? { ip: i.ip } : { hostname: i.hostname as string })), readyEndpoints: ready, controlPlaneDown: false, ...(downBecause ? { downBecause } : {}) });
    }
  }
  return out;
}

export function probeTargets(shard: ShardPlan, addresses: readonly string[]): ProbeTarget[] {
  return addresses.map((address) => ({ address, port: shard.port, ...(shard.httpPath ? { httpPath: shard.httpPath } : {}) }));
}

/**
 * Shards that can be probed from one cluster's observation alone, before the Services are read:
 * each managed member with ready endpoints and an address (its ports and probe annotation are the
 * federated Service's, copied by propagation).
 */
export function probeableShards(obs: ClusterObservation): ShardPlan[] {
  const out: ShardPlan[] = [];
  if (!obs.reachable) return out;
  const name = obs.cluster.metadata.name ?? '';
  for (const [key, m] of obs.members) {
    const ingress = m.status?.loadBalancer?.ingress ?? [];
    const ready = obs.readyEndpoints.get(key) ?? 0;
    if (m.spec.type !== 'LoadBalancer' || ingress.length === 0 || ready === 0) continue;
    const port = (m.spec.ports ?? []).find((p) => (p.protocol ?? 'TCP') === 'TCP') ?? m.spec.ports?.[0];
    const httpPath = m.metadata.annotations?.[SKYFED.probePath];
    out.push({
      service: key, cluster: name, zones: [], port: port?.port ?? 80, ...(httpPath ? { httpPath } : {}),
      ingress: ingress.map((i) => (i.ip ? { ip: i.ip } : { hostname: i.hostname as string })), readyEndpoints: ready, controlPlaneDown: false,
    });
  }
  return out;
}

/** Identity of a probe: the same shard at the same addresses, port and path. */
export function probeKey(sh: ShardPlan): string {
  return `${sh.service}@${sh.cluster} ${sh.port} ${sh.httpPath ?? ''} ${sh.ingress.map((i) => i.ip ?? i.hostname).join(',')}`;
}
