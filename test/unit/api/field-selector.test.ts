/** Field selectors as kube-apiserver parses them: `=`, `==`, `!=` on the fields a kind supports. */
import { matchesFields, parseFieldSelector } from '../../../shared/k8s/selector';
import { ApiError } from '../../../shared/k8s/status';

const nginx = { 'metadata.name': 'nginx', 'metadata.namespace': 'web' };

test.each([
  ['', true], ['metadata.name=nginx', true], ['metadata.name==nginx', true], ['metadata.name!=nginx', false],
  ['metadata.name!=x', true], ['metadata.name=x', false], ['metadata.name!=x,metadata.namespace=web', true],
  ['metadata.name!=x,metadata.namespace!=web', false], ['metadata.name=', false], ['metadata.name!=', true],
])('%p matches nginx in web: %p', (sel, ok) => {
  expect(matchesFields(parseFieldSelector(sel), nginx)).toBe(ok);
});

test.each([
  ['spec.type=LoadBalancer', 'field label not supported: spec.type'],
  ['metadata.labels!=x', 'field label not supported: metadata.labels'],
  ['metadata.name', "invalid selector: 'metadata.name'; can't understand 'metadata.name'"],
])('%p is a 400 BadRequest: %s', (sel, message) => {
  let err: unknown;
  try { parseFieldSelector(sel); } catch (e) { err = e; }
  expect(err).toBeInstanceOf(ApiError);
  expect((err as ApiError).code).toBe(400);
  expect((err as ApiError).message).toBe(message);
});

test('a kind may add its own fields (Secret: type)', () => {
  expect(matchesFields(parseFieldSelector('type!=Opaque', ['metadata.name', 'type']), { type: 'kubernetes.io/tls' })).toBe(true);
});
