/**
 * Per-kind write rules (Kubernetes calls these "strategies"): validation, defaults, what a write
 * may change, and what a reader sees. Secret data is sealed here and never leaves in plain text.
 */
import { KeyEncryptionKey, SealedData, seal } from '../crypto/envelope';
import { StatusCause, errors } from '../k8s/status';
import { CREDENTIALS_NAMESPACE, Cluster, validateCluster } from '../model/cluster';
import { KubeObject } from '../model/meta';
import { AddressGuard } from '../net/address-guard';
import { Secret, redactSecret, secretAtRest, validateSecret, withoutDataValues } from '../model/secret';
import { Service, defaultService, dropTypeDependentFields, validateService } from '../model/service';
import { StoredRecord } from '../store/port';
import { DEFAULT_EVENT_TTL_SECONDS } from '../recorder/recorder';
import { eventStrategies } from './events-strategy';
import { ResourceType, clusters, secrets, services } from './resources';

export interface Prepared<T extends KubeObject> {
  readonly object: T;
  readonly internal?: Record<string, unknown>;
}

export interface Strategy<T extends KubeObject = KubeObject> {
  readonly type: ResourceType<T>;
  /** Validates and defaults a user-supplied object; `old` is the stored record on update. */
  prepare(obj: T, old: StoredRecord<T> | undefined): Promise<Prepared<T>>;
  /** What readers see (status merged in, secrets redacted). */
  present?(rec: StoredRecord<T>): Promise<T>;
  /** Whether readers see a stored object at all (expired Events are hidden until deleted). */
  visible?(stored: T, now: Date): boolean;
}

function invalid(type: { resource: string; group: string; kind: string }, name: string | undefined, causes: readonly StatusCause[]): never {
  throw errors.invalid({ resource: type.resource, group: type.group, kind: type.kind, name: name ?? '' }, causes);
}

export interface StrategyOptions {
  readonly kek: KeyEncryptionKey;
  readonly allowInsecureLoopbackMembers: boolean;
  readonly dialGuard: AddressGuard;
  /** Merges derived status (per-cluster shards) into a federated Service for readers. */
  readonly presentService?: (rec: StoredRecord<Service>) => Promise<Service>;
  /** Retention of Events (default shared/recorder/recorder.ts). */
  readonly eventTtlSeconds?: number;
}

/** Associated data binding sealed Secret data to its identity. */
export function secretAad(namespace: string, name: string): string {
  return `secrets/${namespace}/${name}`;
}

/** Keyed by resource, plus `<resource>.<group>` for a second group serving the same resource (events.events.k8s.io). */
export function strategies(opts: StrategyOptions): Map<string, Strategy> {
  const cluster: Strategy<Cluster> = {
    type: clusters,
    async prepare(obj, old) {
      const errs = validateCluster(obj, { allowInsecureLoopback: opts.allowInsecureLoopbackMembers, guard: opts.dialGuard });
      if (!errs.empty) invalid(clusters, obj.metadata.name, errs.causes);
      if (obj.spec.secretRef) obj.spec.secretRef.namespace ??= CREDENTIALS_NAMESPACE;
      const object = { ...obj };
      if (old?.object.status) object.status = old.object.status;
      else delete object.status;
      return { object };
    },
  };

  const service: Strategy<Service> = {
    type: services,
    async prepare(obj, old) {
      if (old && obj.spec) dropTypeDependentFields(obj, old.object);
      const errs = validateService(obj);
      if (!errs.empty) invalid(services, obj.metadata.name, errs.causes);
      const object = defaultService(obj);
      if (old?.object.status) object.status = old.object.status;
      else object.status = { loadBalancer: {} };
      return { object };
    },
    ...(opts.presentService ? { present: opts.presentService } : {}),
  };

  const secret: Strategy<Secret> = {
    type: secrets,
    async prepare(obj, old) {
      const { errs, data } = validateSecret(obj);
      if (!errs.empty) invalid(secrets, obj.metadata.name, errs.causes);
      const carriesData = obj.data !== undefined || obj.stringData !== undefined;
      if (old?.object.immutable && (carriesData || obj.immutable === false)) {
        invalid(secrets, obj.metadata.name, [
          { reason: 'FieldValueForbidden', field: 'data', message: 'Forbidden: field is immutable when `immutable` is set' },
        ]);
      }
      obj.type ??= 'Opaque';
      if (old && old.object.type !== obj.type) {
        invalid(secrets, obj.metadata.name, [{ reason: 'FieldValueInvalid', field: 'type', message: 'Invalid value: field is immutable' }]);
      }
      if (!carriesData && old) {
        // Data is write-only and never read back, so a read-modify-write (label, annotate, edit) that
        // carries no data keeps the sealed data it had. Send `data: {}` to clear it.
        const keysAnnotation = old.object.metadata.annotations?.['skyfed.io/data-keys'];
        const object: Secret = withoutDataValues({
          ...obj,
          metadata: {
            ...obj.metadata,
            annotations: { ...(obj.metadata.annotations ?? {}), ...(keysAnnotation !== undefined ? { 'skyfed.io/data-keys': keysAnnotation } : {}) },
          },
        });
        return old.internal ? { object, internal: { ...old.internal } } : { object };
      }
      const sealed: SealedData = await seal(opts.kek, data, secretAad(obj.metadata.namespace ?? '', obj.metadata.name ?? ''));
      return { object: redactSecret(obj, data), internal: { sealed } };
    },
    // Records written before values were redacted at rest still read without them.
    async present(rec) {
      return secretAtRest(rec).object;
    },
  };

  const events = eventStrategies(opts.eventTtlSeconds ?? DEFAULT_EVENT_TTL_SECONDS);
  return new Map<string, Strategy>([
    ['clusters', cluster as unknown as Strategy],
    ['services', service as unknown as Strategy],
    ['secrets', secret as unknown as Strategy],
    ['events', events.core],
    ['events.events.k8s.io', events.eventsV1],
  ]);
}
