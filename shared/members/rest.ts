/**
 * Plain JSON calls to a member's API over the member's guarded, pooled agent: the hot path of
 * propagation (Services, namespaces, ConfigMaps, /version). @kubernetes/client-node stays for the
 * kubeconfig and the rarer calls, but its request pipeline (middleware, node-fetch, model
 * (de)serialization) cost about 2.5 times the CPU of a bare request per call here — at 200
 * clusters that CPU is the fan-out's critical path (docs/BENCHMARKS.md, Propagation).
 * Every call has a time-out covering the whole exchange; failures become MemberErrors.
 */
import { Agent, request } from 'node:https';
import { MemberError, MemberErrorReason } from './port';

export interface RestOptions {
  readonly cluster: string;
  /** The registration's server address (may carry a path prefix). */
  readonly server: string;
  readonly timeoutMs: number;
  readonly agent: Agent & { lastRefusal?: string };
  readonly token?: string;
  /** Turns a transport failure (time-out, refusal, TLS) into a MemberError (kube-client.ts). */
  readonly transportError: (e: unknown) => MemberError;
}

export function reasonFor(status: number): MemberErrorReason {
  if (status === 401) return 'Unauthorized';
  if (status === 403) return 'Forbidden';
  if (status === 404) return 'NotFound';
  if (status === 409) return 'Conflict';
  if (status === 422) return 'Invalid';
  if (status === 429) return 'Throttled';
  if (status >= 500) return 'ServerError';
  return 'Other';
}

/**
 * The MemberError for an error answer. The member's own message text is not repeated: it is the
 * member's words, shown to every reader; only a well-formed `reason` word is.
 */
export function answerError(cluster: string, status: number, body: unknown, cause?: unknown): MemberError {
  const said = body && typeof body === 'object' ? (body as { reason?: unknown }).reason : undefined;
  const word = typeof said === 'string' && /^[A-Za-z]{1,40}$/.test(said) ? said : undefined;
  const reason = word === 'AlreadyExists' ? 'AlreadyExists' : reasonFor(status);
  return new MemberError(cluster, reason, `the API server answered ${status}${word ? ` ${word}` : ''}`, status, cause === undefined ? undefined : { cause });
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export class MemberRest {
  private readonly base: URL;

  constructor(private readonly o: RestOptions) {
    this.base = new URL(o.server);
  }

  /**
   * One call: `path` is the API path (`/api/v1/...`) with its query; resolves to the parsed JSON
   * answer. The time-out is a plain timer that destroys the request (an AbortSignal per call costs
   * several times more, and at 200 members this CPU is the fan-out's critical path).
   */
  call<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const prefix = this.base.pathname.replace(/\/$/, '');
    return new Promise<T>((resolve, reject) => {
      let timedOut: Error | undefined;
      const timer = setTimeout(() => {
        timedOut = Object.assign(new Error(`no answer within ${this.o.timeoutMs} ms`), { name: 'TimeoutError' });
        req.destroy(timedOut);
      }, this.o.timeoutMs);
      const fail = (e: unknown): void => {
        clearTimeout(timer);
        // Whatever the destroyed request reports after the time-out, the time-out is the reason.
        reject(this.o.transportError(timedOut ?? e));
      };
      const req = request(
        {
          protocol: 'https:',
          hostname: this.base.hostname,
          port: this.base.port || 443,
          path: `${prefix}${path}`,
          method,
          agent: this.o.agent,
          headers: {
            accept: 'application/json',
            ...(this.o.token ? { authorization: `Bearer ${this.o.token}` } : {}),
            ...(data !== undefined ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } : {}),
          },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => {
            text += c;
          });
          res.on('error', fail);
          res.on('end', () => {
            clearTimeout(timer);
            const status = res.statusCode ?? 0;
            const answer = parse(text);
            if (status >= 200 && status < 300) resolve(answer as T);
            else reject(answerError(this.o.cluster, status, answer));
          });
        },
      );
      req.on('error', fail);
      req.end(data);
    });
  }
}
