/** Service port names are DNS-1123 labels (kube-apiserver's validateServicePort); targetPort names stay IANA service names. */
import { Service, dropTypeDependentFields, validateService } from '../../../shared/model/service';

const svc = (ports: NonNullable<Service['spec']['ports']>): Service => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'x', namespace: 'ns' },
  spec: { ports },
});

test.each<[string, NonNullable<Service['spec']['ports']>, string[]]>([
  ['kubectl create service clusterip x --tcp=80:80 names the port "80-80"', [{ name: '80-80', port: 80, targetPort: 80 }], []],
  ['digits only', [{ name: '8080', port: 8080 }], []],
  ['longer than 15 (IANA limit) but a label', [{ name: 'a-very-long-port-name', port: 80 }], []],
  ['double hyphen', [{ name: 'a--b', port: 80 }], []],
  ['upper case is not a label', [{ name: 'HTTP', port: 80 }], ['spec.ports[0].name']],
  ['underscore', [{ name: 'http_alt', port: 80 }], ['spec.ports[0].name']],
  ['64 characters', [{ name: 'a'.repeat(64), port: 80 }], ['spec.ports[0].name']],
  ['targetPort name is still an IANA name', [{ name: 'web', port: 80, targetPort: '80-80' }], ['spec.ports[0].targetPort']],
])('%s', (_n, ports, fields) => {
  expect(validateService(svc(ports)).causes.map((c) => c.field)).toEqual(fields);
});

test("the message is kube-apiserver's RFC 1123 label wording", () => {
  const [cause] = validateService(svc([{ name: 'HTTP', port: 80 }])).causes;
  expect(cause?.message).toContain('a lowercase RFC 1123 label must consist of lower case alphanumeric characters');
});

describe('a type change drops what the old type implied (kube-apiserver dropTypeDependentFields)', () => {
  const lb: Service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'x', namespace: 'ns' },
    spec: { type: 'LoadBalancer', externalTrafficPolicy: 'Cluster', ports: [{ port: 80, protocol: 'TCP', nodePort: 30080 }] },
  };
  test('LoadBalancer → ClusterIP with the old defaults carried along is valid', () => {
    const next = dropTypeDependentFields(structuredClone({ ...lb, spec: { ...lb.spec, type: 'ClusterIP' } }), lb);
    expect(next.spec).toEqual({ type: 'ClusterIP', ports: [{ port: 80, protocol: 'TCP' }] });
    expect(validateService(next).causes).toEqual([]);
  });
  test('a value the writer changed stays (and is refused as before)', () => {
    const next = dropTypeDependentFields(structuredClone({ ...lb, spec: { ...lb.spec, type: 'ClusterIP', externalTrafficPolicy: 'Local' } }), lb);
    expect(validateService(next).causes.map((c) => c.field)).toEqual(['spec.externalTrafficPolicy']);
  });
});
