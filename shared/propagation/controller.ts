/**
 * What the Firestore-triggered functions and the periodic `reconcile` do, in the user's words:
 * a Service changed → bring every cluster in step for it; a cluster (or its credentials) changed →
 * probe it and bring every Service to it; on schedule → probe all and reconcile everything. Every
 * path runs one pipeline per cluster (reconcile.ts), so no cluster waits on another.
 */
import { clusterDiscoveryChanged } from '../incluster/propagate';
import { Cluster, CREDENTIALS_NAMESPACE } from '../model/cluster';
import { ReconcileDeps, ReconcileReport, reconcile } from './reconcile';
import { namespacedKey } from '../model/meta';

export type ControllerDeps = ReconcileDeps;

/** A changed registration or new credentials deserve a fresh try: forget the cluster's breaker. */
async function resetBreakers(deps: ControllerDeps, clusters: readonly string[]): Promise<void> {
  await Promise.all(clusters.map((name) => deps.breakers.update(name, (cur) => (cur ? 'closed' : undefined))));
}

/** Fields whose change means there is propagation work (status alone does not). */
function specOf(c: Record<string, unknown> | undefined): string {
  if (!c) return '';
  const meta = (c['metadata'] ?? {}) as Record<string, unknown>;
  return JSON.stringify({ spec: c['spec'], labels: meta['labels'], deletion: meta['deletionTimestamp'] });
}

export async function onServiceChanged(deps: ControllerDeps, namespace: string, name: string): Promise<ReconcileReport> {
  // The catalog entry is kept beside the members, never in their way: it is written once they are
  // (or 300 ms in, if a member is slow).
  const catalog = deps.catalog;
  return reconcile(deps, {
    services: new Set([namespacedKey(namespace, name)]),
    ...(catalog ? { afterMemberWrites: () => catalog.sync(deps.store, namespace, name) } : {}),
  });
}

export async function onClusterChanged(
  deps: ControllerDeps,
  name: string,
  before: Record<string, unknown> | undefined,
  after: Record<string, unknown> | undefined,
): Promise<ReconcileReport | 'skipped'> {
  // In-cluster discovery is undone in the member when the Cluster leaves or opts out of CoreDNS management.
  await clusterDiscoveryChanged(deps.clientFor, before as Cluster | undefined, after as Cluster | undefined, deps.log);
  if (!after) {
    // A removed cluster stops being managed: forget its shards (its DNS answers go at the next sweep).
    const services = await deps.store.list('services');
    await Promise.all(services.map((s) => deps.shards.remove(s.object.metadata.namespace as string, s.object.metadata.name as string, name)));
    await resetBreakers(deps, [name]);
    return 'skipped';
  }
  if (before && specOf(before) === specOf(after)) return 'skipped';
  await resetBreakers(deps, [name]);
  return reconcile(deps, { clusters: new Set([name]), probeHealth: true });
}

export async function onSecretChanged(deps: ControllerDeps, namespace: string, name: string): Promise<ReconcileReport | 'skipped'> {
  const clusters = (await deps.store.list<Cluster>('clusters'))
    .map((r) => r.object)
    .filter((c) => c.spec.secretRef?.name === name && (c.spec.secretRef.namespace ?? CREDENTIALS_NAMESPACE) === namespace);
  if (clusters.length === 0) return 'skipped';
  const names = clusters.map((c) => c.metadata.name ?? '');
  await resetBreakers(deps, names);
  return reconcile(deps, { clusters: new Set(names), probeHealth: true });
}

/** The periodic full pass: repairs drift and anything an event missed. */
export async function reconcileEverything(deps: ControllerDeps): Promise<ReconcileReport> {
  return reconcile(deps, { probeHealth: true });
}
