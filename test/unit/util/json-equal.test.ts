/** jsonEqual agrees with comparing stable JSON text, without building it. */
import { jsonEqual } from '../../../shared/util/json-equal';
import { stableJson } from '../../../shared/util/stable-json';

const cases: [string, unknown, unknown, boolean][] = [
  ['same numbers', 1, 1, true],
  ['different numbers', 1, 2, false],
  ['number and string', 1, '1', false],
  ['null and object', null, {}, false],
  ['key order does not matter', { a: 1, b: [1, 2] }, { b: [1, 2], a: 1 }, true],
  ['array order does', [1, 2], [2, 1], false],
  ['an undefined member is absent', { a: 1, b: undefined }, { a: 1 }, true],
  ['a missing member is not null', { a: 1, b: null }, { a: 1 }, false],
  ['extra member on the right', { a: 1 }, { a: 1, c: 0 }, false],
  ['extra member on the left', { a: 1, c: 0 }, { a: 1 }, false],
  ['nested difference', { h: { x: { healthy: true, addresses: ['10.0.0.1'] } } }, { h: { x: { healthy: true, addresses: ['10.0.0.2'] } } }, false],
  ['nested equal, other key order', { h: { x: { healthy: true, since: 't' } } }, { h: { x: { since: 't', healthy: true } } }, true],
  ['array and object', [], {}, false],
  ['booleans', true, false, false],
  ['undefined array item is null in JSON', [undefined], [null], true],
];

test.each(cases)('%s', (_name, a, b, equal) => {
  expect(jsonEqual(a, b)).toBe(equal);
  // The reference: the same answer as comparing key-sorted JSON.
  expect(stableJson(a) === stableJson(b)).toBe(equal);
});
