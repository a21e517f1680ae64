/**
 * The sweep's last step: what each Service shows (store/sweep-state.ts), written only when it
 * changed. The digest of each Service's view is kept in a sharded map, so a steady sweep reads a
 * fixed number of documents and writes none; a changed view is written in a transaction that
 * appends to its history, and a Service that is gone and owns no DNS set any more is forgotten.
 */
import { createHash } from 'node:crypto';
import pLimit from 'p-limit';
import { normalizedKey } from '../dns/records';
import { RecordSet } from '../dns/types';
import type { PodAnswer } from '../incluster/plan';
import { splitKey } from '../model/meta';
import { Service } from '../model/service';
import { federatedKey } from '../propagation/member';
import { EventRecorder } from '../recorder/recorder';
import { dnsConflict, dnsPublished } from '../recorder/occurrences';
import { HealthState } from '../store/shards';
import { ShardedMap } from '../store/sharded-map';
import { ClusterHealth } from '../store/sweep-health';
import { HistoryEntry, SweepState, SweepStateStore, appendHistory } from '../store/sweep-state';
import { Published } from './publish';

export interface PresentDeps {
  readonly presentation: SweepStateStore;
  readonly digests: ShardedMap;
  readonly events?: EventRecorder;
}

/** A Service's view without its history and time of last DNS change (those follow from changes). */
export type View = Omit<SweepState, 'history' | 'lastDnsChange'>;

export function viewOf(key: string, health: ReadonlyMap<string, ClusterHealth>, published: Published): View {
  const shards: Record<string, HealthState> = {};
  const podAnswers: Record<string, PodAnswer> = {};
  // Clusters in name order, so equal views serialize equally whatever order the probes finished in.
  for (const cluster of [...health.keys()].sort()) {
    const e = health.get(cluster)?.[key];
    if (!e) continue;
    const { podAnswer, ...h } = e;
    shards[cluster] = h;
    if (podAnswer) podAnswers[cluster] = podAnswer;
  }
  const sets = published.desired.get(key) ?? [];
  const warnings = [...(published.warnings.get(key) ?? []), ...(published.blocked.get(key) ?? [])];
  const names = published.names.get(key);
  return {
    health: shards,
    published: sets.filter((r) => !published.blockedKeys.has(normalizedKey(r))),
    ...(names ? { names } : {}),
    ...(warnings.length ? { warnings } : {}),
    ...(Object.keys(podAnswers).length ? { podAnswers } : {}),
  };
}

// Views are built in a fixed key order (viewOf, thresholds.ts, desired.ts), so their JSON is canonical as is.
const digestOf = (v: View): string => createHash('sha256').update(JSON.stringify(v)).digest('base64url').slice(0, 22);

function describeSets(sets: readonly RecordSet[]): string {
  if (sets.length === 0) return 'nothing (all records removed)';
  return sets.map((s) => `${s.name} ${s.type} ${s.rrdatas.join(',')}`).join('; ');
}

/**
 * Writes the views that changed and forgets Services that are gone; returns the documents written.
 * `transitions` holds this sweep's health history entries by Service.
 */
export async function presentAll(
  deps: PresentDeps,
  services: readonly Service[],
  previousDigests: ReadonlyMap<string, string>,
  health: ReadonlyMap<string, ClusterHealth>,
  published: Published,
  transitions: ReadonlyMap<string, readonly HistoryEntry[]>,
  now: string,
): Promise<number> {
  const digests = new Map<string, string>();
  const limit = pLimit(32);
  let writes = 0;
  const owning = new Set(published.owners.values());
  // Record keys each Service owns or wants, and those this sweep changed, indexed once.
  const keysOf = new Map<string, Set<string>>();
  const add = (owner: string, k: string): void => {
    keysOf.set(owner, (keysOf.get(owner) ?? new Set()).add(k));
  };
  for (const [k, owner] of published.owners) add(owner, k);
  for (const [owner, sets] of published.desired) for (const r of sets) add(owner, normalizedKey(r));
  const work: Promise<void>[] = [];
  for (const s of services) {
    const key = federatedKey(s);
    const view = viewOf(key, health, published);
    const digest = digestOf(view);
    digests.set(key, digest);
    const mine = keysOf.get(key) ?? new Set<string>();
    const dnsChanged = published.changed.size > 0 && [...mine].some((k) => published.changed.has(k));
    if (digest === previousDigests.get(key) && !dnsChanged && !transitions.get(key)?.length) continue;
    work.push(
      limit(async () => {
        let before: SweepState | undefined;
        await deps.presentation.update(s.metadata.namespace as string, s.metadata.name as string, (current) => {
          before = current;
          const entries = [
            ...(transitions.get(key) ?? []),
            ...(dnsChanged ? [{ at: now, kind: 'dns' as const, message: `published ${describeSets(view.published)}` }] : []),
          ];
          const last = dnsChanged ? now : current?.lastDnsChange;
          return { ...view, history: appendHistory(current?.history ?? [], entries), ...(last ? { lastDnsChange: last } : {}) };
        });
        writes++;
        // Conflicts stay in the view's warnings, so each is recorded as an Event once, when it appears.
        for (const m of published.blocked.get(key) ?? []) if (!(before?.warnings ?? []).includes(m)) deps.events?.record(dnsConflict(s, m));
        if (dnsChanged) deps.events?.record(dnsPublished(s, view.published));
      }),
    );
  }
  // Services gone: their view goes once they own nothing in the zone.
  for (const key of previousDigests.keys()) {
    if (digests.has(key)) continue;
    if (owning.has(key)) {
      digests.set(key, previousDigests.get(key) as string);
      continue;
    }
    const [ns, name] = splitKey(key);
    work.push(
      limit(async () => {
        await deps.presentation.remove(ns, name);
        writes++;
      }),
    );
  }
  await Promise.all(work);
  writes += await deps.digests.replace(digests, previousDigests);
  return writes;
}
