/** The federated Service: a core v1 Service as the user writes it, validated like kube-apiserver does. */
import {
  FieldErrors,
  cidr,
  dns1035Label,
  dns1123Subdomain,
  isIPv4,
  isIPv6,
  labelValue,
  portName,
  portNumber,
  servicePortName,
  qualifiedName,
  isProbePath,
} from '../k8s/validation';
import { ALL_DOWN_POLICIES } from '../dns/desired';
import { parseClusterSelector } from '../propagation/placement';
import { validateMeta } from './common';
import { KubeObject, SKYFED } from './meta';

export const SERVICE_TYPES = ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'] as const;
export const PROTOCOLS = ['TCP', 'UDP', 'SCTP'] as const;
export type ServiceType = (typeof SERVICE_TYPES)[number];

export interface ServicePort {
  name?: string;
  protocol?: string;
  appProtocol?: string;
  port: number;
  targetPort?: number | string;
  nodePort?: number;
}

export interface LoadBalancerIngress {
  ip?: string;
  hostname?: string;
  ipMode?: string;
  ports?: { port: number; protocol: string; error?: string }[];
}

export interface ServiceSpec {
  ports?: ServicePort[];
  selector?: Record<string, string>;
  clusterIP?: string;
  clusterIPs?: string[];
  type?: ServiceType;
  externalIPs?: string[];
  sessionAffinity?: string;
  loadBalancerIP?: string;
  loadBalancerSourceRanges?: string[];
  externalName?: string;
  externalTrafficPolicy?: string;
  healthCheckNodePort?: number;
  publishNotReadyAddresses?: boolean;
  ipFamilies?: string[];
  ipFamilyPolicy?: string;
  allocateLoadBalancerNodePorts?: boolean;
  loadBalancerClass?: string;
  internalTrafficPolicy?: string;
  [field: string]: unknown;
}

export interface Service extends KubeObject {
  spec: ServiceSpec;
  status?: { loadBalancer?: { ingress?: LoadBalancerIngress[] }; [field: string]: unknown };
}

/** Fills the defaults kube-apiserver fills, so stored objects read back as kubectl expects. */
export function defaultService(s: Service): Service {
  const spec = s.spec;
  spec.type ??= 'ClusterIP';
  if (spec.type !== 'ExternalName') {
    spec.sessionAffinity ??= 'None';
    spec.internalTrafficPolicy ??= 'Cluster';
    for (const p of spec.ports ?? []) {
      p.protocol ??= 'TCP';
      p.targetPort ??= p.port;
    }
  }
  if ((spec.type === 'LoadBalancer' || spec.type === 'NodePort') && spec.externalTrafficPolicy === undefined) {
    spec.externalTrafficPolicy = 'Cluster';
  }
  return s;
}

