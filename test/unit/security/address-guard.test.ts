/**
 * Attacker's side: the one address guard that every member dial and probe passes. Every spelling of
 * a forbidden address is refused; only global unicast passes unless an allow-list covers it.
 */
import { addressGuard, canonicalIp, hostRefusal, parseCidr } from '../../../shared/net/address-guard';
import { DialRefusedError, resolveGuarded } from '../../../shared/net/guarded-dial';

const strict = addressGuard();
const loopbackAllowed = addressGuard([parseCidr('127.0.0.0/8'), parseCidr('::1/128')]);

test.each([
  '127.0.0.1',
  '0x7f000001',
  '2130706433',
  '0177.0.0.1',
  '127.1',
  '0.0.0.0',
  '169.254.169.254',
  '169.254.170.2',
  '10.0.0.1',
  '172.16.0.1',
  '192.168.1.1',
  '100.64.0.1',
  '224.0.0.1',
  '255.255.255.255',
  '::1',
  '0:0:0:0:0:0:0:1',
  '0::1',
  '::',
  '::ffff:127.0.0.1',
  '::ffff:169.254.169.254',
  '::ffff:7f00:1',
  '::127.0.0.1',
  'fd00:ec2::254',
  'fc00::1',
  'fe80::1',
  'ff02::1',
  '64:ff9b::a9fe:a9fe',
  '64:ff9b::7f00:1',
  '2002:a9fe:a9fe::1',
  '2001:0::1',
  '[::1]',
])('%s is refused', (a) => {
  expect(strict.refusal(a)).toBeDefined();
});

test.each(['203.0.113.7', '8.8.8.8', '2001:4860:4860::8888', '1.1.1.1'])('%s (global unicast) passes', (a) => {
  expect(strict.refusal(a)).toBeUndefined();
});

test('an allow-list lets exactly its ranges through, in every spelling', () => {
  for (const a of ['127.0.0.1', '0x7f000001', '::ffff:127.0.0.1', '::1', '0::1']) expect(loopbackAllowed.refusal(a)).toBeUndefined();
  for (const a of ['169.254.169.254', '::ffff:169.254.169.254', '10.0.0.1', 'fd00:ec2::254']) expect(loopbackAllowed.refusal(a)).toBeDefined();
});

test('spellings canonicalise to one form', () => {
  expect(canonicalIp('0x7f000001')).toBe('127.0.0.1');
  expect(canonicalIp('::ffff:169.254.169.254')).toBe('169.254.169.254');
  expect(canonicalIp('2001:DB8:0::1')).toBe('2001:db8::1');
  expect(canonicalIp('metadata.google.internal')).toBeUndefined();
});

test('server host names: metadata names always refused, localhost only when loopback is allowed', () => {
  expect(hostRefusal('metadata.google.internal', loopbackAllowed)).toBeDefined();
  expect(hostRefusal('METADATA.google.internal.', strict)).toBeDefined();
  expect(hostRefusal('localhost', strict)).toBeDefined();
  expect(hostRefusal('api.localhost', strict)).toBeDefined();
  expect(hostRefusal('localhost', loopbackAllowed)).toBeUndefined();
  expect(hostRefusal('api.example.com', strict)).toBeUndefined();
  expect(hostRefusal('[::ffff:169.254.169.254]', loopbackAllowed)).toBeDefined();
});

test('a name that resolves to any forbidden address is refused (rebinding, round-robin tricks)', async () => {
  const lookup = (answers: string[]) => async () => answers.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  await expect(resolveGuarded('api.example.com', strict, lookup(['203.0.113.7']))).resolves.toBe('203.0.113.7');
  await expect(resolveGuarded('evil.example.com', strict, lookup(['203.0.113.7', '169.254.169.254']))).rejects.toBeInstanceOf(DialRefusedError);
  await expect(resolveGuarded('evil.example.com', strict, lookup(['::ffff:127.0.0.1']))).rejects.toBeInstanceOf(DialRefusedError);
  await expect(resolveGuarded('empty.example.com', strict, lookup([]))).rejects.toBeInstanceOf(DialRefusedError);
  await expect(resolveGuarded('0x7f000001', strict, lookup([]))).rejects.toBeInstanceOf(DialRefusedError);
});
