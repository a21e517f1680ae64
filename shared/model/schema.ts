/**
 * Structural schemas (OpenAPI v3 / JSON Schema) of the API's kinds, with a description on every
 * field. One source serves two uses: strict decoding (unknown fields, wrong types) and the OpenAPI
 * documents kubectl reads for `explain`, `create -f` and `apply` (shared/api/openapi.ts). Every
 * field has one plain `type` (no type arrays: kubectl cannot explain those); `null` in a request
 * means "not set", as for kube-apiserver's Go types, and is dropped before checking (decode.ts).
 */
export type Schema = Record<string, unknown>;

const str: Schema = { type: 'string' };
const int: Schema = { type: 'integer', format: 'int32' };
const int64: Schema = { type: 'integer', format: 'int64' };
const bool: Schema = { type: 'boolean' };
const time: Schema = { type: 'string', format: 'date-time' };
const strMap: Schema = { type: 'object', additionalProperties: str };
const strList: Schema = { type: 'array', items: str };
const intOrString: Schema = { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] };
const anyObj: Schema = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };

/** A field: its schema with a description kubectl explain prints. */
function f(description: string, schema: Schema): Schema {
  return { ...schema, description };
}

function obj(description: string, properties: Record<string, Schema>, required: string[] = []): Schema {
  return { type: 'object', description, properties, additionalProperties: false, ...(required.length ? { required } : {}) };
}

const apiVersion = f('Versioned schema of this representation of the object; the server rejects a value it does not serve.', str);
const kind = f('The REST resource this object represents, in CamelCase.', str);

export const objectMeta = obj('Standard object metadata: identity, labels, annotations and bookkeeping the server keeps.', {
  name: f('Unique name within the namespace (or the cluster, for cluster-scoped kinds). Cannot be changed.', str),
  generateName: f('Prefix the server completes with random characters to make a unique name when name is empty.', str),
  namespace: f('Namespace of a namespaced object; empty for cluster-scoped kinds.', str),
  uid: f('Unique id the server assigns at creation; never reused.', str),
  resourceVersion: f('Opaque version the server changes on every write; send it back to detect concurrent changes (409 Conflict).', str),
  generation: f('Counter of changes to the desired state (spec), set by the server.', int64),
  creationTimestamp: f('When the server created the object (RFC 3339, UTC). Read-only.', time),
  deletionTimestamp: f('When deletion was requested; the object goes once its finalizers are done. Read-only.', time),
  deletionGracePeriodSeconds: f('Seconds allowed for graceful deletion. Read-only.', int64),
  labels: f('Key/value pairs that selectors match (placement, label selectors on list).', strMap),
  annotations: f('Key/value pairs for tools and controllers; not used to select objects.', strMap),
  finalizers: f('Cleanups that must finish before the object is removed (skyfed uses them to remove member Services).', strList),
  selfLink: f('Deprecated; not set.', str),
  managedFields: f('Which field manager set which fields, as server-side apply records it.', { type: 'array', items: anyObj }),
  ownerReferences: f('Objects this one depends on.', { type: 'array', items: anyObj }),
});

const condition = obj('One aspect of the current state.', {
  type: f('Kind of condition, e.g. Ready or Offline.', str),
  status: f('True, False or Unknown.', str),
  lastProbeTime: f('When the condition was last checked.', time),
  lastTransitionTime: f('When the status last changed.', time),
  lastHeartbeatTime: f('When the condition was last reported.', time),
  reason: f('One-word CamelCase reason for the last transition.', str),
  message: f('Human-readable details of the last transition.', str),
  observedGeneration: f('The metadata.generation the condition was computed from.', int64),
});

export const clusterSchema = obj(
  'A member cluster of the federation: where its API server is, the Secret with its credentials, and where it runs. Federated Services are propagated to every Ready cluster their placement selects.',
  {
    apiVersion,
    kind,
    metadata: objectMeta,
    spec: obj('How to reach the member cluster and where it is.', {
      serverAddressByClientCIDRs: f(
        'Addresses of the member API server; the first entry whose clientCIDR contains the caller is used (0.0.0.0/0 matches all).',
        {
          type: 'array',
          items: obj('A member API server address for clients in a CIDR.', {
            clientCIDR: f('Clients in this CIDR use serverAddress, e.g. 0.0.0.0/0.', str),
            serverAddress: f('host:port or https URL of the member API server.', str),
          }),
        },
      ),
      secretRef: obj(
        'The Secret in namespace federation-system whose key "kubeconfig" holds inline credentials for the member (no exec plugins or file paths).',
        {
          name: f('Name of the Secret.', str),
          namespace: f('Namespace of the Secret; only federation-system is accepted.', str),
        },
      ),
      region: f("Region of the cluster for regional DNS names; overrides the nodes' topology.kubernetes.io/region label.", str),
      zones: f("Zones of the cluster for zonal DNS names; overrides the nodes' topology.kubernetes.io/zone labels.", strList),
      clusterDomain: f('DNS domain of the member cluster (default cluster.local), used for in-cluster discovery names.', str),
      dns: obj('In-cluster discovery settings.', {
        manageCoreDNS: f('Let skyfed add its server block to the member CoreDNS Corefile (and remove it when the Cluster leaves).', bool),
      }),
    }),
    status: obj('What skyfed last observed about the member (written by skyfed).', {
      conditions: f('Ready (the member API server answers) and Offline (it does not), with reasons.', { type: 'array', items: condition }),
      zones: f("Zones in use: from spec.zones, else from the member's node labels.", strList),
      region: f("Region in use: from spec.region, else from the member's node labels.", str),
      version: f('gitVersion the member API server reports at /version.', str),
    }),
  },
);

