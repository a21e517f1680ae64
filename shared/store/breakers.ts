/**
 * Where each member's circuit breaker (shared/members/breaker.ts) lives: one document per cluster
 * in the top-level collection `memberBreakers/{cluster}`, present only while the cluster has
 * timed out since its last answer (a healthy federation has none, and reading them all is one
 * query that returns nothing). Not in the Cluster document: every write there would bump the
 * Cluster's resourceVersion, wake its watchers and its Eventarc trigger, and race the health
 * refresh that rewrites its status; this collection is on no trigger path. Changes are
 * transactions, so passes on different function instances never lose each other's counts.
 */
import { Firestore } from '@google-cloud/firestore';
import { BreakerState } from '../members/breaker';

export const BREAKER_COLLECTION = 'memberBreakers';

/** The next state; 'closed' deletes the document; undefined leaves it as it is. */
export type BreakerDecision = (current: BreakerState | undefined) => BreakerState | 'closed' | undefined;

export interface BreakerStore {
  /** Every stored breaker by cluster name. */
  listAll(): Promise<Map<string, BreakerState>>;
  /** Applies `decide` in a transaction; returns the state as it then is (undefined = closed). */
  update(cluster: string, decide: BreakerDecision): Promise<BreakerState | undefined>;
}

export class FirestoreBreakerStore implements BreakerStore {
  constructor(private readonly db: Firestore) {}

  async listAll(): Promise<Map<string, BreakerState>> {
    const snap = await this.db.collection(BREAKER_COLLECTION).get();
    return new Map(snap.docs.map((d) => [d.id, d.data() as BreakerState]));
  }

  async update(cluster: string, decide: BreakerDecision): Promise<BreakerState | undefined> {
    const ref = this.db.collection(BREAKER_COLLECTION).doc(cluster);
    return this.db.runTransaction(async (tx) => {
      const current = (await tx.get(ref)).data() as BreakerState | undefined;
      const next = decide(current);
      if (next === undefined) return current;
      if (next === 'closed') {
        if (current) tx.delete(ref);
        return undefined;
      }
      tx.set(ref, JSON.parse(JSON.stringify(next)) as BreakerState);
      return next;
    });
  }
}
