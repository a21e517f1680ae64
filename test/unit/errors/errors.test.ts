/**
 * One error model: every failure a caller branches on is a SkyfedError with a reason from one
 * closed list and the adapter's cause kept; the API answers each with the Status a client expects,
 * and what nobody foresaw is a 500 whose text stays out of the answer.
 */
import { toApiError, isExpected } from '../../../shared/api/failures';
import { ConfigError, loadConfig } from '../../../shared/config';
import { DecryptionError } from '../../../shared/crypto/envelope';
import { applyChange } from '../../../shared/dns/apply';
import { federationLabel } from '../../../shared/dns/names';
import { DocumentEventDecodeError } from '../../../shared/events';
import { parseMemberKubeconfig } from '../../../shared/k8s/kubeconfig';
import { DialRefusedError } from '../../../shared/net/guarded-dial';
import { DnsConflictError, DnsProviderError, DnsThrottledError } from '../../../shared/dns/providers/port';
import { Reason, SkyfedError } from '../../../shared/errors';
import { ApiError, errors } from '../../../shared/k8s/status';
import { MemberError } from '../../../shared/members/port';
import { DocumentTooLargeError, StoreContentionError, StoreTimeoutError, StoreUnavailableError, storeErrorOf } from '../../../shared/store/errors';

const cause = new Error('underlying');

test.each<[string, SkyfedError, Reason]>([
  ['member time-out', new MemberError('east', 'Timeout', 'no answer within 50 ms', undefined, { cause }), 'Timeout'],
  ['member refused', new MemberError('east', 'Forbidden', 'the API server answered 403', 403, { cause }), 'Forbidden'],
  ['store unavailable', new StoreUnavailableError('reading', { cause }), 'StoreUnavailable'],
  ['store time-out', new StoreTimeoutError('reading', false, { cause }), 'StoreTimeout'],
  ['store contention', new StoreContentionError('writing', { cause }), 'StoreContention'],
  ['DNS conflict', new DnsConflictError('412', { cause }), 'DnsConflict'],
  ['DNS throttled', new DnsThrottledError('429', { cause }), 'DnsThrottled'],
  ['DNS failure', new DnsProviderError('500', { cause }), 'DnsProviderFailed'],
  ['API error', new ApiError(409, 'Conflict', 'stale', undefined, { cause }), 'Conflict'],
  ['configuration', new ConfigError('SKYFED_DNS_TTL', 'bad', { cause }), 'BadConfiguration'],
  ['sealed data that does not open', new DecryptionError('secret data failed authentication', { cause }), 'DecryptionFailed'],
  ['an event that does not decode', new DocumentEventDecodeError('not a DocumentEventData', { cause }), 'BadEvent'],
])('%s is a SkyfedError with its reason and cause', (_what, err, reason) => {
  expect(err).toBeInstanceOf(SkyfedError);
  expect(err).toBeInstanceOf(Error);
  expect(err.reason).toBe(reason);
  expect(err.cause).toBe(cause);
  expect(err.name).not.toBe('Error');
});

test.each<[string, () => unknown, string, Reason]>([
  ['a DNS label too long', () => federationLabel('x'.repeat(64)), 'DnsNameError', 'LabelTooLong'],
  [
    'a zone change that does not match',
    () => applyChange([], { additions: [], deletions: [{ name: 'a.example.com.', type: 'A', ttl: 30, rrdatas: ['192.0.2.1'] }] }),
    'ChangeRejectedError',
    'NotFound',
  ],
  ['a kubeconfig that is not YAML', () => parseMemberKubeconfig('{'), 'KubeconfigRejected', 'KubeconfigRejected'],
  [
    'an address the guard refuses',
    () => {
      throw new DialRefusedError('address not allowed (loopback)');
    },
    'DialRefusedError',
    'DialRefused',
  ],
])('%s throws a SkyfedError (%s) with its reason', (_what, act, name, reason) => {
  let thrown: unknown;
  try {
    act();
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(SkyfedError);
  expect([(thrown as SkyfedError).name, (thrown as SkyfedError).reason]).toEqual([name, reason]);
});

test.each<[string, unknown, number, string, number | undefined]>([
  ['an API error as it is', errors.notFound({ resource: 'services', group: '', kind: 'Service', name: 'web' }), 404, 'NotFound', undefined],
  ['store contention', new StoreContentionError('writing services "web": concurrent writes kept conflicting'), 429, 'TooManyRequests', 1],
  ['store unavailable', new StoreUnavailableError('reading: the store is not reachable'), 503, 'ServiceUnavailable', 2],
  ['store time-out', new StoreTimeoutError('reading: the store did not answer in time'), 504, 'Timeout', 2],
  ['store time-out during a commit', new StoreTimeoutError('writing: the commit did not finish in time', true), 504, 'Timeout', 2],
  ['a document too large', new DocumentTooLargeError('services', 'web', 2_000_000, 1_048_576), 422, 'Invalid', undefined],
  ['a member failure, which no request should meet', new MemberError('east', 'Timeout', 'no answer within 50 ms'), 500, 'InternalError', undefined],
  ['anything else', new TypeError('x is undefined at /srv/secret-path'), 500, 'InternalError', undefined],
])('the API answers %s', (_what, err, code, reason, retryAfter) => {
  const s = toApiError(err).toStatus();
  expect([s.code, s.reason, s.details?.retryAfterSeconds]).toEqual([code, reason, retryAfter]);
  expect(isExpected(err)).toBe(code !== 500);
  if (code === 500) expect(s.message).not.toContain((err as Error).message);
});

test('a time-out during a commit does not claim that nothing was written', () => {
  expect(toApiError(new StoreTimeoutError('writing: slow')).message).toMatch(/nothing was written/);
  expect(toApiError(new StoreTimeoutError('writing: slow', true)).message).not.toMatch(/nothing was written/);
});

test.each<[string, number | undefined, string | undefined]>([
  ['ABORTED', 10, 'StoreContention'],
  ['RESOURCE_EXHAUSTED', 8, 'StoreContention'],
  ['HTTP 409', 409, 'StoreContention'],
  ['UNAVAILABLE', 14, 'StoreUnavailable'],
  ['CANCELLED', 1, 'StoreUnavailable'],
  ['DEADLINE_EXCEEDED', 4, 'StoreTimeout'],
  ['PERMISSION_DENIED', 7, undefined],
  ['no code', undefined, undefined],
])('a Firestore %s becomes %s, keeping the client error as cause', (_what, code, reason) => {
  const e = Object.assign(new Error('grpc said no'), { code });
  const mapped = storeErrorOf(e, 'reading services');
  if (reason === undefined) {
    expect(mapped).toBe(e);
    return;
  }
  expect(mapped).toBeInstanceOf(SkyfedError);
  expect((mapped as SkyfedError).reason).toBe(reason);
  expect((mapped as Error).cause).toBe(e);
});

test("a bad setting names its variable and keeps the parser's cause", () => {
  const err = (() => {
    try {
      loadConfig({ SKYFED_PROJECT: 'p', SKYFED_API_TOKENS: 'short=a:admin' });
    } catch (e) {
      return e;
    }
    return undefined;
  })();
  expect(err).toBeInstanceOf(ConfigError);
  expect((err as ConfigError).variable).toBe('SKYFED_API_TOKENS');
  expect((err as ConfigError).message).not.toContain('short');
  expect((err as ConfigError).cause).toBeInstanceOf(Error);
});
