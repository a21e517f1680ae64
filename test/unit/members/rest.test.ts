/**
 * The member API's error answers, as the plain JSON calls (shared/members/rest.ts) report them:
 * the reason callers branch on, and never the member's own words beyond a well-formed reason.
 */
import { Server, createServer } from 'node:https';
import { AddressInfo } from 'node:net';
import { generateTls } from '../../../local/tls';
import { toMemberError } from '../../../shared/members/kube-client';
import { MemberError } from '../../../shared/members/port';
import { MemberRest, answerError } from '../../../shared/members/rest';
import { addressGuard, parseCidr } from '../../../shared/net/address-guard';
import { GuardedHttpsAgent } from '../../../shared/net/guarded-dial';

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

describe('a member that stops half-way through its answer', () => {
  const tls = generateTls();
  let server: Server;
  let port = 0;
  beforeAll(async () => {
    server = createServer({ cert: tls.certPem, key: tls.keyPem }, (req, res) => {
      res.writeHead(201, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"kind":"Service",');
      // /stall: never another byte; /cut: the connection goes.
      if (req.url?.startsWith('/cut')) setTimeout(() => res.socket?.destroy(), 20);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
  const rest = (timeoutMs: number): MemberRest => {
    const agent = new GuardedHttpsAgent({ keepAlive: true, ca: tls.caPem }, addressGuard([parseCidr('127.0.0.0/8')]));
    return new MemberRest({
      cluster: 'east',
      server: `https://127.0.0.1:${port}`,
      timeoutMs,
      agent,
      transportError: (e) => toMemberError('east', e, timeoutMs),
    });
  };
  const outcome = (p: Promise<unknown>): Promise<string> =>
    p.then(
      () => 'answered',
      (e: unknown) => (e instanceof MemberError ? `${e.reason}: ${e.message}` : String(e)),
    );

  test('a stall after the headers is a time-out, within the time-out', async () => {
    const t0 = Date.now();
    expect(await outcome(rest(300).call('GET', '/stall'))).toBe('Timeout: no answer within 300 ms');
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  test('a connection cut mid-answer is not mistaken for a time-out', async () => {
    const said = await outcome(rest(5000).call('GET', '/cut'));
    expect(said).not.toMatch(/^Timeout/);
    expect(said).not.toBe('answered');
  });
});
