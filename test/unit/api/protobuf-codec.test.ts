/**
 * Kubernetes protobuf bodies: bytes captured from the real kubectl 1.33 (which sends protobuf for
 * `create secret generic`, `create service`, `create namespace` and `auth can-i`) decode to the JSON
 * kube-apiserver would see, and what skyfed encodes decodes back to the same object.
 */
import { ApiError } from '../../../shared/k8s/status';
import { decodeObject, encodeObject, hasProtobuf } from '../../../shared/api/protobuf/codec';

const fromHex = (h: string): Buffer => Buffer.from(h, 'hex');
const ACCEPTED = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];

// kubectl.1.33 create secret generic s1 --from-literal=kubeconfig=hello -n federation-system
const SECRET =
  '6b3873000a0c0a0276311206536563726574123c0a230a02733112001a1166656465726174696f6e2d73797374656d22002a0032003800420012130a0a6b756265636f6e666967120568656c6c6f1a001a002200';
// kubectl.1.33 create service clusterip web --tcp=80:8080 -n ns1
const SERVICE =
  '6b3873000a0d0a027631120753657276696365126c0a220a0377656212001a036e733122002a003200380042005a0a0a03617070120377656212420a1b0a0738302d38303830120354435018502207080010903f1a002800120a0a0361707012037765621a002209436c757374657249503a00420052005a00600068001a020a001a002200';
// kubectl.1.33 create namespace foo
const NAMESPACE = '6b3873000a0f0a02763112094e616d657370616365121b0a130a03666f6f12001a0022002a0032003800420012001a020a001a002200';
// kubectl.1.33 auth can-i get services
const ACCESS_REVIEW =
  '6b3873000a320a17617574686f72697a6174696f6e2e6b38732e696f2f7631121753656c665375626a65637441636365737352657669657712400a100a0012001a0022002a0032003800420012220a200a0764656661756c7412036765741a0022002a08736572766963657332003a001a08080012001a0020001a002200';

test.each([
  [
    'secret',
    SECRET,
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's1', namespace: 'federation-system' },
      data: { kubeconfig: Buffer.from('hello').toString('base64') },
    },
  ],
  [
    'service',
    SERVICE,
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'ns1', labels: { app: 'web' } },
      spec: { ports: [{ name: '80-8080', protocol: 'TCP', port: 80, targetPort: 8080 }], selector: { app: 'web' }, type: 'ClusterIP' },
      status: { loadBalancer: {} },
    },
  ],
  ['namespace', NAMESPACE, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'foo' }, spec: {}, status: {} }],
  [
    'self-subject access review',
    ACCESS_REVIEW,
    {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectAccessReview',
      metadata: {},
      spec: { resourceAttributes: { namespace: 'default', verb: 'get', resource: 'services' } },
      status: {},
    },
  ],
])("kubectl's protobuf %s decodes to the JSON kube-apiserver sees", (_what, hex, expected) => {
  expect(decodeObject(fromHex(hex), ACCEPTED)).toEqual(expected);
});

test('an object encoded by skyfed decodes to itself (timestamps, int-or-string, pointers, lists, Status)', () => {
  const service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: 'nginx',
      namespace: 'ns',
      uid: 'u-1',
      resourceVersion: '12',
      generation: 3,
      creationTimestamp: '2026-01-02T03:04:05Z',
      annotations: { a: 'b' },
      finalizers: ['skyfed.io/x'],
    },
    spec: {
      type: 'LoadBalancer',
      ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 'web' }],
      allocateLoadBalancerNodePorts: false,
      ipFamilyPolicy: 'SingleStack',
      sessionAffinityConfig: { clientIP: { timeoutSeconds: 0 } },
    },
    status: {
      loadBalancer: { ingress: [{ ip: '203.0.113.7' }, { hostname: 'lb.example.com', ipMode: 'VIP' }] },
      conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2026-01-02T03:04:06Z', reason: 'R', message: 'm' }],
    },
  };
  const bytes = encodeObject(service);
  expect(bytes?.subarray(0, 4)).toEqual(Buffer.from('k8s\0', 'latin1'));
  expect(decodeObject(bytes as Buffer, ACCEPTED)).toEqual(service);

  const list = {
    apiVersion: 'v1',
    kind: 'SecretList',
    metadata: { resourceVersion: '99', continue: 'abc', remainingItemCount: 0 },
    items: [{ metadata: { name: 'a' }, type: 'Opaque', immutable: true }],
  };
  expect(decodeObject(encodeObject(list) as Buffer, ACCEPTED)).toEqual(list);

  const status = {
    apiVersion: 'v1',
    kind: 'Status',
    metadata: {},
    status: 'Failure',
    message: 'services "x" not found',
    reason: 'NotFound',
    code: 404,
    details: { name: 'x', kind: 'services' },
  };
  expect(decodeObject(encodeObject(status) as Buffer, ACCEPTED)).toEqual(status);

  const managed = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: 's',
      managedFields: [
        {
          manager: 'kubectl',
          operation: 'Apply',
          apiVersion: 'v1',
          time: '2026-01-02T03:04:05Z',
          fieldsType: 'FieldsV1',
          fieldsV1: { 'f:data': { 'f:k': {} } },
        },
      ],
    },
  };
  expect(decodeObject(encodeObject(managed) as Buffer, ACCEPTED)).toEqual(managed);
});

test('custom-resource-like kinds are JSON only; a foreign body is refused with the kube-apiserver reason', () => {
  expect(hasProtobuf('federation/v1beta1', 'Cluster')).toBe(false);
  expect(encodeObject({ apiVersion: 'federation/v1beta1', kind: 'Cluster' })).toBeUndefined();
  expect(hasProtobuf('meta.k8s.io/v1', 'DeleteOptions')).toBe(true);
  const notProto = (): unknown => decodeObject(Buffer.from('{"kind":"Secret"}'), ACCEPTED);
  expect(notProto).toThrow(ApiError);
  expect(notProto).toThrow(expect.objectContaining({ code: 400, reason: 'BadRequest' }) as Error);
  // A Cluster in a protobuf envelope: kube-apiserver answers 415 for custom resources.
  const cluster = Buffer.concat([Buffer.from('k8s\0', 'latin1'), fromHex('0a1d0a1266656465726174696f6e2f763162657461311207436c7573746572')]);
  expect(() => decodeObject(cluster, ['application/json'])).toThrow(expect.objectContaining({ code: 415, reason: 'UnsupportedMediaType' }) as Error);
  const truncated = fromHex(SERVICE.slice(0, 80));
  expect(() => decodeObject(truncated, ACCEPTED)).toThrow(expect.objectContaining({ code: 400 }) as Error);
});
