/**
 * Pure rules behind issue 8's API findings, as tables: what of a Secret may rest in the store,
 * how deep a body may nest, and how big a stored document is.
 */
import { MAX_NESTING, nestingDepth } from '../../../shared/api/body';
import { LAST_APPLIED_ANNOTATION, REDACTED_VALUE, Secret, secretAtRest, withoutDataValues } from '../../../shared/model/secret';
import { documentSize } from '../../../shared/store/document-size';

const SECRET = 'c2VjcmV0LXZhbHVl'; // base64 of "secret-value"
const secret = (annotations: Record<string, string> = {}, extra: Partial<Secret> = {}): Secret => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 's', namespace: 'n', annotations },
  ...extra,
});

test.each([
  [
    'last-applied with data and stringData',
    JSON.stringify({ data: { a: SECRET }, stringData: { b: 'secret-value' } }),
    { data: { a: REDACTED_VALUE }, stringData: { b: REDACTED_VALUE } },
  ],
  ['last-applied with data not a map', JSON.stringify({ data: SECRET }), { data: REDACTED_VALUE }],
  ['last-applied without data', JSON.stringify({ metadata: { labels: { a: 'b' } } }), { metadata: { labels: { a: 'b' } } }],
  ['last-applied not JSON (dropped)', `data: ${SECRET}`, undefined],
  ['last-applied a JSON string (dropped)', JSON.stringify(SECRET), undefined],
])('%s', (_name, annotation, expected) => {
  const out = withoutDataValues(secret({ [LAST_APPLIED_ANNOTATION]: annotation, other: 'kept' }));
  const got = out.metadata.annotations?.[LAST_APPLIED_ANNOTATION];
  expect(got === undefined ? undefined : JSON.parse(got)).toEqual(expected);
  expect(out.metadata.annotations?.['other']).toBe('kept');
});

test('a record at rest: no data on the object, no values in apply state, sealed data untouched', () => {
  const rec = {
    object: secret({}, { data: { a: SECRET }, stringData: { b: 'secret-value' } }),
    internal: {
      sealed: { ciphertext: 'opaque' },
      applied: { mgr: { data: { a: SECRET }, metadata: { annotations: { [LAST_APPLIED_ANNOTATION]: JSON.stringify({ data: { a: SECRET } }) } } } },
    },
  };
  const text = JSON.stringify(secretAtRest(rec));
  expect(text).not.toContain(SECRET);
  expect(text).not.toContain('secret-value');
  expect(secretAtRest(rec).internal?.['sealed']).toEqual({ ciphertext: 'opaque' });
});

test.each([
  ['flat object', '{"a":1}', 1],
  ['brackets inside strings do not count', '{"a":"[[[[{{{{"}', 1],
  ['escaped quote inside a string', '{"a":"\\"[[["}', 1],
  ['arrays and objects', '{"a":[{"b":[1]}]}', 4],
  ['YAML flow', 'a: [[1], {b: [2]}]', 3],
])('nesting depth: %s', (_name, text, depth) => expect(nestingDepth(text)).toBe(depth));

test('nesting depth stops counting just past the limit', () => {
  expect(nestingDepth('['.repeat(100_000))).toBe(MAX_NESTING + 1);
});

test.each([
  ['empty document', 'clusters/a', {}, 16 + 9 + 2 + 32],
  ['one string field', 'clusters/a', { k: 'vv' }, 16 + 9 + 2 + 2 + 3 + 32],
  [
    'number, boolean, null, array, map',
    'c/d',
    { n: 1, b: true, z: null, a: [1, 'x'], m: { k: 1 } },
    16 + 2 + 2 + (2 + 8) + (2 + 1) + (2 + 1) + (2 + 8 + 2) + (2 + 2 + 8) + 32,
  ],
  ['UTF-8 bytes, not characters', 'c/d', { k: 'é' }, 16 + 2 + 2 + 2 + 3 + 32],
])('document size: %s', (_name, path, fields, bytes) => expect(documentSize(path, fields)).toBe(bytes));
