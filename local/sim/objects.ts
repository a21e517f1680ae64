/**
 * The simulated member's generic objects beyond Services, with kube-apiserver's rules: ServiceAccounts,
 * Secrets (the token controller fills `kubernetes.io/service-account-token` Secrets), and RBAC
 * Roles, RoleBindings, ClusterRoles, ClusterRoleBindings. 409 AlreadyExists, 404 NotFound, stale
 * resourceVersion 409 Conflict, 422 Invalid (names, required fields, immutable roleRef), and
 * namespaces that must exist.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { KubeError, Obj } from './state';

export interface Kind {
  readonly resource: string;
  readonly kind: string;
  readonly group: string;
  readonly namespaced: boolean;
}

export const KINDS: readonly Kind[] = [
  { resource: 'serviceaccounts', kind: 'ServiceAccount', group: '', namespaced: true },
  { resource: 'secrets', kind: 'Secret', group: '', namespaced: true },
  { resource: 'roles', kind: 'Role', group: 'rbac.authorization.k8s.io', namespaced: true },
  { resource: 'rolebindings', kind: 'RoleBinding', group: 'rbac.authorization.k8s.io', namespaced: true },
  { resource: 'clusterroles', kind: 'ClusterRole', group: 'rbac.authorization.k8s.io', namespaced: false },
  { resource: 'clusterrolebindings', kind: 'ClusterRoleBinding', group: 'rbac.authorization.k8s.io', namespaced: false },
];

export const SA_TOKEN_TYPE = 'kubernetes.io/service-account-token';
export const SA_NAME_ANNOTATION = 'kubernetes.io/service-account.name';
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** RBAC object names are path segments: anything but '/', '%', '.' and '..'. */
const PATH_SEGMENT = /^(?!\.{1,2}$)[^/%]+$/;

type Rule = { verbs?: unknown; apiGroups?: unknown; resources?: unknown; resourceNames?: unknown; nonResourceURLs?: unknown };

/** The annotations of an object (metadata is loosely typed in the simulator). */
export function ann(o: Obj): Record<string, string> {
  return (o.metadata['annotations'] as Record<string, string> | undefined) ?? {};
}

/** A path segment as the client meant it (`skyfed-system%3Askyfed` → `skyfed-system:skyfed`). */
export function decodeSegment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new KubeError(400, 'BadRequest', `malformed path segment ${JSON.stringify(s)}`);
  }
}

export function kindOf(group: string, resource: string): Kind | undefined {
  return KINDS.find((k) => k.group === group && k.resource === resource);
}

export class ObjectTable {
  /** key: `resource/namespace/name` (namespace empty for cluster-scoped kinds). */
  readonly items = new Map<string, Obj>();
  /** Labels of namespaces (the namespace set itself is ClusterState.namespaces). */
  readonly namespaceLabels = new Map<string, Record<string, string>>();

  constructor(
    private readonly bump: () => string,
    private readonly namespaceExists: (ns: string) => boolean,
    private readonly caPem: () => string,
  ) {}

  private key(k: Kind, ns: string | undefined, name: string): string {
    return `${k.resource}/${k.namespaced ? (ns ?? '') : ''}/${name}`;
  }

  get(k: Kind, ns: string | undefined, name: string): Obj {
    const o = this.items.get(this.key(k, ns, name));
    if (!o)
      throw new KubeError(404, 'NotFound', `${k.resource}${k.group ? `.${k.group}` : ''} "${name}" not found`, { name, group: k.group, kind: k.resource });
    return o;
  }

  find(k: Kind, ns: string | undefined, name: string): Obj | undefined {
    return this.items.get(this.key(k, ns, name));
  }

  list(k: Kind, ns: string | undefined): Obj[] {
    return [...this.items.values()].filter((o) => o.kind === k.kind && (!k.namespaced || !ns || o.metadata.namespace === ns));
  }

