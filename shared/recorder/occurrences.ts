/**
 * The Events skyfed records, in the words a user reads in `kubectl describe`: what propagation did
 * in each cluster, shard health changes and why, DNS answers published, and conflicts with objects
 * skyfed does not own. Callers record these on changes only, so a steady pass records nothing.
 */
import { RecordSet } from '../dns/types';
import { Cluster, clusterStatusWord } from '../model/cluster';
import { KubeObject } from '../model/meta';
import { Occurrence, clusterRef, serviceRef } from './event';

type Op = 'create' | 'update' | 'delete' | 'release';

/** A member write that succeeded. */
export function propagated(service: KubeObject, cluster: string, op: Op): Occurrence {
  const regarding = serviceRef(service);
  switch (op) {
    case 'create':
      return { regarding, type: 'Normal', reason: 'Propagated', action: 'Create', message: `Created the Service in cluster ${cluster}` };
    case 'update':
      return { regarding, type: 'Normal', reason: 'Propagated', action: 'Update', message: `Updated the Service in cluster ${cluster}` };
    case 'delete':
      return { regarding, type: 'Normal', reason: 'Removed', action: 'Delete', message: `Deleted the Service from cluster ${cluster}` };
    case 'release':
      return {
        regarding,
        type: 'Normal',
        reason: 'Released',
        action: 'Update',
        message: `Released the Service in cluster ${cluster} (left in place, no longer managed)`,
      };
  }
}

interface ShardOutcome {
  readonly error?: string;
  readonly conflict?: string;
}

/**
 * A shard's propagation problem, when it is new or changed since the shard was last recorded
 * (a failure that persists across passes is recorded once).
 */
export function propagationProblem(service: KubeObject, cluster: string, before: ShardOutcome | undefined, after: ShardOutcome): Occurrence | undefined {
  const regarding = serviceRef(service);
  if (after.conflict && after.conflict !== before?.conflict) {
    return { regarding, type: 'Warning', reason: 'Conflict', action: 'Propagate', message: `Cluster ${cluster}: ${after.conflict}` };
  }
  if (after.error && after.error !== before?.error) {
    return { regarding, type: 'Warning', reason: 'PropagationFailed', action: 'Propagate', message: `Cluster ${cluster}: ${after.error}` };
  }
  return undefined;
}

/** A cluster's status word changed (Ready, NotReady, Offline), with the condition's message as the why. */
export function clusterStatusChanged(before: Cluster, after: Cluster): Occurrence | undefined {
  const was = clusterStatusWord(before);
  const now = clusterStatusWord(after);
  if (was === now || now === 'Unknown') return undefined;
  const type = now === 'Offline' ? 'Offline' : 'Ready';
  const why = after.status?.conditions?.find((c) => c.type === type)?.message ?? '';
  const reason = now === 'Ready' ? 'ClusterReady' : now === 'Offline' ? 'ClusterOffline' : 'ClusterNotReady';
  return {
    regarding: clusterRef(after),
    type: now === 'Ready' ? 'Normal' : 'Warning',
    reason,
    action: 'Probe',
    message: `Cluster is ${now}${why ? `: ${why}` : ''}`,
  };
}

export function shardHealth(service: KubeObject, cluster: string, healthy: boolean, why: string): Occurrence {
  return healthy
    ? { regarding: serviceRef(service), type: 'Normal', reason: 'ShardHealthy', action: 'Probe', message: `Shard in cluster ${cluster} is healthy: ${why}` }
    : {
        regarding: serviceRef(service),
        type: 'Warning',
        reason: 'ShardUnhealthy',
        action: 'Probe',
        message: `Shard in cluster ${cluster} is unhealthy: ${why}`,
      };
}

export function dnsPublished(service: KubeObject, sets: readonly RecordSet[]): Occurrence {
  const what = sets.length === 0 ? 'removed all its DNS records' : `published ${sets.map((s) => `${s.name} ${s.type} ${s.rrdatas.join(',')}`).join('; ')}`;
  return { regarding: serviceRef(service), type: 'Normal', reason: 'DNSPublished', action: 'Publish', message: what.charAt(0).toUpperCase() + what.slice(1) };
}

export function dnsConflict(service: KubeObject, message: string): Occurrence {
  return { regarding: serviceRef(service), type: 'Warning', reason: 'DNSConflict', action: 'Publish', message };
}
