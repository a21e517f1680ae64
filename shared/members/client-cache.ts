/**
 * Member clients kept per cluster registration for a while, so an instance handling many events
 * reuses its TLS connections. A changed connection (server addresses or credentials reference) or,
 * after the TTL, new credentials build a fresh client and close the one it replaces; a status update
 * (a new resourceVersion, same connection) keeps the client. A client that failed to open is not
 * kept, so the next call tries again.
 */
import { Cluster } from '../model/cluster';
import { MemberClient } from './port';

export type ClosableMemberClient = MemberClient & { close(): void };

export function memberClientCache<C extends ClosableMemberClient>(
  open: (cluster: Cluster) => Promise<C>,
  ttlMs: number,
  now: () => number = Date.now,
): (cluster: Cluster) => Promise<C> {
  const clients = new Map<string, { at: number; key: string; client: Promise<C> }>();
  return (cluster) => {
    const name = cluster.metadata.name ?? '';
    const key = JSON.stringify([cluster.spec?.serverAddressByClientCIDRs ?? [], cluster.spec?.secretRef ?? null]);
    const hit = clients.get(name);
    if (hit && hit.key === key && now() - hit.at < ttlMs) return hit.client;
    if (hit)
      void hit.client.then(
        (c) => c.close(),
        () => undefined,
      );
    const entry = { at: now(), key, client: open(cluster) };
    clients.set(name, entry);
    entry.client.catch(() => {
      if (clients.get(name) === entry) clients.delete(name);
    });
    return entry.client;
  };
}
