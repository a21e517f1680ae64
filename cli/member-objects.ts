/**
 * What `skyfed join` creates in a member cluster (pure): a namespace, a ServiceAccount, the least
 * RBAC skyfed's member calls need (shared/members/kube-client.ts), optionally a Role for the
 * in-cluster DNS ConfigMap, and a long-lived token Secret. Every object carries the label
 * JOIN_LABEL so `skyfed unjoin` removes only what join made. examples/member-rbac.yaml is the same
 * set written out for doing it by hand.
 */
export const JOIN_LABEL = 'app.kubernetes.io/managed-by';
export const JOIN_LABEL_VALUE = 'skyfed-join';
export const DNS_CONFIGMAP = 'skyfed-dns';

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

export interface MemberObjectsOptions {
  /** Namespace for the ServiceAccount and its token (default skyfed-system). */
  readonly namespace: string;
  readonly serviceAccount: string;
  /** Also let skyfed keep kube-system/skyfed-dns (the in-cluster DNS feature). */
  readonly inClusterDns: boolean;
}

export const DEFAULT_MEMBER_OBJECTS: MemberObjectsOptions = { namespace: 'skyfed-system', serviceAccount: 'skyfed', inClusterDns: false };

const labels = { [JOIN_LABEL]: JOIN_LABEL_VALUE };

/** The ClusterRole's rules: exactly what skyfed calls in a member. */
export const MEMBER_RULES = [
  { apiGroups: [''], resources: ['services'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] },
  { apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'create'] },
  { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['get', 'list'] },
  { apiGroups: [''], resources: ['endpoints', 'nodes'], verbs: ['get', 'list'] },
];

export function tokenSecretName(o: MemberObjectsOptions): string {
  return `${o.serviceAccount}-token`;
}

/** In creation order; unjoin deletes in reverse. */
export function memberObjects(o: MemberObjectsOptions): Manifest[] {
  const sa = { kind: 'ServiceAccount', name: o.serviceAccount, namespace: o.namespace };
  const rbac = 'rbac.authorization.k8s.io/v1';
  const roleName = `${o.namespace}:${o.serviceAccount}`;
  const out: Manifest[] = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: o.namespace, labels } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: o.serviceAccount, namespace: o.namespace, labels } },
    { apiVersion: rbac, kind: 'ClusterRole', metadata: { name: roleName, labels }, rules: MEMBER_RULES },
    {
      apiVersion: rbac,
      kind: 'ClusterRoleBinding',
      metadata: { name: roleName, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleName },
      subjects: [sa],
    },
  ];
  if (o.inClusterDns) {
    out.push(
      {
        apiVersion: rbac,
        kind: 'Role',
        metadata: { name: roleName, namespace: 'kube-system', labels },
        rules: [
          { apiGroups: [''], resources: ['configmaps'], resourceNames: [DNS_CONFIGMAP], verbs: ['get', 'update', 'patch'] },
          // `create` cannot be limited by name (the name is not known before the object exists).
          { apiGroups: [''], resources: ['configmaps'], verbs: ['create'] },
        ],
      },
      {
        apiVersion: rbac,
        kind: 'RoleBinding',
        metadata: { name: roleName, namespace: 'kube-system', labels },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: roleName },
        subjects: [sa],
      },
    );
  }
  out.push({
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'kubernetes.io/service-account-token',
    metadata: { name: tokenSecretName(o), namespace: o.namespace, labels, annotations: { 'kubernetes.io/service-account.name': o.serviceAccount } },
  });
  return out;
}

export function describe(m: Manifest): string {
  return `${m.kind} ${m.metadata.namespace ? `${m.metadata.namespace}/` : ''}${m.metadata.name}`;
}

export interface KubeconfigParts {
  readonly name: string;
  readonly server: string;
  readonly caData?: string;
  readonly tlsServerName?: string;
  readonly token: string;
}

/** A kubeconfig with only inline material: server, CA data, TLS server name and the token. YAML text. */
export function inlineKubeconfig(p: KubeconfigParts): string {
  const lines = [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: ${JSON.stringify(p.name)}`,
    '  cluster:',
    `    server: ${JSON.stringify(p.server)}`,
    ...(p.caData ? [`    certificate-authority-data: ${p.caData}`] : []),
    ...(p.tlsServerName ? [`    tls-server-name: ${JSON.stringify(p.tlsServerName)}`] : []),
    'users:',
    '- name: skyfed',
    '  user:',
    `    token: ${JSON.stringify(p.token)}`,
    'contexts:',
    `- name: ${JSON.stringify(p.name)}`,
    '  context:',
    `    cluster: ${JSON.stringify(p.name)}`,
    '    user: skyfed',
    `current-context: ${JSON.stringify(p.name)}`,
    '',
  ];
  return lines.join('\n');
}
