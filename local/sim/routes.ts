/**
 * Routes of the simulated member beyond the original Service paths in cluster.ts: namespaces (list,
 * delete), ServiceAccounts, Secrets, RBAC, Nodes (get, patch) and EndpointSlices (get, delete,
 * patch), Service patch. Returns undefined for a path it does not serve.
 */
import { KubeError, Obj, matchesSelector } from './state';
import { ObjectTable, decodeSegment, kindOf } from './objects';
import { Nodes, SliceEdits, endpointsOf, lbModeOf, mergePatch, patchBody } from './knobs';
import { ClusterState } from './state';

export interface SimContext {
  readonly state: ClusterState;
  readonly objects: ObjectTable;
  readonly nodes: Nodes;
  readonly slices: SliceEdits;
  /** After a Service is created, replaced or patched: load balancer and knobs. */
  serviceWritten(o: Obj): void;
  /** After a namespace and everything in it is gone. */
  namespaceDeleted(ns: string): void;
}

export interface Result {
  code: number;
  body: unknown;
  kind: string;
}

const listOf = (ctx: SimContext, kind: string, apiVersion: string, items: Obj[]): Result => ({
  code: 200,
  body: { kind, apiVersion, metadata: { resourceVersion: ctx.state.bump() }, items },
  kind,
});

function fieldName(url: URL): string | undefined {
  return /(?:^|,)metadata\.name=([^,]+)/.exec(url.searchParams.get('fieldSelector') ?? '')?.[1];
}

function filter(items: Obj[], url: URL): Obj[] {
  const sel = url.searchParams.get('labelSelector') ?? undefined;
  const name = fieldName(url);
  return items.filter((o) => matchesSelector(sel, o.metadata.labels) && (name === undefined || o.metadata.name === name));
}

export function routeExtra(ctx: SimContext, method: string, url: URL, body: Obj | undefined, raw: string, contentType: string | undefined): Result | undefined {
  const p = url.pathname.split('/').filter(Boolean).map(decodeSegment);
  const core = p[0] === 'api' && p[1] === 'v1';
  // Namespaces (with their labels).
  const namespace = (name: string): Obj => ({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, labels: ctx.objects.namespaceLabels.get(name) ?? {} },
    status: { phase: 'Active' },
  });
  if (core && p[2] === 'namespaces' && p.length === 3 && method === 'GET')
    return listOf(ctx, 'NamespaceList', 'v1', filter([...ctx.state.namespaces].map(namespace), url));
  if (core && p[2] === 'namespaces' && p.length === 4 && method === 'GET') {
    const name = p[3] as string;
    if (!ctx.state.namespaces.has(name)) throw new KubeError(404, 'NotFound', `namespaces "${name}" not found`, { name, kind: 'namespaces' });
    return { code: 200, body: namespace(name), kind: 'namespaces' };
  }
  if (core && p[2] === 'namespaces' && p.length === 3 && method === 'POST') {
    const name = body?.metadata?.name ?? '';
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name) || name.length > 63)
      throw new KubeError(
        422,
        'Invalid',
        `Namespace "${name}" is invalid: metadata.name: Invalid value: "${name}": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-'`,
        { name, kind: 'Namespace' },
      );
    if (ctx.state.namespaces.has(name)) throw new KubeError(409, 'AlreadyExists', `namespaces "${name}" already exists`, { name, kind: 'namespaces' });
    ctx.state.namespaces.add(name);
    if (body?.metadata.labels) ctx.objects.namespaceLabels.set(name, { ...body.metadata.labels });
    return { code: 201, body: namespace(name), kind: 'namespaces' };
  }
  if (core && p[2] === 'namespaces' && p.length === 4 && method === 'DELETE') {
    const ns = p[3] as string;
    if (!ctx.state.namespaces.has(ns)) throw new KubeError(404, 'NotFound', `namespaces "${ns}" not found`, { name: ns, kind: 'namespaces' });
    if (['default', 'kube-system', 'kube-public'].includes(ns))
      throw new KubeError(403, 'Forbidden', `namespaces "${ns}" is forbidden: this namespace may not be deleted`, { name: ns, kind: 'namespaces' });
    for (const key of [...ctx.state.services.keys()]) if (key.startsWith(`${ns}/`)) ctx.state.remove(ns, key.slice(ns.length + 1));
    ctx.objects.removeNamespace(ns);
    ctx.state.namespaces.delete(ns);
    ctx.objects.namespaceLabels.delete(ns);
    ctx.namespaceDeleted(ns);
    return { code: 200, body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns }, status: { phase: 'Terminating' } }, kind: 'namespaces' };
  }
  // Nodes.
  if (core && p[2] === 'nodes') {
    if (p.length === 3 && method === 'GET') return listOf(ctx, 'NodeList', 'v1', filter(ctx.nodes.list(), url));
    if (p.length === 4 && method === 'GET') return { code: 200, body: ctx.nodes.get(p[3] as string), kind: 'nodes' };
    if (p.length === 4 && method === 'PATCH') return { code: 200, body: ctx.nodes.patch(p[3] as string, patchBody(contentType, raw)), kind: 'nodes' };
  }
  // Service patch (kubectl annotate / label / patch).
  if (core && p[2] === 'namespaces' && p[4] === 'services' && p.length === 6 && method === 'PATCH') {
    const [ns, name] = [p[3] as string, p[5] as string];
    const old = ctx.state.services.get(`${ns}/${name}`);
    if (!old) throw new KubeError(404, 'NotFound', `services "${name}" not found`, { name, kind: 'services' });
    const merged = mergePatch(old, patchBody(contentType, raw)) as Obj;
    lbModeOf(merged);
    endpointsOf(merged);
    const o = ctx.state.replace(ns, name, { ...merged, metadata: { ...merged.metadata, resourceVersion: old.metadata.resourceVersion } });
    ctx.serviceWritten(o);
    return { code: 200, body: o, kind: 'services' };
  }
  // EndpointSlices: get one, delete, patch (lists are in cluster.ts).
  if (p[0] === 'apis' && p[1] === 'discovery.k8s.io' && p[3] === 'namespaces' && p[5] === 'endpointslices' && p.length === 7) {
    const [ns, name] = [p[4] as string, p[6] as string];
    const slice = ctx.slices.apply(ctx.state.endpointSlices(ns)).find((s) => s.metadata.name === name);
    if (!slice)
      throw new KubeError(404, 'NotFound', `endpointslices.discovery.k8s.io "${name}" not found`, { name, group: 'discovery.k8s.io', kind: 'endpointslices' });
    const key = `${ns}/${slice.metadata.labels?.['kubernetes.io/service-name'] ?? ''}`;
    if (method === 'GET') return { code: 200, body: slice, kind: 'endpointslices' };
    if (method === 'DELETE') {
      ctx.slices.deleted.add(key);
      return { code: 200, body: slice, kind: 'endpointslices' };
    }
    if (method === 'PATCH') {
      const o = mergePatch(slice, patchBody(contentType, raw)) as Obj;
      o.metadata = { ...o.metadata, name, namespace: ns, resourceVersion: ctx.state.bump() };
      ctx.slices.patched.set(key, o);
      return { code: 200, body: o, kind: 'endpointslices' };
    }
  }
  return routeObjects(ctx.objects, method, p, url, body, ctx);
}

