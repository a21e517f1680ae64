/**
 * The fields that tie every log line of one invocation together: the CloudEvent `id` for
 * Firestore-triggered functions, the execution id or trace id the platform sent for HTTP functions
 * (`function-execution-id`, W3C `traceparent`, `x-cloud-trace-context`), else a fresh one. Header
 * values come from the caller: only well-formed ids are taken, anything else is replaced.
 */
import { randomUUID } from 'node:crypto';

type Fields = Readonly<Record<string, unknown>>;
type Headers = Readonly<Record<string, string | string[] | undefined>>;

const EXECUTION_ID = /^[A-Za-z0-9._-]{1,64}$/;
const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/;
const CLOUD_TRACE = /^([0-9a-fA-F]{32})(\/|;|$)/;
const EVENT_ID = /^[\x21-\x7e]{1,128}$/;

const header = (h: Headers, name: string): string => {
  const v = h[name];
  return (Array.isArray(v) ? v[0] : v) ?? '';
};

function traceIdOf(h: Headers): string | undefined {
  const w3c = TRACEPARENT.exec(header(h, 'traceparent'))?.[1];
  if (w3c && !/^0+$/.test(w3c)) return w3c;
  return CLOUD_TRACE.exec(header(h, 'x-cloud-trace-context'))?.[1]?.toLowerCase();
}

/** For an HTTP invocation (headers as Node gives them, lower-case names). */
export function httpInvocation(headers: Headers, projectId: string): Fields {
  const trace = traceIdOf(headers);
  const given = header(headers, 'function-execution-id');
  const executionId = EXECUTION_ID.test(given) ? given : (trace ?? randomUUID());
  return { executionId, ...(trace ? { 'logging.googleapis.com/trace': `projects/${projectId}/traces/${trace}` } : {}) };
}

/** For a CloudEvent invocation: its `id`, which a redelivery of the same event repeats. */
export function eventInvocation(event: { readonly id?: unknown }): Fields {
  return { executionId: typeof event.id === 'string' && EVENT_ID.test(event.id) ? event.id : randomUUID() };
}