  private validate(k: Kind, o: Obj, old?: Obj): void {
    const name = o.metadata?.name ?? '';
    const causes: { field: string; message: string }[] = [];
    const nameOk = k.group === 'rbac.authorization.k8s.io' ? PATH_SEGMENT.test(name) : DNS1123_SUBDOMAIN.test(name) && name.length <= 253;
    if (!nameOk)
      causes.push({
        field: 'metadata.name',
        message: `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.'`,
      });
    const body = o as unknown as Record<string, unknown>;
    if (k.kind === 'Role' || k.kind === 'ClusterRole') {
      ((body['rules'] as Rule[] | undefined) ?? []).forEach((r, i) => {
        if (!Array.isArray(r.verbs) || r.verbs.length === 0)
          causes.push({ field: `rules[${i}].verbs`, message: 'Required value: verbs must contain at least one value' });
        const hasUrls = Array.isArray(r.nonResourceURLs) && r.nonResourceURLs.length > 0;
        if (!hasUrls && (!Array.isArray(r.resources) || r.resources.length === 0))
          causes.push({ field: `rules[${i}].resources`, message: 'Required value: resource rules must supply at least one resource' });
        if (!hasUrls && !Array.isArray(r.apiGroups))
          causes.push({ field: `rules[${i}].apiGroups`, message: 'Required value: resource rules must supply at least one api group' });
        if (hasUrls && k.kind === 'Role')
          causes.push({ field: `rules[${i}].nonResourceURLs`, message: 'Invalid value: namespaced rules cannot apply to non-resource URLs' });
      });
    }
    if (k.kind === 'RoleBinding' || k.kind === 'ClusterRoleBinding') {
      const ref = body['roleRef'] as { kind?: string; name?: string; apiGroup?: string } | undefined;
      if (!ref?.name) causes.push({ field: 'roleRef.name', message: 'Required value' });
      const kinds = k.kind === 'RoleBinding' ? ['Role', 'ClusterRole'] : ['ClusterRole'];
      if (!kinds.includes(ref?.kind ?? ''))
        causes.push({ field: 'roleRef.kind', message: `Unsupported value: "${ref?.kind ?? ''}": supported values: ${kinds.map((x) => `"${x}"`).join(', ')}` });
      if (ref?.apiGroup !== 'rbac.authorization.k8s.io')
        causes.push({ field: 'roleRef.apiGroup', message: `Unsupported value: "${ref?.apiGroup ?? ''}": supported values: "rbac.authorization.k8s.io"` });
      const oldRef = old ? (old as unknown as { roleRef?: unknown }).roleRef : undefined;
      if (old && JSON.stringify(oldRef) !== JSON.stringify(ref)) causes.push({ field: 'roleRef', message: 'Invalid value: cannot change roleRef' });
      ((body['subjects'] as { kind?: string; name?: string; namespace?: string }[] | undefined) ?? []).forEach((s, i) => {
        if (!['ServiceAccount', 'User', 'Group'].includes(s.kind ?? ''))
          causes.push({ field: `subjects[${i}].kind`, message: `Unsupported value: "${s.kind ?? ''}"` });
        if (!s.name) causes.push({ field: `subjects[${i}].name`, message: 'Required value' });
        if (s.kind === 'ServiceAccount' && !s.namespace && k.kind === 'ClusterRoleBinding')
          causes.push({ field: `subjects[${i}].namespace`, message: 'Required value' });
      });
    }
    if (k.kind === 'Secret' && body['type'] === SA_TOKEN_TYPE && !ann(o)[SA_NAME_ANNOTATION]) {
      causes.push({ field: `metadata.annotations[${SA_NAME_ANNOTATION}]`, message: 'Required value' });
    }
    if (k.kind === 'Secret' && old && (old as unknown as { type?: string }).type !== (body['type'] ?? 'Opaque'))
      causes.push({ field: 'type', message: 'Invalid value: field is immutable' });
    if (causes.length) {
      throw new KubeError(
        422,
        'Invalid',
        `${k.kind}${k.group ? `.${k.group}` : ''} "${name}" is invalid: ${causes.map((c) => `${c.field}: ${c.message}`).join(', ')}`,
        { name, group: k.group, kind: k.kind, causes: causes.map((c) => ({ reason: 'FieldValueInvalid', ...c })) },
      );
    }
  }

  create(k: Kind, ns: string | undefined, body: Obj): Obj {
    if (k.namespaced && !this.namespaceExists(ns ?? ''))
      throw new KubeError(404, 'NotFound', `namespaces "${ns ?? ''}" not found`, { name: ns ?? '', kind: 'namespaces' });
    this.validate(k, body);
    const name = body.metadata.name ?? '';
    const key = this.key(k, ns, name);
    if (this.items.has(key))
      throw new KubeError(409, 'AlreadyExists', `${k.resource}${k.group ? `.${k.group}` : ''} "${name}" already exists`, {
        name,
        group: k.group,
        kind: k.resource,
      });
    const o: Obj = {
      ...structuredClone(body),
      apiVersion: k.group ? `${k.group}/v1` : 'v1',
      kind: k.kind,
      metadata: {
        ...structuredClone(body.metadata),
        ...(k.namespaced ? { namespace: ns } : {}),
        uid: randomUUID(),
        resourceVersion: this.bump(),
        creationTimestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      },
    };
    if (k.kind === 'Secret') this.fillSecret(o);
    if (
      k.kind === 'Secret' &&
      (o as unknown as { type?: string }).type === SA_TOKEN_TYPE &&
      !this.find(KINDS[0] as Kind, ns, String(ann(o)[SA_NAME_ANNOTATION] ?? ''))
    ) {
      // The token controller deletes a token Secret whose ServiceAccount does not exist; the create itself succeeds.
      return o;
    }
    this.items.set(key, o);
    return o;
  }

