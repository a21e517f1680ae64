/** Field selectors as kube-apiserver parses them: `=`, `==`, `!=` on the fields a kind supports. */
import { SelectableFields, matchesFields, parseFieldSelector } from '../../../shared/api/field-selector';
import { ApiError } from '../../../shared/k8s/status';
import { KubeObject } from '../../../shared/model/meta';

const nginx: KubeObject = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'nginx', namespace: 'web' } };

test.each([
  ['', true],
  ['metadata.name=nginx', true],
  ['metadata.name==nginx', true],
  ['metadata.name!=nginx', false],
  ['metadata.name!=x', true],
  ['metadata.name=x', false],
  ['metadata.name!=x,metadata.namespace=web', true],
  ['metadata.name!=x,metadata.namespace!=web', false],
  ['metadata.name=', false],
  ['metadata.name!=', true],
])('%p matches nginx in web: %p', (sel, ok) => {
  expect(matchesFields(parseFieldSelector(sel), nginx)).toBe(ok);
});

test.each([
  ['spec.type=LoadBalancer', 'spec.type'],
  ['metadata.labels!=x', 'metadata.labels'],
  ['metadata.name', 'metadata.name'],
])('%p is a 400 BadRequest naming %s', (sel, field) => {
  let err: unknown;
  try {
    parseFieldSelector(sel);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ApiError);
  expect((err as ApiError).code).toBe(400);
  expect((err as ApiError).message).toContain(field);
});

test('a kind may add its own fields (Secret: type)', () => {
  const secretFields: SelectableFields = { names: ['type'], values: (o) => ({ type: o['type'] as string | undefined }) };
  const tls: KubeObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, type: 'kubernetes.io/tls' } as KubeObject;
  expect(matchesFields(parseFieldSelector('type!=Opaque', secretFields), tls, secretFields)).toBe(true);
});
