/**
 * What `kubectl get svc -o yaml` shows of the sweep, one document per Service
 * (`namespaces/{ns}/services/{svc}/sweep/state`): each shard's health, the names and answers
 * published, warnings, what Pods are told, and a capped audit history. The sweep never reads these
 * to decide anything: it keeps a digest of each (in a sharded map, `sweepDigests/{n}`) and writes a
 * Service's document only when its digest changed, in a transaction that appends to the history.
 */
import { Firestore } from '@google-cloud/firestore';
import { RecordSet } from '../dns/types';
import { namespacedKey } from '../model/meta';
import type { PodAnswer } from '../incluster/plan';
import { HealthState } from './shards';

export const HISTORY_LIMIT = 50;
export const DIGEST_COLLECTION = 'sweepDigests';
export const DIGEST_SHARDS = 8;

export interface HistoryEntry {
  readonly at: string;
  readonly kind: 'health' | 'dns';
  readonly message: string;
}

export interface SweepState {
  /** cluster → health */
  readonly health: Readonly<Record<string, HealthState>>;
  /** The record sets this Service publishes. */
  readonly published: readonly RecordSet[];
  readonly lastDnsChange?: string;
  readonly names?: { readonly global: string; readonly regional: readonly string[]; readonly zonal: readonly string[] };
  readonly warnings?: readonly string[];
  /** cluster → what Pods there are told for this Service (in-cluster discovery, shared/incluster). */
  readonly podAnswers?: Readonly<Record<string, PodAnswer>>;
  readonly history: readonly HistoryEntry[];
}

export const EMPTY_STATE: SweepState = { health: {}, published: [], history: [] };

export interface SweepStateStore {
  get(namespace: string, name: string): Promise<SweepState | undefined>;
  /** Read-modify-write of one Service's document in a transaction; `next` returning undefined writes nothing. */
  update(namespace: string, name: string, next: (current: SweepState | undefined) => SweepState | undefined): Promise<void>;
  remove(namespace: string, name: string): Promise<void>;
}

const path = (ns: string, name: string): string => `namespaces/${ns}/services/${name}/sweep/state`;

export class FirestoreSweepStateStore implements SweepStateStore {
  constructor(private readonly db: Firestore) {}

  async get(namespace: string, name: string): Promise<SweepState | undefined> {
    const snap = await this.db.doc(path(namespace, name)).get();
    return snap.exists ? { ...EMPTY_STATE, ...(snap.data() as SweepState) } : undefined;
  }

  async update(namespace: string, name: string, next: (current: SweepState | undefined) => SweepState | undefined): Promise<void> {
    const ref = this.db.doc(path(namespace, name));
    await this.db.runTransaction(async (tx) => {
      const snap = await tx.get(ref);
      const value = next(snap.exists ? { ...EMPTY_STATE, ...(snap.data() as SweepState) } : undefined);
      if (value) tx.set(ref, JSON.parse(JSON.stringify(value)) as SweepState);
    });
  }

  async remove(namespace: string, name: string): Promise<void> {
    await this.db.doc(path(namespace, name)).delete();
  }
}

/** The same store in memory (unit tables, benchmarks). */
export class MemorySweepStateStore implements SweepStateStore {
  readonly docs = new Map<string, string>();
  writes = 0;

  async get(namespace: string, name: string): Promise<SweepState | undefined> {
    const v = this.docs.get(namespacedKey(namespace, name));
    return v ? (JSON.parse(v) as SweepState) : undefined;
  }

  async update(namespace: string, name: string, next: (current: SweepState | undefined) => SweepState | undefined): Promise<void> {
    const value = next(await this.get(namespace, name));
    if (!value) return;
    this.writes++;
    this.docs.set(namespacedKey(namespace, name), JSON.stringify(value));
  }

  async remove(namespace: string, name: string): Promise<void> {
    this.writes++;
    this.docs.delete(namespacedKey(namespace, name));
  }
}

export function appendHistory(history: readonly HistoryEntry[], entries: readonly HistoryEntry[]): HistoryEntry[] {
  return [...history, ...entries].slice(-HISTORY_LIMIT);
}