const servicePort = obj('A port the Service exposes.', {
  name: f('Name of the port (a DNS-1123 label); required when there is more than one port.', str),
  protocol: f('TCP (default), UDP or SCTP.', str),
  appProtocol: f('Application protocol of the port, e.g. http or kubernetes.io/h2c.', str),
  port: f('Port the Service listens on.', int),
  targetPort: f('Port (number or name) on the selected pods; defaults to port.', intOrString),
  nodePort: f('Port on every node (NodePort and LoadBalancer types); each member allocates its own and skyfed keeps it.', int),
});

const lbIngress = obj('One load-balancer address of a shard.', {
  ip: f('IP address of the load balancer.', str),
  hostname: f('DNS name of the load balancer (e.g. AWS ELB).', str),
  ipMode: f('How traffic reaches the load balancer IP: VIP or Proxy.', str),
  ports: f('Status of each port.', {
    type: 'array',
    items: obj('Status of a load-balancer port.', {
      port: f('Port number.', int),
      protocol: f('Port protocol.', str),
      error: f('Problem with the port, if any.', str),
    }),
  }),
});

export const serviceSchema = obj(
  'A federated Service: the same Service created in every member cluster its placement selects, with DNS names over the healthy shards.',
  {
    apiVersion,
    kind,
    metadata: objectMeta,
    spec: obj('The Service as each member cluster should run it.', {
      ports: f('Ports the Service exposes.', { type: 'array', items: servicePort }),
      selector: f('Pods with these labels receive the traffic in every member.', strMap),
      clusterIP: f('Cluster IP in a member; each member allocates its own, so it is not propagated.', str),
      clusterIPs: f('Cluster IPs in a member; allocated per member.', strList),
      type: f('ClusterIP, NodePort, LoadBalancer or ExternalName. Only LoadBalancer Services get federated DNS records.', str),
      externalIPs: f('Extra IPs the member nodes accept traffic for.', strList),
      sessionAffinity: f('ClientIP or None.', str),
      loadBalancerIP: f('Deprecated: requested load-balancer IP.', str),
      loadBalancerSourceRanges: f('Client CIDRs the load balancer admits.', strList),
      externalName: f('DNS name an ExternalName Service points to.', str),
      externalTrafficPolicy: f('Cluster or Local routing of external traffic.', str),
      healthCheckNodePort: f('Health-check node port for externalTrafficPolicy Local; allocated per member.', int),
      publishNotReadyAddresses: f('Publish addresses of pods that are not ready.', bool),
      sessionAffinityConfig: obj('Session affinity settings.', {
        clientIP: obj('ClientIP affinity settings.', { timeoutSeconds: f('Seconds a session sticks.', int) }),
      }),
      ipFamilies: f('IP families (IPv4, IPv6) of the Service.', strList),
      ipFamilyPolicy: f('SingleStack, PreferDualStack or RequireDualStack.', str),
      allocateLoadBalancerNodePorts: f('Whether LoadBalancer Services get node ports.', bool),
      loadBalancerClass: f('Which load-balancer implementation to use.', str),
      internalTrafficPolicy: f('Cluster or Local routing of in-cluster traffic.', str),
      trafficDistribution: f('Preference for how traffic is spread, e.g. PreferClose.', str),
    }),
    status: {
      type: 'object',
      'x-kubernetes-preserve-unknown-fields': true,
      description: 'The federated state, written by skyfed: load-balancer addresses of all shards and per-cluster detail.',
      properties: {
        loadBalancer: obj('Load-balancer addresses of every shard.', { ingress: f('One entry per shard address.', { type: 'array', items: lbIngress }) }),
        conditions: f('Conditions of the federated Service.', { type: 'array', items: condition }),
      },
    },
  },
);

export const secretSchema = obj("Credentials, e.g. a member cluster's kubeconfig. Stored encrypted; data is write-only and never returned.", {
  apiVersion,
  kind,
  metadata: objectMeta,
  type: f('Type of the secret, e.g. Opaque.', str),
  immutable: f('If true, data cannot change after creation.', bool),
  data: f('Base64-encoded values by key (write-only). A member credential uses the key "kubeconfig".', {
    type: 'object',
    additionalProperties: { type: 'string', format: 'byte' },
  }),
  stringData: f('Plain-text values by key, merged into data on write (write-only).', strMap),
});

export const deleteOptionsSchema = obj('Options for a delete.', {
  apiVersion,
  kind,
  propagationPolicy: f('Orphan, Background or Foreground: whether member objects are deleted too.', str),
  gracePeriodSeconds: f('Seconds before the object is deleted.', int64),
  orphanDependents: f('Deprecated: use propagationPolicy Orphan.', bool),
  dryRun: f('All: check the delete without doing it.', strList),
  preconditions: obj('Delete only if these still match.', {
    uid: f('Expected metadata.uid.', str),
    resourceVersion: f('Expected metadata.resourceVersion.', str),
  }),
});
