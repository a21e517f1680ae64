/** Kubernetes object metadata and the generic object shape every stored resource shares. */
export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  managedFields?: unknown[];
  ownerReferences?: unknown[];
  selfLink?: string;
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

/** Labels and annotations skyfed itself sets. */
export const SKYFED = {
  managedBy: 'app.kubernetes.io/managed-by',
  managedByValue: 'skyfed',
  federatedService: 'skyfed.io/federated-service',
  /** On a member Service: the uid of the federated Service it was made for (proof of ownership). */
  federatedUid: 'skyfed.io/federated-uid',
  adopt: 'skyfed.io/adopt',
  clusterSelector: 'federation.alpha.kubernetes.io/cluster-selector',
  serviceIngresses: 'federation.kubernetes.io/service-ingresses',
  dnsPolicy: 'skyfed.io/dns-all-down-policy',
  probePath: 'skyfed.io/probe-http-path',
  memberFinalizer: 'skyfed.io/member-cleanup',
  orphanFinalizer: 'orphan',
} as const;

/** `namespace/name`: how skyfed keys a namespaced object in maps, ledgers, catalogs and indexes. */
export function namespacedKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

/** The `namespace/name` key of an object. */
export function keyOf(o: { readonly metadata: { readonly namespace?: string; readonly name?: string } }): string {
  return namespacedKey(o.metadata.namespace ?? '', o.metadata.name ?? '');
}

/** A `namespace/name` key back to its parts (names never contain '/'). */
export function splitKey(key: string): [namespace: string, name: string] {
  const i = key.indexOf('/');
  return [key.slice(0, i), key.slice(i + 1)];
}
