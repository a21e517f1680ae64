/**
 * ConfigMaps and Deployments of a simulated member cluster, with kube-apiserver's rules for what
 * skyfed uses: 404 for a missing namespace or object, 409 AlreadyExists, 409 Conflict on a stale
 * resourceVersion (replace, and delete preconditions), 422 for non-string data or a ConfigMap over
 * 1 MiB. Seeded like a kubeadm cluster: kube-system/coredns (Corefile) and its Deployment.
 */
import { randomUUID } from 'node:crypto';
import { KubeError, Obj } from './state';

type Stored = Obj & { data?: Record<string, string> };
const MAX_CONFIGMAP_BYTES = 1024 * 1024;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** kubeadm's default CoreDNS Corefile (kubeadm 1.30). */
export const KUBEADM_COREFILE = `.:53 {
    errors
    health {
       lameduck 5s
    }
    ready
    kubernetes cluster.local in-addr.arpa ip6.arpa {
       pods insecure
       fallthrough in-addr.arpa ip6.arpa
       ttl 30
    }
    prometheus :9153
    forward . /etc/resolv.conf {
       max_concurrent 1000
    }
    cache 30
    loop
    reload
    loadbalance
}
`;

function corednsDeployment(): Obj {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'coredns', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { 'k8s-app': 'kube-dns' } },
      template: {
        metadata: { labels: { 'k8s-app': 'kube-dns' } },
        spec: {
          containers: [
            {
              name: 'coredns',
              image: 'registry.k8s.io/coredns/coredns:v1.11.1',
              args: ['-conf', '/etc/coredns/Corefile'],
              volumeMounts: [{ name: 'config-volume', mountPath: '/etc/coredns', readOnly: true }],
            },
          ],
          volumes: [{ name: 'config-volume', configMap: { name: 'coredns', items: [{ key: 'Corefile', path: 'Corefile' }] } }],
        },
      },
    },
  };
}

export class ConfigObjects {
  readonly configMaps = new Map<string, Stored>();
  readonly deployments = new Map<string, Obj>();

  constructor(
    private readonly bump: () => string,
    private readonly namespaces: ReadonlySet<string>,
  ) {
    this.put(this.configMaps, 'kube-system', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'coredns', namespace: 'kube-system' },
      data: { Corefile: KUBEADM_COREFILE },
    } as Stored);
    this.put(this.deployments, 'kube-system', corednsDeployment());
  }

  private put<T extends Obj>(map: Map<string, T>, ns: string, body: T, old?: T): T {
    const o = structuredClone(body);
    o.metadata = {
      ...o.metadata,
      namespace: ns,
      uid: old?.metadata['uid'] ?? randomUUID(),
      resourceVersion: this.bump(),
      creationTimestamp: old?.metadata['creationTimestamp'] ?? new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    };
    if (o.kind === 'Deployment')
      o.metadata['generation'] =
        ((old?.metadata['generation'] as number | undefined) ?? 0) + (old && JSON.stringify(old.spec) === JSON.stringify(o.spec) ? 0 : 1);
    map.set(`${ns}/${o.metadata.name ?? ''}`, o);
    return o;
  }

  private validate(kind: string, o: Stored): void {
    const name = o.metadata?.name ?? '';
    const causes: string[] = [];
    if (!DNS1123_SUBDOMAIN.test(name) || name.length > 253) causes.push(`metadata.name: Invalid value: "${name}"`);
    if (kind === 'ConfigMap') {
      const data = o.data ?? {};
      if (typeof data !== 'object' || Object.values(data).some((v) => typeof v !== 'string')) causes.push('data: Invalid value: values must be strings');
      const size = Object.entries(data).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(String(v)), 0);
      if (size > MAX_CONFIGMAP_BYTES) causes.push(`data: Too long: must have at most ${MAX_CONFIGMAP_BYTES} bytes`);
    }
    if (causes.length) throw new KubeError(422, 'Invalid', `${kind} "${name}" is invalid: ${causes.join(', ')}`, { name, kind });
  }

  /** Handles ConfigMap and Deployment paths; undefined for anything else. */
  route(method: string, p: readonly string[], body: Obj | undefined): { code: number; body: unknown; kind: string } | undefined {
    let map: Map<string, Stored>;
    let kind: string;
    let ns: string;
    let name: string | undefined;
    if (p[0] === 'api' && p[1] === 'v1' && p[2] === 'namespaces' && p[4] === 'configmaps' && p.length <= 6) {
      [map, kind, ns, name] = [this.configMaps, 'ConfigMap', p[3] as string, p[5]];
    } else if (p[0] === 'apis' && p[1] === 'apps' && p[2] === 'v1' && p[3] === 'namespaces' && p[5] === 'deployments' && p.length <= 7) {
      [map, kind, ns, name] = [this.deployments as Map<string, Stored>, 'Deployment', p[4] as string, p[6]];
    } else {
      return undefined;
    }
    const resource = `${kind.toLowerCase()}s`;
    if (!this.namespaces.has(ns)) throw new KubeError(404, 'NotFound', `namespaces "${ns}" not found`, { name: ns, kind: 'namespaces' });
    const key = `${ns}/${name ?? ''}`;
    const missing = (): KubeError => new KubeError(404, 'NotFound', `${resource} "${name ?? ''}" not found`, { name, kind: resource });
    if (!name && method === 'GET') {
      const items = [...map].filter(([k]) => k.startsWith(`${ns}/`)).map(([, v]) => v);
      return {
        code: 200,
        body: { kind: `${kind}List`, apiVersion: kind === 'Deployment' ? 'apps/v1' : 'v1', metadata: { resourceVersion: this.bump() }, items },
        kind: `${kind}List`,
      };
    }
    if (!name && method === 'POST' && body && kind === 'ConfigMap') {
      const o = body as Stored;
      this.validate(kind, o);
      if (map.has(`${ns}/${o.metadata.name ?? ''}`))
        throw new KubeError(409, 'AlreadyExists', `${resource} "${o.metadata.name ?? ''}" already exists`, { name: o.metadata.name, kind: resource });
      return { code: 201, body: this.put(map, ns, { ...o, apiVersion: 'v1', kind }), kind: resource };
    }
    if (!name) return undefined;
    const old = map.get(key);
    if (method === 'GET') {
      if (!old) throw missing();
      return { code: 200, body: old, kind: resource };
    }
    if (method === 'PUT' && body) {
      if (!old) throw missing();
      const rv = body.metadata?.resourceVersion;
      if (rv && rv !== old.metadata.resourceVersion) {
        throw new KubeError(
          409,
          'Conflict',
          `Operation cannot be fulfilled on ${resource} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
          { name, kind: resource },
        );
      }
      this.validate(kind, { ...(body as Stored), metadata: { ...body.metadata, name } });
      return {
        code: 200,
        body: this.put(map, ns, { ...(body as Stored), apiVersion: old.apiVersion, kind, metadata: { ...body.metadata, name } }, old),
        kind: resource,
      };
    }
    if (method === 'DELETE' && kind === 'ConfigMap') {
      if (!old) throw missing();
      const pre = (body as unknown as { preconditions?: { resourceVersion?: string } } | undefined)?.preconditions?.resourceVersion;
      if (pre && pre !== old.metadata.resourceVersion)
        throw new KubeError(409, 'Conflict', `Precondition failed: ResourceVersion in precondition: ${pre}`, { name, kind: resource });
      map.delete(key);
      return { code: 200, body: { kind: 'Status', apiVersion: 'v1', status: 'Success', details: { name, kind: resource } }, kind: resource };
    }
    return undefined;
  }
}
