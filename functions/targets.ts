/**
 * The deployable function targets. This manifest is the single list that
 * functions/index.ts registers with functions-framework, the local stack serves, and
 * terraform/ must mirror (test/unit/terraform.test.ts fails when they drift).
 */
export type TargetKind = 'http' | 'firestore';

export interface HttpTarget {
  readonly name: string;
  readonly kind: 'http';
  /** Callable from outside the project (only the API is). */
  readonly public: boolean;
  /** Called by Cloud Scheduler on this cron schedule, if any (default schedule; Terraform may override). */
  readonly scheduled: boolean;
}

export interface FirestoreTarget {
  readonly name: string;
  readonly kind: 'firestore';
  /** Eventarc `document` path pattern, matching the store's layout (shared/store/layout.ts). */
  readonly document: string;
  readonly eventType: 'google.cloud.firestore.document.v1.written';
}

export type Target = HttpTarget | FirestoreTarget;

const WRITTEN = 'google.cloud.firestore.document.v1.written' as const;

export const TARGETS: readonly Target[] = [
  { name: 'api', kind: 'http', public: true, scheduled: false },
  { name: 'reconcile', kind: 'http', public: false, scheduled: true },
  { name: 'healthSweep', kind: 'http', public: false, scheduled: true },
  { name: 'onServiceWritten', kind: 'firestore', document: 'namespaces/{namespace}/services/{service}', eventType: WRITTEN },
  { name: 'onClusterWritten', kind: 'firestore', document: 'clusters/{cluster}', eventType: WRITTEN },
  { name: 'onSecretWritten', kind: 'firestore', document: 'namespaces/{namespace}/secrets/{secret}', eventType: WRITTEN },
];