export function validateService(s: Service): FieldErrors {
  const errs = new FieldErrors();
  validateMeta(s.metadata, errs, dns1035Label, true);
  const spec = s.spec;
  if (!spec || typeof spec !== 'object') {
    errs.required('spec');
    return errs;
  }
  const type = spec.type ?? 'ClusterIP';
  if (!SERVICE_TYPES.includes(type)) errs.notSupported('spec.type', type, SERVICE_TYPES);
  const ports = spec.ports ?? [];
  const headless = spec.clusterIP === 'None';
  if (type === 'ExternalName') {
    if (!spec.externalName) errs.required('spec.externalName');
    else errs.check('spec.externalName', spec.externalName, dns1123Subdomain(spec.externalName.replace(/\.$/, '')));
  } else if (ports.length === 0 && !headless) {
    errs.required('spec.ports');
  }
  const names = new Set<string>();
  const keys = new Set<string>();
  ports.forEach((p, i) => {
    const f = `spec.ports[${i}]`;
    if (ports.length > 1 && !p.name) errs.required(`${f}.name`);
    if (p.name) {
      errs.check(`${f}.name`, p.name, servicePortName(p.name));
      if (names.has(p.name)) errs.duplicate(`${f}.name`, p.name);
      names.add(p.name);
    }
    errs.check(`${f}.port`, p.port, portNumber(p.port));
    const proto = p.protocol ?? 'TCP';
    if (!(PROTOCOLS as readonly string[]).includes(proto)) errs.notSupported(`${f}.protocol`, proto, PROTOCOLS);
    const key = `${p.port}/${proto}`;
    if (keys.has(key)) errs.duplicate(f, { port: p.port, protocol: proto });
    keys.add(key);
    if (typeof p.targetPort === 'number') errs.check(`${f}.targetPort`, p.targetPort, portNumber(p.targetPort));
    if (typeof p.targetPort === 'string') errs.check(`${f}.targetPort`, p.targetPort, portName(p.targetPort));
    if (p.nodePort !== undefined) {
      if (type !== 'NodePort' && type !== 'LoadBalancer') errs.forbidden(`${f}.nodePort`, "may not be used when `type` is 'ClusterIP'");
      else if (!(Number.isInteger(p.nodePort) && p.nodePort >= 30000 && p.nodePort <= 32767)) {
        errs.check(`${f}.nodePort`, p.nodePort, ['provided port is not in the valid range. The range of valid ports is 30000-32767']);
      }
    }
  });
  if (spec.clusterIP !== undefined && spec.clusterIP !== '' && spec.clusterIP !== 'None') {
    errs.forbidden('spec.clusterIP', 'must be empty or "None" on a federated Service: each member cluster allocates its own');
  }
  if (spec.clusterIPs !== undefined && spec.clusterIPs.some((ip) => ip !== 'None')) {
    errs.forbidden('spec.clusterIPs', 'is allocated by each member cluster and may not be set on a federated Service');
  }
  for (const [k, v] of Object.entries(spec.selector ?? {})) {
    errs.check('spec.selector', k, qualifiedName(k));
    errs.check('spec.selector', v, labelValue(v));
  }
  if (spec.sessionAffinity !== undefined && !['None', 'ClientIP'].includes(spec.sessionAffinity)) {
    errs.notSupported('spec.sessionAffinity', spec.sessionAffinity, ['ClientIP', 'None']);
  }
  if (spec.externalTrafficPolicy !== undefined) {
    if (!['Cluster', 'Local'].includes(spec.externalTrafficPolicy))
      errs.notSupported('spec.externalTrafficPolicy', spec.externalTrafficPolicy, ['Cluster', 'Local']);
    else if (type !== 'NodePort' && type !== 'LoadBalancer')
      errs.forbidden('spec.externalTrafficPolicy', "may only be set when `type` is 'NodePort' or 'LoadBalancer'");
  }
  (spec.externalIPs ?? []).forEach((ip, i) => {
    if (!isIPv4(ip) && !isIPv6(ip)) errs.check(`spec.externalIPs[${i}]`, ip, ['must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)']);
  });
  (spec.loadBalancerSourceRanges ?? []).forEach((r, i) => errs.check(`spec.loadBalancerSourceRanges[${i}]`, r, cidr(r)));
  const selector = parseClusterSelector(s.metadata.annotations?.[SKYFED.clusterSelector]);
  for (const p of selector.problems) errs.check(`metadata.annotations[${SKYFED.clusterSelector}]`, '<selector>', [p]);
  const policy = s.metadata.annotations?.[SKYFED.dnsPolicy];
  if (policy !== undefined && !(ALL_DOWN_POLICIES as readonly string[]).includes(policy)) {
    errs.notSupported(`metadata.annotations[${SKYFED.dnsPolicy}]`, policy, [...ALL_DOWN_POLICIES]);
  }
  const probePath = s.metadata.annotations?.[SKYFED.probePath];
  if (probePath !== undefined && !isProbePath(probePath)) {
    errs.check(`metadata.annotations[${SKYFED.probePath}]`, '<path>', [
      'must be a URL path starting with "/", printable characters without spaces, at most 1024 characters',
    ]);
  }
  const adopt = s.metadata.annotations?.[SKYFED.adopt];
  if (adopt !== undefined && adopt !== 'true' && adopt !== 'false') errs.notSupported(`metadata.annotations[${SKYFED.adopt}]`, adopt, ['true', 'false']);
  if (spec.loadBalancerIP !== undefined && spec.loadBalancerIP !== '') {
    errs.forbidden('spec.loadBalancerIP', 'a federated Service cannot pin one load-balancer IP across clusters');
  }
  return errs;
}

/** PORT(S) column, e.g. `80:31234/TCP,443/TCP` (member nodePorts are not known at federation level). */
export function formatPorts(spec: ServiceSpec): string {
  const ports = spec.ports ?? [];
  if (ports.length === 0) return '<none>';
  return ports.map((p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol ?? 'TCP'}`).join(',');
}

/**
 * On a type change, drops the fields the old type implied and the writer did not change (kube-apiserver's
 * dropTypeDependentFields), so applying `type: ClusterIP` over a LoadBalancer is not refused for
 * the defaulted externalTrafficPolicy the client never set.
 */
export function dropTypeDependentFields(next: Service, old: Service): Service {
  const spec = next.spec;
  const was = old.spec;
  const type = spec.type ?? 'ClusterIP';
  if (type === (was.type ?? 'ClusterIP')) return next;
  const external = type === 'NodePort' || type === 'LoadBalancer';
  if (!external) {
    for (const p of spec.ports ?? []) {
      const before = (was.ports ?? []).find((x) => x.port === p.port && (x.protocol ?? 'TCP') === (p.protocol ?? 'TCP'));
      if (p.nodePort !== undefined && p.nodePort === before?.nodePort) delete p.nodePort;
    }
    if (spec.externalTrafficPolicy !== undefined && spec.externalTrafficPolicy === was.externalTrafficPolicy) delete spec.externalTrafficPolicy;
  }
  if (type !== 'LoadBalancer') {
    if (spec.healthCheckNodePort !== undefined && spec.healthCheckNodePort === was.healthCheckNodePort) delete spec.healthCheckNodePort;
    if (spec.allocateLoadBalancerNodePorts !== undefined && spec.allocateLoadBalancerNodePorts === was.allocateLoadBalancerNodePorts)
      delete spec.allocateLoadBalancerNodePorts;
    if (spec.loadBalancerClass !== undefined && spec.loadBalancerClass === was.loadBalancerClass) delete spec.loadBalancerClass;
  }
  return next;
}
