/**
 * Structural schemas (OpenAPI v3 / JSON Schema) of the API's kinds. One source serves two uses:
 * strict decoding (unknown fields, wrong types) and the `/openapi/v3` documents kubectl reads.
 */
export type Schema = Record<string, unknown>;

const str: Schema = { type: 'string' };
const int: Schema = { type: 'integer' };
const bool: Schema = { type: 'boolean' };
const strMap: Schema = { type: 'object', additionalProperties: str };
const strList: Schema = { type: 'array', items: str };
const intOrString: Schema = { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] };
const anyObj: Schema = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };

function obj(properties: Record<string, Schema>, required: string[] = []): Schema {
  return { type: 'object', properties, additionalProperties: false, ...(required.length ? { required } : {}) };
}

export const objectMeta = obj({
  name: str, generateName: str, namespace: str, uid: str, resourceVersion: str, generation: int,
  creationTimestamp: { type: ['string', 'null'] }, deletionTimestamp: str, deletionGracePeriodSeconds: int,
  labels: strMap, annotations: strMap, finalizers: strList, selfLink: str,
  managedFields: { type: 'array', items: anyObj }, ownerReferences: { type: 'array', items: anyObj },
});

const condition = obj({
  type: str, status: str, lastProbeTime: str, lastTransitionTime: str, lastHeartbeatTime: str,
  reason: str, message: str, observedGeneration: int,
});

export const clusterSchema = obj({
  apiVersion: str, kind: str, metadata: objectMeta,
  spec: obj({
    serverAddressByClientCIDRs: { type: 'array', items: obj({ clientCIDR: str, serverAddress: str }) },
    secretRef: obj({ name: str, namespace: str }),
    region: str,
    zones: strList,
    clusterDomain: str,
    dns: obj({ manageCoreDNS: bool }),
  }),
  status: obj({ conditions: { type: 'array', items: condition }, zones: strList, region: str, version: str }),
});

const servicePort = obj({
  name: str, protocol: str, appProtocol: str, port: int, targetPort: intOrString, nodePort: int,
});

const lbIngress = obj({
  ip: str, hostname: str, ipMode: str,
  ports: { type: 'array', items: obj({ port: int, protocol: str, error: str }) },
});

export const serviceSchema = obj({
  apiVersion: str, kind: str, metadata: objectMeta,
  spec: obj({
    ports: { type: 'array', items: servicePort },
    selector: strMap, clusterIP: str, clusterIPs: strList, type: str, externalIPs: strList,
    sessionAffinity: str, loadBalancerIP: str, loadBalancerSourceRanges: strList, externalName: str,
    externalTrafficPolicy: str, healthCheckNodePort: int, publishNotReadyAddresses: bool,
    sessionAffinityConfig: obj({ clientIP: obj({ timeoutSeconds: int }) }),
    ipFamilies: strList, ipFamilyPolicy: str, allocateLoadBalancerNodePorts: bool,
    loadBalancerClass: str, internalTrafficPolicy: str, trafficDistribution: str,
  }),
  status: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: {
    loadBalancer: obj({ ingress: { type: 'array', items: lbIngress } }),
    conditions: { type: 'array', items: condition },
  } },
});

export const secretSchema = obj({
  apiVersion: str, kind: str, metadata: objectMeta,
  type: str, immutable: bool,
  data: { type: 'object', additionalProperties: { type: 'string', format: 'byte' } },
  stringData: strMap,
});

export const deleteOptionsSchema = obj({
  apiVersion: str, kind: str, propagationPolicy: str, gracePeriodSeconds: int, orphanDependents: bool,
  dryRun: strList, preconditions: obj({ uid: str, resourceVersion: str }),
});
