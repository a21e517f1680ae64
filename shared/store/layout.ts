/**
 * Firestore document layout. Eventarc triggers match these paths (functions/targets.ts):
 *   clusters/{cluster}                                   federation/v1beta1 Cluster
 *   namespaces/{namespace}/services/{service}            federated Service (spec; status is derived)
 *   namespaces/{namespace}/services/{service}/shards/{cluster}   per-cluster shard state (not a trigger path)
 *   namespaces/{namespace}/secrets/{secret}              Secret, data sealed
 *   namespaces/{namespace}/events/{event}                core v1 Event (shared/recorder/event.ts; not a trigger path)
 * Names are validated (RFC 1123/1035) before they reach a path, so no segment can contain '/' or be '..'.
 */
export type ResourceName = 'clusters' | 'services' | 'secrets' | 'events';

export interface ObjectKey {
  readonly namespace?: string;
  readonly name: string;
}

export function collectionPath(resource: ResourceName, namespace?: string): string {
  if (resource === 'clusters') return 'clusters';
  if (!namespace) throw new Error(`${resource} are namespaced`);
  return `namespaces/${namespace}/${resource}`;
}

export function documentPath(resource: ResourceName, key: ObjectKey): string {
  return `${collectionPath(resource, key.namespace)}/${key.name}`;
}

export function shardCollectionPath(namespace: string, service: string): string {
  return `namespaces/${namespace}/services/${service}/shards`;
}

/** Parses a document path from an event subject back to resource + key. */
export function parseDocumentPath(path: string): { resource: ResourceName; key: ObjectKey } | undefined {
  const p = path.replace(/^.*\/documents\//, '').split('/');
  if (p.length === 2 && p[0] === 'clusters') return { resource: 'clusters', key: { name: p[1] as string } };
  if (p.length === 4 && p[0] === 'namespaces' && (p[2] === 'services' || p[2] === 'secrets')) {
    return { resource: p[2], key: { namespace: p[1] as string, name: p[3] as string } };
  }
  return undefined;
}
