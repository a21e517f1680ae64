/**
 * Kubernetes `Status` errors. Every API failure is one of these classes; callers branch on the
 * class (or `reason`), never on message text. `toStatus()` renders the wire object.
 */
import { SkyfedError } from '../errors';

export type StatusReason =
  | 'BadRequest'
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Invalid'
  | 'MethodNotAllowed'
  | 'NotAcceptable'
  | 'UnsupportedMediaType'
  | 'RequestEntityTooLarge'
  | 'InternalError'
  | 'ServiceUnavailable'
  | 'Timeout'
  | 'Gone'
  | 'TooManyRequests'
  | 'Expired';

export interface StatusCause {
  readonly reason: string;
  readonly message: string;
  readonly field?: string;
}

export interface StatusDetails {
  readonly name?: string;
  readonly group?: string;
  readonly kind?: string;
  readonly causes?: readonly StatusCause[];
  /** Sent as the Retry-After header too (429, 503, 504). */
  readonly retryAfterSeconds?: number;
}

export interface StatusObject {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: StatusReason;
  details?: StatusDetails;
  code: number;
}

export class ApiError extends SkyfedError<StatusReason> {
  override readonly name: string = 'ApiError';
  constructor(
    readonly code: number,
    reason: StatusReason,
    message: string,
    readonly details?: StatusDetails,
    options?: { cause?: unknown },
  ) {
    super(reason, message, options);
  }

  toStatus(): StatusObject {
    const s: StatusObject = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      code: this.code,
    };
    if (this.details) s.details = this.details;
    return s;
  }
}

/** A resource reference used in messages, e.g. `services "nginx"` or `clusters.federation "a"`. */
export interface ResourceRef {
  readonly resource: string; // plural, e.g. "services"
  readonly group: string; // "" for core
  readonly kind: string;
  readonly name: string;
}

function qualified(ref: ResourceRef): string {
  return ref.group ? `${ref.resource}.${ref.group}` : ref.resource;
}

export const errors = {
  badRequest: (message: string) => new ApiError(400, 'BadRequest', message),
  unauthorized: () => new ApiError(401, 'Unauthorized', 'Unauthorized'),
  forbidden: (message: string) => new ApiError(403, 'Forbidden', message),
  notFound: (ref: ResourceRef) =>
    new ApiError(404, 'NotFound', `${qualified(ref)} "${ref.name}" not found`, { name: ref.name, group: ref.group, kind: ref.resource }),
  pathNotFound: (path: string) => new ApiError(404, 'NotFound', `the server could not find the requested resource (${path})`),
  alreadyExists: (ref: ResourceRef) =>
    new ApiError(409, 'AlreadyExists', `${qualified(ref)} "${ref.name}" already exists`, { name: ref.name, group: ref.group, kind: ref.resource }),
  conflict: (ref: ResourceRef, why: string) =>
    new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(ref)} "${ref.name}": ${why}`, {
      name: ref.name,
      group: ref.group,
      kind: ref.resource,
    }),
  invalid: (ref: ResourceRef, causes: readonly StatusCause[]) =>
    new ApiError(422, 'Invalid', `${ref.kind} "${ref.name}" is invalid: ${causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message)).join(', ')}`, {
      name: ref.name,
      group: ref.group,
      kind: ref.kind,
      causes,
    }),
  methodNotAllowed: (method: string) => new ApiError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource (${method})`),
  notAcceptable: (what: string) => new ApiError(406, 'NotAcceptable', what),
  unsupportedMediaType: (
    type: string,
    accepted: readonly string[] = ['application/json', 'application/yaml', 'application/apply-patch+yaml', 'application/merge-patch+json'],
  ) =>
    new ApiError(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')} (got "${type}")`,
    ),
  tooLarge: (limit: number) => new ApiError(413, 'RequestEntityTooLarge', `the request body is larger than the limit of ${limit} bytes`),
  tooManyRequests: (message: string, retryAfterSeconds: number) => new ApiError(429, 'TooManyRequests', message, { retryAfterSeconds }),
  unavailable: (message: string, retryAfterSeconds: number) => new ApiError(503, 'ServiceUnavailable', message, { retryAfterSeconds }),
  timeout: (message: string, retryAfterSeconds: number) => new ApiError(504, 'Timeout', message, { retryAfterSeconds }),
  internal: (message: string, cause?: unknown) => new ApiError(500, 'InternalError', message, undefined, { cause }),
};

export function successStatus(ref: ResourceRef, uid?: string): Record<string, unknown> {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    details: { name: ref.name, group: ref.group, kind: ref.resource, ...(uid ? { uid } : {}) },
  };
}
