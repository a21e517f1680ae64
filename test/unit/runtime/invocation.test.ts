/** Log lines carry the id of the invocation they were logged in, taken from well-formed ids only. */
import { eventInvocation, httpInvocation } from '../../../functions/invocation';
import { jsonLogs } from '../../../shared/log';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

test.each<[string, Record<string, string>, string | RegExp, string | undefined]>([
  ['the execution id Cloud Functions sends', { 'function-execution-id': 'abc123XYZ' }, 'abc123XYZ', undefined],
  ['the execution id, with the trace beside it', { 'function-execution-id': 'abc123XYZ', traceparent: `00-${TRACE}-00f067aa0ba902b7-01` }, 'abc123XYZ', TRACE],
  ['a W3C traceparent', { traceparent: `00-${TRACE}-00f067aa0ba902b7-01` }, TRACE, TRACE],
  ['an X-Cloud-Trace-Context', { 'x-cloud-trace-context': `${TRACE.toUpperCase()}/1;o=1` }, TRACE, TRACE],
  ['an all-zero traceparent (invalid)', { traceparent: `00-${'0'.repeat(32)}-00f067aa0ba902b7-01` }, UUID, undefined],
  ['a forged execution id', { 'function-execution-id': 'x"} {"severity":"ERROR' }, UUID, undefined],
  ['no header at all', {}, UUID, undefined],
])('an HTTP invocation with %s', (_what, headers, id, trace) => {
  const f = httpInvocation(headers, 'proj');
  if (typeof id === 'string') expect(f['executionId']).toBe(id);
  else expect(f['executionId']).toMatch(id);
  expect(f['logging.googleapis.com/trace']).toBe(trace ? `projects/proj/traces/${trace}` : undefined);
});

test('a CloudEvent invocation is known by the event id, which a redelivery repeats', () => {
  expect(eventInvocation({ id: 'evt-42' })).toEqual({ executionId: 'evt-42' });
  expect(eventInvocation({ id: 'has space' })['executionId']).toMatch(UUID);
  expect(eventInvocation({})['executionId']).toMatch(UUID);
});

test('every line logged during an invocation carries its id, also from other components and overlapping invocations', async () => {
  const lines: string[] = [];
  const logs = jsonLogs((l) => lines.push(l));
  const a = logs.logger('api');
  const b = logs.logger('events');
  const tick = () => new Promise((r) => setImmediate(r));
  await Promise.all([
    logs.within({ executionId: 'one' }, async () => {
      a.info('start');
      await tick();
      await tick();
      b.warn('later', { n: 1 });
    }),
    logs.within({ executionId: 'two' }, async () => {
      await tick();
      a.info('start');
      b.error('done');
    }),
  ]);
  a.info('outside');
  const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(parsed.map((p) => `${String(p['executionId'])} ${String(p['component'])} ${String(p['severity'])} ${String(p['message'])}`).sort()).toEqual([
    'one api INFO start',
    'one events WARNING later',
    'two api INFO start',
    'two events ERROR done',
    'undefined api INFO outside',
  ]);
});
