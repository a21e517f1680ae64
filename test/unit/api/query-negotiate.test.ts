/**
 * Query parameters and media types read as kube-apiserver reads them: booleans by apimachinery's
 * url.Values conversion (false only for "0"/"false" in any case), integers by ParseInt, Accept by
 * preference with protobuf only for built-in kinds.
 */
import { negotiateFormat, pickFormat } from '../../../shared/api/negotiate';
import { parseQueryBool, parseQueryInt } from '../../../shared/api/query';

test.each([
  ['true', true],
  ['True', true],
  ['TRUE', true],
  ['t', true],
  ['1', true],
  ['', true],
  ['yes', true],
  ['false', false],
  ['False', false],
  ['FALSE', false],
  ['fAlSe', false],
  ['0', false],
])('query boolean %j is %s', (raw, expected) => {
  expect(parseQueryBool(raw)).toBe(expected);
});

test.each([
  ['30', 30],
  ['-1', -1],
  ['+5', 5],
  ['007', 7],
])('query integer %j is %d', (raw, expected) => {
  expect(parseQueryInt(raw)).toBe(expected);
});

test.each(['abc', '1.5', '', '1e3', '99999999999999999999'])('query integer %j is a 400 BadRequest', (raw) => {
  expect(() => parseQueryInt(raw)).toThrow(
    expect.objectContaining({ code: 400, reason: 'BadRequest', message: expect.stringContaining('strconv.ParseInt') as string }) as Error,
  );
});

test.each([
  [undefined, true, 'json'],
  ['application/vnd.kubernetes.protobuf,application/json', true, 'protobuf'],
  ['application/vnd.kubernetes.protobuf,application/json', false, 'json'],
  ['application/json;q=0.5, application/vnd.kubernetes.protobuf', true, 'protobuf'],
  ['application/vnd.kubernetes.protobuf;q=0.1, application/json', true, 'json'],
  ['application/json;as=Table;v=v1;g=meta.k8s.io,application/json', true, 'json'],
  ['application/yaml', true, 'yaml'],
  ['*/*', true, 'json'],
  ['text/html, */*;q=0.8', true, 'json'],
] as const)('Accept %j (protobuf kind: %s) is answered as %s', (accept, protobuf, expected) => {
  expect(pickFormat(accept, protobuf)).toBe(expected);
});

test('nothing acceptable is 406 NotAcceptable naming what is served', () => {
  expect(() => negotiateFormat('application/vnd.kubernetes.protobuf', false)).toThrow(
    expect.objectContaining({
      code: 406,
      reason: 'NotAcceptable',
      message: 'only the following media types are accepted: application/json, application/yaml',
    }) as Error,
  );
  expect(() => negotiateFormat('text/html', true)).toThrow(expect.objectContaining({ code: 406 }) as Error);
});
