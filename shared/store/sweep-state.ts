/**
 * Per-Service sweep state, one document `namespaces/{ns}/services/{svc}/sweep/state`: each shard's
 * health (with its hysteresis counters), the DNS ledger (record sets this Service owns in the
 * zone), what was last published, and a capped audit history. The sweep reads every state in one
 * collection-group query and writes a document only when it changed.
 */
import { Firestore } from '@google-cloud/firestore';
import { RecordSet } from '../dns/types';
import { HealthState } from './shards';

export const HISTORY_LIMIT = 50;

export interface HistoryEntry {
  readonly at: string;
  readonly kind: 'health' | 'dns';
  readonly message: string;
}

export interface SweepState {
  /** cluster → health */
  readonly health: Readonly<Record<string, HealthState>>;
  /** The record sets published for this Service at the last change. */
  readonly published: readonly RecordSet[];
  readonly lastDnsChange?: string;
  readonly names?: { readonly global: string; readonly regional: readonly string[]; readonly zonal: readonly string[] };
  readonly warnings?: readonly string[];
  readonly history: readonly HistoryEntry[];
}

export const EMPTY_STATE: SweepState = { health: {}, published: [], history: [] };

export interface SweepStateStore {
  /** `namespace/name` → state, for every Service that has one. */
  listAll(): Promise<Map<string, SweepState>>;
  get(namespace: string, name: string): Promise<SweepState | undefined>;
  put(namespace: string, name: string, state: SweepState): Promise<void>;
  remove(namespace: string, name: string): Promise<void>;
}

const path = (ns: string, name: string): string => `namespaces/${ns}/services/${name}/sweep/state`;

export class FirestoreSweepStateStore implements SweepStateStore {
  constructor(private readonly db: Firestore) {}

  async listAll(): Promise<Map<string, SweepState>> {
    const snap = await this.db.collectionGroup('sweep').get();
    const out = new Map<string, SweepState>();
    for (const d of snap.docs) {
      const p = d.ref.path.split('/');
      if (p.length !== 6) continue;
      out.set(`${p[1] ?? ''}/${p[3] ?? ''}`, { ...EMPTY_STATE, ...(d.data() as SweepState) });
    }
    return out;
  }

  async get(namespace: string, name: string): Promise<SweepState | undefined> {
    const snap = await this.db.doc(path(namespace, name)).get();
    return snap.exists ? { ...EMPTY_STATE, ...(snap.data() as SweepState) } : undefined;
  }

  async put(namespace: string, name: string, state: SweepState): Promise<void> {
    await this.db.doc(path(namespace, name)).set(JSON.parse(JSON.stringify(state)) as SweepState);
  }

  async remove(namespace: string, name: string): Promise<void> {
    await this.db.doc(path(namespace, name)).delete();
  }
}

export function appendHistory(history: readonly HistoryEntry[], entries: readonly HistoryEntry[]): HistoryEntry[] {
  return [...history, ...entries].slice(-HISTORY_LIMIT);
}
