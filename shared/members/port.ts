/** The port to one member cluster's API: just what propagation, health and the sweep use. */
import { MemberErrorReason, SkyfedError } from '../errors';
import type { Deployment } from '../incluster/coredns-mount';
import type { ConfigMap } from '../incluster/plan';
import { MemberService } from '../propagation/member';

export interface Topology {
  readonly zones: readonly string[];
  readonly region?: string;
}

export interface MemberClient {
  readonly cluster: string;
  listServices(labelSelector?: string): Promise<MemberService[]>;
  getService(namespace: string, name: string): Promise<MemberService | undefined>;
  createService(namespace: string, body: MemberService): Promise<MemberService>;
  replaceService(namespace: string, name: string, body: MemberService): Promise<MemberService>;
  deleteService(namespace: string, name: string, resourceVersion?: string): Promise<void>;
  createNamespace(namespace: string): Promise<void>;
  ready(): Promise<boolean>;
  version(): Promise<string>;
  topology(): Promise<Topology>;
  /** Ready endpoints behind a Service (EndpointSlices, falling back to Endpoints). */
  readyEndpoints(namespace: string, name: string): Promise<number>;
  /** Ready endpoints of every Service in the cluster, by `namespace/name`, from one list call. */
  readyEndpointsAll(): Promise<Map<string, number>>;
  /** In-cluster discovery (shared/incluster): the zone ConfigMap and the CoreDNS opt-in. */
  getConfigMap(namespace: string, name: string): Promise<ConfigMap | undefined>;
  createConfigMap(namespace: string, body: ConfigMap): Promise<ConfigMap>;
  /** Replaces with the body's resourceVersion as precondition (a stale one is a Conflict). */
  replaceConfigMap(namespace: string, name: string, body: ConfigMap): Promise<ConfigMap>;
  deleteConfigMap(namespace: string, name: string, resourceVersion?: string): Promise<void>;
  getDeployment(namespace: string, name: string): Promise<Deployment | undefined>;
  replaceDeployment(namespace: string, name: string, body: Deployment): Promise<Deployment>;
}

export type { MemberErrorReason };

/** A member call failed. `transient` errors are retried; the rest are reported as they are. */
export class MemberError extends SkyfedError<MemberErrorReason> {
  override readonly name = 'MemberError';
  constructor(
    readonly cluster: string,
    reason: MemberErrorReason,
    message: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(reason, message, options);
  }

  get transient(): boolean {
    // A time-out is not retried: a hanging cluster would cost one time-out per attempt.
    return this.reason === 'Unreachable' || this.reason === 'ServerError' || this.reason === 'Throttled';
  }
}

export function isTransientMemberError(e: unknown): boolean {
  return e instanceof MemberError && e.transient;
}
