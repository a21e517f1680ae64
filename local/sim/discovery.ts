/** What kubectl needs from a member API before `get svc`: discovery documents and Table rows. */
import { ageOf, renderTable, TableSpec } from '../../shared/api/table';
import { KubeObject } from '../../shared/model/meta';
import { Obj } from './state';

export function discovery(path: string): unknown | undefined {
  const verbs = ['create', 'delete', 'get', 'list', 'patch', 'update'];
  switch (path) {
    case '/api':
      return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] };
    case '/apis':
      return {
        kind: 'APIGroupList',
        apiVersion: 'v1',
        groups: ['discovery.k8s.io', 'rbac.authorization.k8s.io', 'apps'].map((name) => ({
          name,
          versions: [{ groupVersion: `${name}/v1`, version: 'v1' }],
          preferredVersion: { groupVersion: `${name}/v1`, version: 'v1' },
        })),
      };
    case '/apis/apps/v1':
      return {
        kind: 'APIResourceList',
        apiVersion: 'v1',
        groupVersion: 'apps/v1',
        resources: [
          { name: 'deployments', singularName: 'deployment', namespaced: true, kind: 'Deployment', verbs: ['get', 'list', 'update'], shortNames: ['deploy'] },
        ],
      };
    case '/api/v1':
      return {
        kind: 'APIResourceList',
        apiVersion: 'v1',
        groupVersion: 'v1',
        resources: [
          { name: 'services', singularName: 'service', namespaced: true, kind: 'Service', verbs, shortNames: ['svc'], categories: ['all'] },
          { name: 'namespaces', singularName: 'namespace', namespaced: false, kind: 'Namespace', verbs, shortNames: ['ns'] },
          { name: 'configmaps', singularName: 'configmap', namespaced: true, kind: 'ConfigMap', verbs, shortNames: ['cm'] },
          { name: 'nodes', singularName: 'node', namespaced: false, kind: 'Node', verbs: ['get', 'list', 'patch'], shortNames: ['no'] },
          { name: 'serviceaccounts', singularName: 'serviceaccount', namespaced: true, kind: 'ServiceAccount', verbs, shortNames: ['sa'] },
          { name: 'secrets', singularName: 'secret', namespaced: true, kind: 'Secret', verbs },
        ],
      };
    case '/apis/discovery.k8s.io/v1':
      return {
        kind: 'APIResourceList',
        apiVersion: 'v1',
        groupVersion: 'discovery.k8s.io/v1',
        resources: [
          { name: 'endpointslices', singularName: 'endpointslice', namespaced: true, kind: 'EndpointSlice', verbs: ['delete', 'get', 'list', 'patch'] },
        ],
      };
    case '/apis/rbac.authorization.k8s.io/v1':
      return {
        kind: 'APIResourceList',
        apiVersion: 'v1',
        groupVersion: 'rbac.authorization.k8s.io/v1',
        resources: [
          ['roles', 'Role', true],
          ['rolebindings', 'RoleBinding', true],
          ['clusterroles', 'ClusterRole', false],
          ['clusterrolebindings', 'ClusterRoleBinding', false],
        ].map(([name, kind, namespaced]) => ({ name, singularName: String(kind).toLowerCase(), namespaced, kind, verbs })),
      };
    default:
      return undefined;
  }
}

const serviceTable: TableSpec<KubeObject> = {
  columns: [
    { name: 'Name', type: 'string', format: 'name', description: 'name', priority: 0 },
    { name: 'Type', type: 'string', description: 'type', priority: 0 },
    { name: 'Cluster-IP', type: 'string', description: 'cluster IP', priority: 0 },
    { name: 'External-IP', type: 'string', description: 'external IPs', priority: 0 },
    { name: 'Port(s)', type: 'string', description: 'ports', priority: 0 },
    { name: 'Age', type: 'string', description: 'age', priority: 0 },
    { name: 'Selector', type: 'string', description: 'selector', priority: 1 },
  ],
  cells: (o, now) => {
    const spec = (o['spec'] ?? {}) as {
      type?: string;
      clusterIP?: string;
      ports?: { port: number; nodePort?: number; protocol?: string }[];
      selector?: Record<string, string>;
    };
    const ingress = ((o['status'] as { loadBalancer?: { ingress?: { ip?: string; hostname?: string }[] } } | undefined)?.loadBalancer?.ingress ?? [])
      .map((i) => i.ip ?? i.hostname)
      .join(',');
    return [
      o.metadata.name ?? '',
      spec.type ?? 'ClusterIP',
      spec.clusterIP ?? '<none>',
      ingress || (spec.type === 'LoadBalancer' ? '<pending>' : '<none>'),
      (spec.ports ?? []).map((p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol ?? 'TCP'}`).join(',') || '<none>',
      ageOf(o, now),
      Object.entries(spec.selector ?? {})
        .map(([k, v]) => `${k}=${v}`)
        .join(',') || '<none>',
    ];
  },
};

export function serviceRows(items: readonly Obj[], rv: string): unknown {
  return renderTable(serviceTable, items as unknown as KubeObject[], new Date(), rv, undefined);
}
