/**
 * Who is calling the simulated member and what they may do, by Kubernetes' rules: the admin token
 * is `system:masters` (everything); a ServiceAccount token (from a token Secret whose ServiceAccount
 * exists) is `system:serviceaccount:<ns>:<name>` and may do what its RoleBindings and
 * ClusterRoleBindings grant. Discovery, /version and health are open to every authenticated user.
 * Denials are 403 Forbidden with kube-apiserver's message.
 */
import { KubeError, Obj } from './state';
import { KINDS, Kind, ObjectTable, decodeSegment } from './objects';

export interface Caller {
  readonly user: string;
  readonly groups: readonly string[];
  readonly serviceAccount?: { namespace: string; name: string };
}

/** What one request asks to do (kube-apiserver's request attributes). */
export interface RequestAttributes {
  readonly verb: string;
  readonly group: string;
  readonly resource: string;
  readonly subresource?: string;
  readonly namespace?: string;
  readonly name?: string;
  /** Set for non-resource paths (/version, /api, /readyz, …). */
  readonly path?: string;
}

const OPEN_PATHS = /^\/(version|readyz|healthz|livez|api|apis|openapi)(\/|$)/;

/** Parses a request into attributes; the verb follows the method and whether a name is present. */
export function attributesOf(method: string, url: URL): RequestAttributes {
  const p = url.pathname.split('/').filter(Boolean).map(decodeSegment);
  let group: string;
  let rest: string[];
  if (p[0] === 'api' && p[1] === 'v1' && p.length > 2) {
    group = '';
    rest = p.slice(2);
  } else if (p[0] === 'apis' && p.length > 3) {
    group = p[1] as string;
    rest = p.slice(3);
  } else return { verb: method.toLowerCase(), group: '', resource: '', path: url.pathname };
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length > 2) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [resource = '', name, subresource] = rest;
  if (resource === 'namespaces' && name) namespace = name;
  const watch = url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1';
  const verb =
    method === 'GET'
      ? name
        ? 'get'
        : watch
          ? 'watch'
          : 'list'
      : method === 'POST'
        ? 'create'
        : method === 'PUT'
          ? 'update'
          : method === 'PATCH'
            ? 'patch'
            : method === 'DELETE'
              ? name
                ? 'delete'
                : 'deletecollection'
              : method.toLowerCase();
  return { verb, group, resource, ...(subresource ? { subresource } : {}), ...(namespace ? { namespace } : {}), ...(name ? { name } : {}) };
}

export function authenticate(token: string | undefined, adminToken: string, objects: ObjectTable): Caller | undefined {
  if (!token) return undefined;
  if (token === adminToken) return { user: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] };
  const sa = objects.serviceAccountFor(token);
  if (!sa) return undefined;
  return {
    user: `system:serviceaccount:${sa.namespace}:${sa.name}`,
    groups: ['system:serviceaccounts', `system:serviceaccounts:${sa.namespace}`, 'system:authenticated'],
    serviceAccount: sa,
  };
}

type Rule = { verbs?: string[]; apiGroups?: string[]; resources?: string[]; resourceNames?: string[]; nonResourceURLs?: string[] };
type Subject = { kind?: string; name?: string; namespace?: string };

const has = (list: readonly string[] | undefined, v: string): boolean => !!list && (list.includes('*') || list.includes(v));

function ruleAllows(r: Rule, a: RequestAttributes): boolean {
  if (!has(r.verbs, a.verb)) return false;
  if (a.path !== undefined) return !!r.nonResourceURLs?.some((u) => u === '*' || u === a.path || (u.endsWith('*') && a.path?.startsWith(u.slice(0, -1))));
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  if (!has(r.apiGroups, a.group) || !has(r.resources, resource)) return false;
  return !r.resourceNames?.length || (a.name !== undefined && r.resourceNames.includes(a.name));
}

function subjectIs(s: Subject, c: Caller, bindingNamespace: string | undefined): boolean {
  if (s.kind === 'User') return s.name === c.user;
  if (s.kind === 'Group') return !!s.name && c.groups.includes(s.name);
  if (s.kind === 'ServiceAccount')
    return !!c.serviceAccount && s.name === c.serviceAccount.name && (s.namespace ?? bindingNamespace) === c.serviceAccount.namespace;
  return false;
}

const byKind = (kind: string): Kind => KINDS.find((k) => k.kind === kind) as Kind;

function rulesOf(role: Obj | undefined): Rule[] {
  return (role as unknown as { rules?: Rule[] } | undefined)?.rules ?? [];
}

/** Throws 403 Forbidden unless the caller may do what the request asks. */
export function authorize(c: Caller, a: RequestAttributes, objects: ObjectTable): void {
  if (c.groups.includes('system:masters')) return;
  if (a.path !== undefined && OPEN_PATHS.test(a.path)) return;
  for (const b of objects.list(byKind('ClusterRoleBinding'), undefined)) {
    const body = b as unknown as { subjects?: Subject[]; roleRef?: { name?: string } };
    if (!(body.subjects ?? []).some((s) => subjectIs(s, c, undefined))) continue;
    if (rulesOf(objects.find(byKind('ClusterRole'), undefined, body.roleRef?.name ?? '')).some((r) => ruleAllows(r, a))) return;
  }
  if (a.namespace !== undefined && a.path === undefined) {
    for (const b of objects.list(byKind('RoleBinding'), a.namespace)) {
      const body = b as unknown as { subjects?: Subject[]; roleRef?: { kind?: string; name?: string } };
      if (!(body.subjects ?? []).some((s) => subjectIs(s, c, a.namespace))) continue;
      const role =
        body.roleRef?.kind === 'Role'
          ? objects.find(byKind('Role'), a.namespace, body.roleRef.name ?? '')
          : objects.find(byKind('ClusterRole'), undefined, body.roleRef?.name ?? '');
      // A RoleBinding grants only inside its own namespace; `namespaces/<ns>` itself is cluster-scoped.
      if (a.resource === 'namespaces') continue;
      if (rulesOf(role).some((r) => ruleAllows(r, a))) return;
    }
  }
  const what =
    a.path !== undefined
      ? `${a.verb} path "${a.path}"`
      : `${a.verb} resource "${a.subresource ? `${a.resource}/${a.subresource}` : a.resource}" in API group "${a.group}"${a.resource === 'namespaces' || a.namespace === undefined ? ' at the cluster scope' : ` in the namespace "${a.namespace}"`}`;
  const subject = a.path !== undefined ? 'forbidden' : `${a.resource}${a.group ? `.${a.group}` : ''}${a.name ? ` "${a.name}"` : ''} is forbidden`;
  throw new KubeError(403, 'Forbidden', `${subject}: User "${c.user}" cannot ${what}`, {
    ...(a.name ? { name: a.name } : {}),
    group: a.group,
    kind: a.resource,
  });
}
