/**
 * "What may I do, and who am I?" answered from skyfed's own roles (shared/api/auth.ts): admin may
 * do everything; view may get, list and watch, and ask these questions. Served as kube-apiserver
 * serves them: SelfSubjectAccessReview and SelfSubjectRulesReview (authorization.k8s.io/v1,
 * `kubectl auth can-i [--list]`) and SelfSubjectReview (authentication.k8s.io/v1 and v1beta1,
 * `kubectl auth whoami`). Every caller that authenticated may create them; nothing is stored.
 */
import express, { Request, Response } from 'express';
import { ApiError, StatusCause, errors } from '../k8s/status';
import type { Caller, Role } from './auth';
import { pickFormat, readObjectBody } from './negotiate';
import { PROTOBUF_MEDIA_TYPE, encodeObject } from './protobuf/codec';
import { rfc3339 } from '../util/time';

export interface ResourceRule {
  readonly verbs: readonly string[];
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly resourceNames?: readonly string[];
}
export interface NonResourceRule {
  readonly verbs: readonly string[];
  readonly nonResourceURLs: readonly string[];
}

const SELF_REVIEW_RULES: readonly ResourceRule[] = [
  { verbs: ['create'], apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'] },
  { verbs: ['create'], apiGroups: ['authentication.k8s.io'], resources: ['selfsubjectreviews'] },
];

/** Each role's rules, in RBAC's words (the same decisions `authorize` makes per request). */
export const ROLE_RULES: Readonly<Record<Role, { resource: readonly ResourceRule[]; nonResource: readonly NonResourceRule[] }>> = {
  admin: {
    resource: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }],
    nonResource: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
  },
  view: {
    resource: [...SELF_REVIEW_RULES, { verbs: ['get', 'list', 'watch'], apiGroups: ['*'], resources: ['*'] }],
    nonResource: [{ verbs: ['get'], nonResourceURLs: ['*'] }],
  },
};

export interface ResourceAttributes {
  namespace?: string;
  verb?: string;
  group?: string;
  version?: string;
  resource?: string;
  subresource?: string;
  name?: string;
}
export interface NonResourceAttributes {
  path?: string;
  verb?: string;
}

const has = (list: readonly string[], v: string): boolean => list.includes('*') || list.includes(v);
const urlMatches = (patterns: readonly string[], path: string): boolean =>
  patterns.some((p) => p === '*' || p === path || (p.endsWith('*') && path.startsWith(p.slice(0, -1))));

/** RBAC's rule match: verb, group, resource (`resource/subresource` when asked for one) and name. */
export function allows(role: Role, attrs: { resource?: ResourceAttributes; nonResource?: NonResourceAttributes }): boolean {
  const rules = ROLE_RULES[role];
  if (attrs.nonResource) {
    const { path = '', verb = '' } = attrs.nonResource;
    return rules.nonResource.some((r) => has(r.verbs, verb) && urlMatches(r.nonResourceURLs, path));
  }
  const a = attrs.resource ?? {};
  const resource = a.subresource ? `${a.resource ?? ''}/${a.subresource}` : (a.resource ?? '');
  return rules.resource.some(
    (r) =>
      has(r.verbs, a.verb ?? '') &&
      has(r.apiGroups, a.group ?? '') &&
      has(r.resources, resource) &&
      (!r.resourceNames?.length || (a.name !== undefined && r.resourceNames.includes(a.name))),
  );
}

type Body = Record<string, unknown>;

function checkKind(body: unknown, apiVersions: readonly string[], kind: string): Body {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw errors.badRequest(`a ${kind} must be a JSON object`);
  const b = body as Body;
  if (b['kind'] !== undefined && b['kind'] !== kind)
    throw errors.badRequest(`the kind in the data (${String(b['kind'])}) does not match the expected kind (${kind})`);
  if (b['apiVersion'] !== undefined && !apiVersions.includes(String(b['apiVersion']))) {
    throw errors.badRequest(`the API version in the data (${String(b['apiVersion'])}) does not match the expected API version (${apiVersions[0] ?? ''})`);
  }
  return b;
}

const invalid = (kind: string, causes: StatusCause[]): ApiError => errors.invalid({ resource: '', group: '', kind, name: '' }, causes);

