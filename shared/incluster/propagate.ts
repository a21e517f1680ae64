/**
 * Propagation's part in in-cluster discovery: a Service placed in a cluster gets its name in that
 * cluster's zone (the fallback answer until the sweep sees the local shard healthy), one unplaced
 * or deleted loses it; the CoreDNS opt-in is applied, and undone when the Cluster opts out or leaves.
 */
import { Logger } from '../log';
import { MemberClientFactory } from '../members/credentials';
import { MemberClient, MemberError } from '../members/port';
import { Cluster } from '../model/cluster';
import { Service } from '../model/service';
import { federatedKey } from '../propagation/member';
import { zonesOf } from '../sweep/shards';
import { leaveCluster, setCoreDns, syncZone } from './member';
import { FederationNames, clusterDomainOf, fallbackTarget, mergePlaced, servicesFor } from './plan';

const describe = (e: unknown): string => (e instanceof MemberError ? `${e.reason}: ${e.message}` : e instanceof Error ? e.message : String(e));
const managesCoreDns = (c: Cluster | undefined): boolean => c?.spec?.dns?.manageCoreDNS === true;

/**
 * After propagation wrote to a cluster: add/remove the zone entries of the Services in scope
 * (`scope` undefined = every Service, so stale entries go too); on a full or cluster pass, apply
 * the Cluster's CoreDNS choice (opt-in applied or undone). Never throws: errors are logged and the next pass retries.
 */
export async function placeInZone(
  client: MemberClient,
  cluster: Cluster,
  names: FederationNames,
  services: readonly Service[],
  scope: ReadonlySet<string> | undefined,
  log: Logger,
  nowMs: number,
): Promise<number> {
  let writes = 0;
  try {
    const place = { clusterDomain: clusterDomainOf(cluster), ...zonesOf(cluster) };
    const placed = new Map(
      servicesFor(services, cluster).map((s) => [federatedKey(s), fallbackTarget(names, place, s.metadata.namespace as string, s.metadata.name as string)]),
    );
    const r = await syncZone(
      client,
      { federation: names.federation, clusterDomain: place.clusterDomain, ttl: names.ttl },
      (current) => mergePlaced(current, placed, scope),
      nowMs,
    );
    if (r.outcome === 'written') writes++;
    if (r.outcome === 'conflict') log.warn('in-cluster zone not written', { cluster: cluster.metadata.name, reason: r.message });
    if (!scope) {
      // Level-triggered: the Cluster's current choice is applied either way, so an opt-out whose
      // Cluster event was lost is still undone (unpatching is a no-op read when nothing is there).
      const on = managesCoreDns(cluster);
      const c = await setCoreDns(client, on);
      writes += (c.corefile ? 1 : 0) + (c.mount ? 1 : 0);
      if (on && c.notes.length) log.warn('CoreDNS opt-in not complete', { cluster: cluster.metadata.name, notes: c.notes });
      if (!on && (c.corefile || c.mount))
        log.info('CoreDNS opt-in undone by the full pass', { cluster: cluster.metadata.name, corefile: c.corefile, mount: c.mount });
    }
  } catch (e) {
    log.warn('in-cluster discovery update failed', { cluster: cluster.metadata.name, error: describe(e) });
  }
  return writes;
}

/** A Cluster changed or left: undo the CoreDNS opt-in when it was turned off, and everything when the Cluster is gone. */
export async function clusterDiscoveryChanged(
  clientFor: MemberClientFactory,
  before: Cluster | undefined,
  after: Cluster | undefined,
  log: Logger,
): Promise<void> {
  if (!before || (after && !(managesCoreDns(before) && !managesCoreDns(after)))) return;
  if (before.status?.conditions?.some((c) => c.type === 'Offline' && c.status === 'True')) {
    log.warn('cluster is offline: in-cluster discovery left in it as it is', { cluster: before.metadata?.name });
    return;
  }
  try {
    const client = await clientFor(before);
    if (after) {
      const c = await setCoreDns(client, false);
      log.info('CoreDNS opt-in undone', { cluster: after.metadata.name, corefile: c.corefile, mount: c.mount, notes: c.notes });
      return;
    }
    const r = await leaveCluster(client, managesCoreDns(before));
    log.info('in-cluster discovery removed from a cluster that left', { cluster: before.metadata.name, ...r });
  } catch (e) {
    log.warn('could not undo in-cluster discovery', { cluster: before.metadata?.name, error: describe(e) });
  }
}
