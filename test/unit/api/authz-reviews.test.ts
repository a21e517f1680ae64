import { authorize } from '../../../shared/api/auth';
import { accessReview, allows, rulesReview, whoAmI } from '../../../shared/api/authz-reviews';
import { ApiError } from '../../../shared/k8s/status';

const admin = { user: 'alice', role: 'admin' as const };
const view = { user: 'victor', role: 'view' as const };

describe("SelfSubjectAccessReview answers from the caller's role", () => {
  test.each([
    [admin, { verb: 'create', resource: 'services', namespace: 'shop' }, true],
    [admin, { verb: 'delete', group: 'federation', resource: 'clusters' }, true],
    [admin, { verb: 'create', resource: 'pods' }, true], // admin is RBAC's "*" on everything
    [view, { verb: 'get', resource: 'services', namespace: 'shop' }, true],
    [view, { verb: 'list', group: 'events.k8s.io', resource: 'events' }, true],
    [view, { verb: 'watch', group: 'federation', resource: 'clusters' }, true],
    [view, { verb: 'create', resource: 'services' }, false],
    [view, { verb: 'patch', group: 'federation', resource: 'clusters', name: 'east' }, false],
    [view, { verb: 'delete', resource: 'secrets' }, false],
    [view, { verb: '*', resource: 'services' }, false],
    [view, { verb: 'create', group: 'authorization.k8s.io', resource: 'selfsubjectaccessreviews' }, true],
    [view, { verb: 'create', group: 'authentication.k8s.io', resource: 'selfsubjectreviews' }, true],
    [view, { verb: 'update', resource: 'services', subresource: 'status' }, false],
  ])('%o may %o: %s', (caller, attrs, allowed) => {
    const answer = accessReview(caller, { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: attrs } });
    expect(answer['status']).toEqual(allowed ? { allowed: true, reason: `skyfed: allowed by role "${caller.role}"` } : { allowed: false });
    expect(answer['spec']).toEqual({ resourceAttributes: attrs });
  });

  test.each([
    [view, 'get', '/version', true],
    [view, 'post', '/api/v1/namespaces/x/services', false],
    [admin, 'post', '/anything', true],
  ])('non-resource: %o %s %s → %s', (caller, verb, path, allowed) => {
    expect(allows(caller.role, { nonResource: { verb, path } })).toBe(allowed);
  });

  test.each([
    ['both attributes', { resourceAttributes: { verb: 'get' }, nonResourceAttributes: { path: '/', verb: 'get' } }],
    ['neither', {}],
  ])('%s → 422 Invalid', (_w, spec) => {
    try {
      accessReview(admin, { kind: 'SelfSubjectAccessReview', spec });
      throw new Error('accepted');
    } catch (e) {
      expect(e).toBeInstanceOf(ApiError);
      expect((e as ApiError).code).toBe(422);
    }
  });

  test('a body of another kind is a 400', () => {
    expect(() => accessReview(admin, { kind: 'Service', spec: {} })).toThrow(/does not match the expected kind/);
  });
});

describe('the review answers and the per-request check agree', () => {
  // (method, path) as the router sees them, and the RBAC attributes kube-apiserver derives from them.
  const requests: [string, string, { verb: string; group?: string; resource: string }][] = [
    ['GET', '/api/v1/namespaces/shop/services', { verb: 'list', resource: 'services' }],
    ['POST', '/api/v1/namespaces/shop/services', { verb: 'create', resource: 'services' }],
    ['PATCH', '/apis/federation/v1beta1/clusters/east', { verb: 'patch', group: 'federation', resource: 'clusters' }],
    ['DELETE', '/api/v1/namespaces/federation-system/secrets/x', { verb: 'delete', resource: 'secrets' }],
    ['PUT', '/apis/events.k8s.io/v1/namespaces/shop/events/x', { verb: 'update', group: 'events.k8s.io', resource: 'events' }],
    ['POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', { verb: 'create', group: 'authorization.k8s.io', resource: 'selfsubjectaccessreviews' }],
    ['POST', '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews', { verb: 'create', group: 'authorization.k8s.io', resource: 'selfsubjectrulesreviews' }],
    ['POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', { verb: 'create', group: 'authentication.k8s.io', resource: 'selfsubjectreviews' }],
    ['POST', '/apis/authentication.k8s.io/v1beta1/selfsubjectreviews', { verb: 'create', group: 'authentication.k8s.io', resource: 'selfsubjectreviews' }],
  ];
  test.each(requests.flatMap(([m, p, a]) => [admin, view].map((c) => [c.role, m, p, a, c] as const)))('%s %s %s', (_r, method, path, attrs, caller) => {
    let passed = true;
    try {
      authorize(caller, method, path);
    } catch {
      passed = false;
    }
    expect(allows(caller.role, { resource: attrs })).toBe(passed);
  });
});

describe('SelfSubjectRulesReview and SelfSubjectReview', () => {
  test('admin has "*" on everything; view reads and may ask', () => {
    expect(rulesReview(admin, { spec: { namespace: 'default' } })['status']).toEqual({
      resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }],
      nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
      incomplete: false,
    });
    const v = rulesReview(view, {})['status'] as { resourceRules: { verbs: string[] }[] };
    expect(v.resourceRules.map((r) => r.verbs)).toEqual([['create'], ['create'], ['get', 'list', 'watch']]);
  });

  test("whoami names the user and the role's group, in the version asked", () => {
    const now = new Date('2026-12-01T10:00:00Z');
    for (const v of ['authentication.k8s.io/v1', 'authentication.k8s.io/v1beta1']) {
      expect(whoAmI(view, { apiVersion: v, kind: 'SelfSubjectReview' }, v, now)).toEqual({
        kind: 'SelfSubjectReview',
        apiVersion: v,
        metadata: { creationTimestamp: '2026-12-01T10:00:00Z' },
        status: { userInfo: { username: 'victor', groups: ['skyfed:view', 'system:authenticated'] } },
      });
    }
  });
});
