/**
 * The member API's error answers, as the plain JSON calls (shared/members/rest.ts) report them:
 * the reason callers branch on, and never the member's own words beyond a well-formed reason.
 */
import { answerError } from '../../../shared/members/rest';

test.each<[string, number, unknown, string, string]>([
  ['404 NotFound', 404, { kind: 'Status', reason: 'NotFound', message: 'services "x" not found' }, 'NotFound', 'the API server answered 404 NotFound'],
  ['409 AlreadyExists is told apart from a Conflict', 409, { reason: 'AlreadyExists' }, 'AlreadyExists', 'the API server answered 409 AlreadyExists'],
  ['409 Conflict (stale resourceVersion)', 409, { reason: 'Conflict' }, 'Conflict', 'the API server answered 409 Conflict'],
  ['422 Invalid', 422, { reason: 'Invalid' }, 'Invalid', 'the API server answered 422 Invalid'],
  ['429 Throttled', 429, { reason: 'TooManyRequests' }, 'Throttled', 'the API server answered 429 TooManyRequests'],
  ['503 with no body', 503, undefined, 'ServerError', 'the API server answered 503'],
  [
    'a reason that is not a word is not echoed',
    403,
    { reason: 'Forbidden <a href=x>', message: 'token abc123 leaked' },
    'Forbidden',
    'the API server answered 403',
  ],
  ['a message is never echoed', 401, { reason: 'Unauthorized', message: 'Bearer abc123 is wrong' }, 'Unauthorized', 'the API server answered 401 Unauthorized'],
])('%s', (_n, status, body, reason, message) => {
  const e = answerError('east', status, body);
  expect(e.reason).toBe(reason);
  expect(e.message).toBe(message);
  expect(e.status).toBe(status);
  expect(e.cluster).toBe('east');
});
