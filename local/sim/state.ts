/**
 * One simulated member cluster's API state with kube-apiserver's rules for what skyfed uses:
 * namespaces, Services (409 AlreadyExists, stale resourceVersion 409 Conflict, 404, 422 Invalid,
 * clusterIP and nodePort allocation, immutable clusterIP), and endpoints derived from a ready count
 * the test controls.
 */
import { randomUUID } from 'node:crypto';

export type Obj = {
  apiVersion?: string;
  kind?: string;
  metadata: Record<string, unknown> & { name?: string; namespace?: string; labels?: Record<string, string>; resourceVersion?: string };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
};

export class KubeError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
  status(): Record<string, unknown> {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      code: this.code,
      ...(this.details ? { details: this.details } : {}),
    };
  }
}

const DNS1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const TYPES = ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'];

export function matchesSelector(sel: string | undefined, labels: Record<string, string> = {}): boolean {
  if (!sel) return true;
  return sel
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean)
    .every((t) => {
      let m = /^([^!=\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(t);
      if (m) return m[2] === '!=' ? labels[m[1] as string] !== m[3] : labels[m[1] as string] === m[3];
      m = /^([^\s]+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(t);
      if (m) {
        const vals = (m[3] as string).split(',').map((v) => v.trim());
        const v = labels[m[1] as string];
        return m[2] === 'in' ? v !== undefined && vals.includes(v) : v === undefined || !vals.includes(v);
      }
      if (t.startsWith('!')) return !(t.slice(1) in labels);
      return t in labels;
    });
}

export class ClusterState {
  readonly namespaces = new Set(['default', 'kube-system']);
  readonly services = new Map<string, Obj>();
  readonly ready = new Map<string, number>();
  rv = 1000;
  nextIp = 10;
  nextNodePort = 30000;
  readonly clusterIpPrefix: string;

  constructor(
    index: number,
    readonly defaultReadyEndpoints: number,
  ) {
    this.clusterIpPrefix = `10.${96 + (index % 100)}.0.`;
  }

  bump(): string {
    return String(++this.rv);
  }

  private invalid(name: string, causes: { field: string; message: string }[]): KubeError {
    return new KubeError(422, 'Invalid', `Service "${name}" is invalid: ${causes.map((c) => `${c.field}: ${c.message}`).join(', ')}`, {
      name,
      kind: 'Service',
      causes: causes.map((c) => ({ reason: 'FieldValueInvalid', ...c })),
    });
  }

  private validate(o: Obj, old?: Obj): void {
    const name = o.metadata.name ?? '';
    const causes: { field: string; message: string }[] = [];
    if (!DNS1035.test(name) || name.length > 63)
      causes.push({ field: 'metadata.name', message: `Invalid value: "${name}": a DNS-1035 label must consist of lower case alphanumeric characters or '-'` });
    const spec = o.spec ?? {};
    const type = (spec['type'] as string | undefined) ?? 'ClusterIP';
    if (!TYPES.includes(type)) causes.push({ field: 'spec.type', message: `Unsupported value: "${type}"` });
    const ports = (spec['ports'] as { port?: unknown; protocol?: string; name?: string; nodePort?: number }[] | undefined) ?? [];
    if (type !== 'ExternalName' && spec['clusterIP'] !== 'None' && ports.length === 0) causes.push({ field: 'spec.ports', message: 'Required value' });
    const seen = new Set<string>();
    ports.forEach((p, i) => {
      if (typeof p.port !== 'number' || p.port < 1 || p.port > 65535)
        causes.push({ field: `spec.ports[${i}].port`, message: 'Invalid value: must be between 1 and 65535, inclusive' });
      if (p.protocol && !['TCP', 'UDP', 'SCTP'].includes(p.protocol))
        causes.push({ field: `spec.ports[${i}].protocol`, message: `Unsupported value: "${p.protocol}"` });
      if (ports.length > 1 && !p.name) causes.push({ field: `spec.ports[${i}].name`, message: 'Required value' });
      const k = `${String(p.port)}/${p.protocol ?? 'TCP'}`;
      if (seen.has(k)) causes.push({ field: `spec.ports[${i}]`, message: `Duplicate value: "${k}"` });
      seen.add(k);
      if (p.nodePort !== undefined && type !== 'NodePort' && type !== 'LoadBalancer')
        causes.push({ field: `spec.ports[${i}].nodePort`, message: "Forbidden: may not be used when `type` is 'ClusterIP'" });
    });
    const oldIp = old?.spec?.['clusterIP'];
    if (old && spec['clusterIP'] !== undefined && spec['clusterIP'] !== '' && spec['clusterIP'] !== oldIp)
      causes.push({ field: 'spec.clusterIP', message: 'Invalid value: field is immutable' });
    if (causes.length) throw this.invalid(name, causes);
  }

  private allocate(o: Obj, old?: Obj): void {
    const spec = (o.spec ??= {});
    spec['type'] ??= 'ClusterIP';
    spec['sessionAffinity'] ??= 'None';
    if (spec['clusterIP'] !== 'None') {
      spec['clusterIP'] = old?.spec?.['clusterIP'] ?? `${this.clusterIpPrefix}${this.nextIp++}`;
      spec['clusterIPs'] = [spec['clusterIP']];
      spec['ipFamilies'] ??= ['IPv4'];
      spec['ipFamilyPolicy'] ??= 'SingleStack';
    }
    spec['internalTrafficPolicy'] ??= 'Cluster';
    const takes = spec['type'] === 'NodePort' || spec['type'] === 'LoadBalancer';
    if (takes) spec['externalTrafficPolicy'] ??= 'Cluster';
    const ports = (spec['ports'] as { port: number; protocol?: string; targetPort?: unknown; nodePort?: number }[] | undefined) ?? [];
    for (const p of ports) {
      p.protocol ??= 'TCP';
      p.targetPort ??= p.port;
      if (takes && p.nodePort === undefined) p.nodePort = this.nextNodePort++;
      if (!takes) delete p.nodePort;
    }
  }

  create(ns: string, body: Obj): Obj {
    if (!this.namespaces.has(ns)) throw new KubeError(404, 'NotFound', `namespaces "${ns}" not found`, { name: ns, kind: 'namespaces' });
    const name = body.metadata?.name ?? '';
    this.validate(body);
    const key = `${ns}/${name}`;
    if (this.services.has(key)) throw new KubeError(409, 'AlreadyExists', `services "${name}" already exists`, { name, kind: 'services' });
    const o: Obj = {
      apiVersion: 'v1',
      kind: 'Service',
      ...structuredClone(body),
      metadata: {
        ...structuredClone(body.metadata),
        namespace: ns,
        uid: randomUUID(),
        resourceVersion: this.bump(),
        creationTimestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      },
      status: { loadBalancer: {} },
    };
    this.allocate(o);
    this.services.set(key, o);
    if (!this.ready.has(key)) this.ready.set(key, this.defaultReadyEndpoints);
    return o;
  }

  replace(ns: string, name: string, body: Obj): Obj {
    const key = `${ns}/${name}`;
    const old = this.services.get(key);
    if (!old) throw new KubeError(404, 'NotFound', `services "${name}" not found`, { name, kind: 'services' });
    if (body.metadata?.resourceVersion && body.metadata.resourceVersion !== old.metadata.resourceVersion) {
      throw new KubeError(
        409,
        'Conflict',
        `Operation cannot be fulfilled on services "${name}": the object has been modified; please apply your changes to the latest version and try again`,
        { name, kind: 'services' },
      );
    }
    this.validate(body, old);
    const o: Obj = {
      apiVersion: 'v1',
      kind: 'Service',
      ...structuredClone(body),
      metadata: {
        ...structuredClone(body.metadata),
        namespace: ns,
        name,
        uid: old.metadata['uid'],
        creationTimestamp: old.metadata['creationTimestamp'],
        resourceVersion: this.bump(),
      },
      status: old.status ?? {},
    };
    this.allocate(o, old);
    if (o.spec?.['type'] !== 'LoadBalancer') o.status = { loadBalancer: {} };
    this.services.set(key, o);
    return o;
  }

  remove(ns: string, name: string, preconditionRv?: string): Obj {
    const key = `${ns}/${name}`;
    const old = this.services.get(key);
    if (!old) throw new KubeError(404, 'NotFound', `services "${name}" not found`, { name, kind: 'services' });
    if (preconditionRv && preconditionRv !== old.metadata.resourceVersion)
      throw new KubeError(409, 'Conflict', `Precondition failed: ResourceVersion in precondition: ${preconditionRv}`, { name, kind: 'services' });
    this.services.delete(key);
    this.ready.delete(key);
    return old;
  }

  endpointSlices(ns: string | undefined, serviceName?: string): Obj[] {
    const out: Obj[] = [];
    for (const [key, svc] of this.services) {
      const [sns, sname] = key.split('/') as [string, string];
      if ((ns && sns !== ns) || (serviceName && sname !== serviceName)) continue;
      const n = this.ready.get(key) ?? 0;
      out.push({
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { name: `${sname}-abc12`, namespace: sns, labels: { 'kubernetes.io/service-name': sname } },
        ...{
          addressType: 'IPv4',
          endpoints: Array.from({ length: n }, (_, i) => ({ addresses: [`10.244.${i >> 8}.${(i & 255) + 1}`], conditions: { ready: true } })),
          ports: ((svc.spec?.['ports'] as { port: number }[] | undefined) ?? []).map((p) => ({ port: p.port, protocol: 'TCP' })),
        },
      } as Obj);
    }
    return out;
  }
}
