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
