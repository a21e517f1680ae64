/**
 * The member clusters a Service event's pass works on, at the cost of one document read while no
 * registration has changed, instead of one read per cluster on every event.
 *
 * Every write that changes what propagation reads of a Cluster (its name, labels, annotations,
 * spec, deletion, and the zones and region observed from its nodes — not its conditions) also
 * writes a fresh token to one stamp document, in the same transaction (firestore.ts). A reader reads the stamp, then lists the clusters only when the
 * token differs from the one its copy was listed under. The stamp is read before the list, so a
 * copy is never newer-labelled than it is: a registration that lands between the two reads has
 * changed the token, and the next read lists again. Nothing is ever served that a listing at the
 * stamp's time would not have shown.
 *
 * A copy is also listed again once it is a minute old, whatever the stamp says: a writer that does
 * not move the stamp (an older revision still serving during a deploy) is seen within that time.
 *
 * The copy holds directory views (conditions, version and managed fields left out), so no caller
 * can read a condition that changed without a new token. Passes that probe health read the
 * collection itself.
 */
import { randomBytes } from 'node:crypto';
import { Firestore } from '@google-cloud/firestore';
import { Cluster } from '../model/cluster';
import { KubeObject } from '../model/meta';
import { jsonEqual } from '../util/json-equal';
import { ObjectStore } from './port';

/** The stamp document; its `token` changes with every directory change. */
export const DIRECTORY_STAMP = 'directory/clusters';

export interface ClusterDirectory {
  /** Every registered Cluster as a directory view, in name order. */
  list(): Promise<Cluster[]>;
}

/**
 * What propagation reads of a Cluster: all but the field-manager bookkeeping and, of its status,
 * only the observed topology (zones and region place a Service's names in the member's zone).
 */
export function directoryView(c: Cluster): Cluster {
  const { managedFields: _m, resourceVersion: _rv, ...metadata } = c.metadata;
  const { status, ...rest } = c;
  const topology = { ...(status?.zones ? { zones: status.zones } : {}), ...(status?.region ? { region: status.region } : {}) };
  return { ...rest, metadata, ...(Object.keys(topology).length ? { status: topology } : {}) };
}

/** Whether a write from `before` to `after` (either absent: created or deleted) changes the directory. */
export function directoryChanged(before: KubeObject | undefined, after: KubeObject | undefined): boolean {
  if (!before || !after) return before !== after;
  return !jsonEqual(directoryView(before as Cluster), directoryView(after as Cluster));
}

/** A token no earlier write used: the writer's name and resourceVersion, and random bits against clock steps. */
export function directoryToken(cluster: string, resourceVersion: string): string {
  return `${cluster}/${resourceVersion}/${randomBytes(6).toString('hex')}`;
}

/** A copy older than this is listed again even if the stamp did not move. */
export const DIRECTORY_MAX_AGE_MS = 60_000;

/** Firestore: one stamp read, and a listing only when the stamp moved (or the copy is old). */
export class StampedClusterDirectory implements ClusterDirectory {
  private copy: { token: string; at: number; clusters: Promise<Cluster[]> } | undefined;
  /** Listings made (for tests and benchmarks: a steady directory lists once). */
  listings = 0;

  constructor(
    private readonly db: Firestore,
    private readonly store: ObjectStore,
    private readonly now: () => number = Date.now,
  ) {}

  async list(): Promise<Cluster[]> {
    const at = this.now();
    const stamp = await this.db.doc(DIRECTORY_STAMP).get();
    const token: unknown = stamp.get('token');
    const copy = this.copy;
    if (typeof token === 'string' && copy?.token === token && at - copy.at < DIRECTORY_MAX_AGE_MS) return copy.clusters;
    this.listings++;
    const clusters = this.store.list<Cluster>('clusters').then((rs) => rs.map((r) => directoryView(r.object)));
    // Without a stamp (no registration written since this version) every read lists.
    if (typeof token === 'string') {
      const entry = { token, at, clusters };
      this.copy = entry;
      clusters.catch(() => {
        if (this.copy === entry) this.copy = undefined;
      });
    }
    return clusters;
  }
}
