/**
 * The member object a federated Service wants in each cluster, and whether a live member already
 * matches it. The member keeps what its cluster allocated (clusterIP(s), nodePorts,
 * healthCheckNodePort, IP families); everything else follows the federated Service.
 */
import { KubeObject, SKYFED, keyOf } from '../model/meta';
import { Service, ServicePort, ServiceSpec } from '../model/service';

/** Annotations that steer skyfed itself and are not copied to members. */
const FEDERATION_ONLY = [
  SKYFED.federatedUid,
  SKYFED.clusterSelector,
  SKYFED.serviceIngresses,
  SKYFED.adopt,
  SKYFED.dnsPolicy,
  'kubectl.kubernetes.io/last-applied-configuration',
];

export interface MemberService extends KubeObject {
  spec: ServiceSpec;
  status?: Service['status'];
}

/** The federated Service's `namespace/name` (model/meta.ts keyOf). */
export const federatedKey = keyOf;

export function isManaged(m: MemberService): boolean {
  return m.metadata.labels?.[SKYFED.managedBy] === SKYFED.managedByValue;
}

export function desiredMember(fed: Service): MemberService {
  const annotations = Object.fromEntries(Object.entries(fed.metadata.annotations ?? {}).filter(([k]) => !FEDERATION_ONLY.includes(k)));
  const spec: ServiceSpec = structuredClone(fed.spec);
  if (spec.clusterIP !== 'None') {
    delete spec.clusterIP;
    delete spec.clusterIPs;
  }
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: fed.metadata.name as string,
      namespace: fed.metadata.namespace as string,
      labels: { ...(fed.metadata.labels ?? {}), [SKYFED.managedBy]: SKYFED.managedByValue },
      annotations: { ...annotations, [SKYFED.federatedService]: federatedKey(fed), ...(fed.metadata.uid ? { [SKYFED.federatedUid]: fed.metadata.uid } : {}) },
    },
    spec,
  };
}

const takesNodePorts = (spec: ServiceSpec): boolean => spec.type === 'NodePort' || spec.type === 'LoadBalancer';

function portKey(p: ServicePort): string {
  return `${p.port}/${p.protocol ?? 'TCP'}`;
}

/** The body to write over `live`: desired fields, with what the member allocated kept. */
export function mergeForUpdate(desired: MemberService, live: MemberService): MemberService {
  const spec: ServiceSpec = { ...desired.spec };
  const liveSpec = live.spec;
  if (spec.clusterIP !== 'None') {
    if (liveSpec.clusterIP !== undefined) spec.clusterIP = liveSpec.clusterIP;
    if (liveSpec.clusterIPs !== undefined) spec.clusterIPs = liveSpec.clusterIPs;
    if (spec.ipFamilies === undefined && liveSpec.ipFamilies !== undefined) spec.ipFamilies = liveSpec.ipFamilies;
    if (spec.ipFamilyPolicy === undefined && liveSpec.ipFamilyPolicy !== undefined) spec.ipFamilyPolicy = liveSpec.ipFamilyPolicy;
  }
  if (takesNodePorts(spec)) {
    const allocated = new Map((liveSpec.ports ?? []).map((p) => [portKey(p), p.nodePort]));
    spec.ports = (spec.ports ?? []).map((p) =>
      p.nodePort === undefined && allocated.get(portKey(p)) !== undefined ? { ...p, nodePort: allocated.get(portKey(p)) as number } : p,
    );
    if (
      spec.type === 'LoadBalancer' &&
      spec.externalTrafficPolicy === 'Local' &&
      liveSpec.healthCheckNodePort !== undefined &&
      spec.healthCheckNodePort === undefined
    ) {
      spec.healthCheckNodePort = liveSpec.healthCheckNodePort;
    }
  }
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { ...live.metadata, labels: desired.metadata.labels ?? {}, annotations: desired.metadata.annotations ?? {} },
    spec,
  };
}

function sameMap(a: Readonly<Record<string, string>> | undefined, b: Readonly<Record<string, string>> | undefined): boolean {
  const ea = Object.entries(a ?? {}).sort();
  const eb = Object.entries(b ?? {}).sort();
  return JSON.stringify(ea) === JSON.stringify(eb);
}

/** Deep-equal with object keys in any order. */
function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => same(x, b[i]));
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a as object)
      .filter((k) => (a as Record<string, unknown>)[k] !== undefined)
      .sort();
    const kb = Object.keys(b as object)
      .filter((k) => (b as Record<string, unknown>)[k] !== undefined)
      .sort();
    return same(ka, kb) && ka.every((k) => same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return false;
}

/**
 * True when `live` already is what we would write: labels and annotations equal, and every spec
 * field of the merged body equal to the live one (fields the member server defaulted and we do not
 * set are ignored).
 */
export function equivalent(desired: MemberService, live: MemberService): boolean {
  if (!sameMap(desired.metadata.labels, live.metadata.labels) || !sameMap(desired.metadata.annotations, live.metadata.annotations)) return false;
  const merged = mergeForUpdate(desired, live).spec;
  return Object.entries(merged).every(([k, v]) => {
    if (v === undefined) return true;
    const lv = (live.spec as Record<string, unknown>)[k];
    if (k === 'ports') return same(normalisePorts(v as ServicePort[]), normalisePorts((lv as ServicePort[] | undefined) ?? []));
    return same(v, lv);
  });
}

function normalisePorts(ports: readonly ServicePort[]): ServicePort[] {
  return ports.map((p) => ({ ...p, protocol: p.protocol ?? 'TCP', targetPort: p.targetPort ?? p.port }));
}