export function accessReview(caller: Caller, body: unknown): Body {
  const b = checkKind(body, ['authorization.k8s.io/v1'], 'SelfSubjectAccessReview');
  const spec = (b['spec'] ?? {}) as { resourceAttributes?: ResourceAttributes; nonResourceAttributes?: NonResourceAttributes };
  const r = spec.resourceAttributes;
  const n = spec.nonResourceAttributes;
  if (r && n)
    throw invalid('SelfSubjectAccessReview', [
      {
        reason: 'FieldValueInvalid',
        field: 'spec.resourceAttributes',
        message: 'Invalid value: "": resourceAttributes and nonResourceAttributes cannot be set together',
      },
    ]);
  if (!r && !n)
    throw invalid('SelfSubjectAccessReview', [
      {
        reason: 'FieldValueRequired',
        field: 'spec.resourceAttributes',
        message: 'Required value: exactly one of nonResourceAttributes or resourceAttributes must be specified',
      },
    ]);
  const allowed = allows(caller.role, r ? { resource: r } : { nonResource: n as NonResourceAttributes });
  return {
    kind: 'SelfSubjectAccessReview',
    apiVersion: 'authorization.k8s.io/v1',
    metadata: { creationTimestamp: null },
    spec,
    // A denial carries no reason, as RBAC gives none (so `kubectl auth can-i` prints a bare "no").
    status: allowed ? { allowed: true, reason: `skyfed: allowed by role "${caller.role}"` } : { allowed: false },
  };
}

export function rulesReview(caller: Caller, body: unknown): Body {
  const b = checkKind(body, ['authorization.k8s.io/v1'], 'SelfSubjectRulesReview');
  const rules = ROLE_RULES[caller.role];
  return {
    kind: 'SelfSubjectRulesReview',
    apiVersion: 'authorization.k8s.io/v1',
    metadata: { creationTimestamp: null },
    spec: b['spec'] ?? {},
    status: { resourceRules: rules.resource, nonResourceRules: rules.nonResource, incomplete: false },
  };
}

export function whoAmI(caller: Caller, body: unknown, apiVersion: string, now: Date): Body {
  checkKind(body, [apiVersion], 'SelfSubjectReview');
  return {
    kind: 'SelfSubjectReview',
    apiVersion,
    metadata: { creationTimestamp: rfc3339(now) },
    status: { userInfo: { username: caller.user, groups: [`skyfed:${caller.role}`, 'system:authenticated'] } },
  };
}

/** Discovery entries: group → versions → resources (verbs: create only). */
export const REVIEW_RESOURCES: readonly { group: string; versions: readonly string[]; resource: string; kind: string }[] = [
  { group: 'authorization.k8s.io', versions: ['v1'], resource: 'selfsubjectaccessreviews', kind: 'SelfSubjectAccessReview' },
  { group: 'authorization.k8s.io', versions: ['v1'], resource: 'selfsubjectrulesreviews', kind: 'SelfSubjectRulesReview' },
  { group: 'authentication.k8s.io', versions: ['v1', 'v1beta1'], resource: 'selfsubjectreviews', kind: 'SelfSubjectReview' },
];

/** Paths any authenticated caller may POST to (auth.ts lets them through for every role). */
export const SELF_REVIEW_PATH =
  /^\/apis\/(authorization\.k8s\.io\/v1\/selfsubject(access|rules)reviews|authentication\.k8s\.io\/v1(beta1)?\/selfsubjectreviews)\/?$/;

export function selfReviewRoutes(clock: () => Date): express.Router {
  const router = express.Router({ strict: false });
  const serve =
    (answer: (caller: Caller, body: unknown) => Body) =>
    (req: Request, res: Response): void => {
      if (req.method !== 'POST') throw errors.methodNotAllowed(req.method);
      const caller = res.locals['caller'] as Caller | undefined;
      if (!caller) throw errors.unauthorized();
      // kubectl ≥ 1.33 sends these reviews as Kubernetes protobuf and accepts either answer.
      const { body } = readObjectBody((req as Request & { rawBody?: Buffer }).rawBody, req.get('content-type'), true);
      const out = answer(caller, body);
      const wire = pickFormat(req.get('accept'), true) === 'protobuf' ? encodeObject(out as never) : undefined;
      if (wire) res.status(201).type(PROTOBUF_MEDIA_TYPE).send(wire);
      else res.status(201).type('application/json').send(JSON.stringify(out));
    };
  router.all('/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', serve(accessReview));
  router.all('/apis/authorization.k8s.io/v1/selfsubjectrulesreviews', serve(rulesReview));
  for (const v of ['v1', 'v1beta1']) {
    router.all(
      `/apis/authentication.k8s.io/${v}/selfsubjectreviews`,
      serve((c, b) => whoAmI(c, b, `authentication.k8s.io/${v}`, clock())),
    );
  }
  return router;
}