/** ServiceAccounts, Secrets and RBAC: the generic verbs. */
function routeObjects(objects: ObjectTable, method: string, p: string[], url: URL, body: Obj | undefined, ctx: SimContext): Result | undefined {
  let group: string;
  let rest: string[];
  if (p[0] === 'api' && p[1] === 'v1') {
    group = '';
    rest = p.slice(2);
  } else if (p[0] === 'apis' && p.length >= 4) {
    group = p[1] as string;
    rest = p.slice(3);
  } else return undefined;
  let ns: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    ns = rest[1];
    rest = rest.slice(2);
  }
  const [resource = '', name, sub] = rest;
  const k = kindOf(group, resource);
  if (
    !k ||
    sub !== undefined ||
    rest.length > 2 ||
    (k.namespaced && ns === undefined && (name !== undefined || method !== 'GET')) ||
    (!k.namespaced && ns !== undefined)
  )
    return undefined;
  const apiVersion = group ? `${group}/v1` : 'v1';
  if (!name && method === 'GET') return listOf(ctx, `${k.kind}List`, apiVersion, filter(objects.list(k, ns), url));
  if (!name && method === 'POST') {
    if (!body?.metadata) throw new KubeError(400, 'BadRequest', 'the request body must be an object with metadata');
    return { code: 201, body: objects.create(k, ns, body), kind: resource };
  }
  if (name && method === 'GET') return { code: 200, body: objects.get(k, ns, name), kind: resource };
  if (name && method === 'PUT') {
    if (!body?.metadata) throw new KubeError(400, 'BadRequest', 'the request body must be an object with metadata');
    return { code: 200, body: objects.replace(k, ns, name, body), kind: resource };
  }
  if (name && method === 'DELETE') return { code: 200, body: objects.remove(k, ns, name), kind: resource };
  throw new KubeError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`);
}