  replace(k: Kind, ns: string | undefined, name: string, body: Obj): Obj {
    const old = this.get(k, ns, name);
    if (body.metadata?.name !== undefined && body.metadata.name !== name)
      throw new KubeError(400, 'BadRequest', `the name of the object (${String(body.metadata.name)}) does not match the name on the URL (${name})`);
    if (body.metadata?.resourceVersion && body.metadata.resourceVersion !== old.metadata.resourceVersion) {
      throw new KubeError(
        409,
        'Conflict',
        `Operation cannot be fulfilled on ${k.resource}${k.group ? `.${k.group}` : ''} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
        { name, group: k.group, kind: k.resource },
      );
    }
    const next = { ...structuredClone(body), metadata: { ...structuredClone(body.metadata ?? {}), name } } as Obj;
    this.validate(k, next, old);
    const o: Obj = {
      ...next,
      apiVersion: old.apiVersion,
      kind: k.kind,
      metadata: {
        ...next.metadata,
        ...(k.namespaced ? { namespace: ns } : {}),
        uid: old.metadata['uid'],
        creationTimestamp: old.metadata['creationTimestamp'],
        resourceVersion: this.bump(),
      },
    };
    if (k.kind === 'Secret') this.fillSecret(o, old);
    this.items.set(this.key(k, ns, name), o);
    return o;
  }

  remove(k: Kind, ns: string | undefined, name: string): Obj {
    const o = this.get(k, ns, name);
    this.items.delete(this.key(k, ns, name));
    if (k.kind === 'ServiceAccount') {
      // Token Secrets go with their ServiceAccount (the token controller's clean-up).
      for (const s of this.list(KINDS[1] as Kind, ns))
        if (this.isTokenOf(s, ns ?? '', name)) this.items.delete(this.key(KINDS[1] as Kind, ns, s.metadata.name ?? ''));
    }
    return o;
  }

  /** Every namespaced object of a namespace goes with it. */
  removeNamespace(ns: string): void {
    for (const [key, o] of this.items) if (o.metadata.namespace === ns) this.items.delete(key);
  }

  private isTokenOf(s: Obj, ns: string, sa: string): boolean {
    return (s as unknown as { type?: string }).type === SA_TOKEN_TYPE && s.metadata.namespace === ns && ann(s)[SA_NAME_ANNOTATION] === sa;
  }

  /** Secrets: `stringData` folds into `data`; token Secrets get token, ca.crt and namespace. */
  private fillSecret(o: Obj, old?: Obj): void {
    const b = o as unknown as { type?: string; data?: Record<string, string>; stringData?: Record<string, string> };
    b.type ??= 'Opaque';
    b.data = { ...(b.data ?? {}) };
    for (const [k, v] of Object.entries(b.stringData ?? {})) b.data[k] = Buffer.from(v).toString('base64');
    delete b.stringData;
    if (b.type === SA_TOKEN_TYPE) {
      const oldData = (old as unknown as { data?: Record<string, string> } | undefined)?.data ?? {};
      b.data['token'] = oldData['token'] ?? Buffer.from(`sim-sa.${randomBytes(24).toString('base64url')}`).toString('base64');
      b.data['ca.crt'] = Buffer.from(this.caPem()).toString('base64');
      b.data['namespace'] = Buffer.from(o.metadata.namespace ?? '').toString('base64');
    }
  }

  /** The ServiceAccount (namespace, name) whose token Secret holds `token`, if that ServiceAccount exists. */
  serviceAccountFor(token: string): { namespace: string; name: string } | undefined {
    const b64 = Buffer.from(token).toString('base64');
    for (const o of this.items.values()) {
      const s = o as unknown as { type?: string; data?: Record<string, string> };
      if (o.kind !== 'Secret' || s.type !== SA_TOKEN_TYPE || s.data?.['token'] !== b64) continue;
      const ns = o.metadata.namespace ?? '';
      const name = String(ann(o)[SA_NAME_ANNOTATION] ?? '');
      if (this.find(KINDS[0] as Kind, ns, name)) return { namespace: ns, name };
    }
    return undefined;
  }
}
