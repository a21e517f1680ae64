/**
 * Active probes of a shard's load-balancer address: a TCP connect to the service port, or an HTTP
 * GET of a path when the Service names one (annotation skyfed.io/probe-http-path). Each probe has
 * its own time-out and never throws: it reports ok or the reason it failed.
 */
import { request } from 'node:http';
import { connect } from 'node:net';
import { isProbePath } from '../k8s/validation';

export interface ProbeTarget {
  readonly address: string;
  readonly port: number;
  /** HTTP path to GET; TCP connect when absent. */
  readonly httpPath?: string;
}

export interface ProbeResult {
  readonly ok: boolean;
  readonly reason: string;
  readonly ms: number;
  /** No answer at all within the time-out (as opposed to an answer that means failure). */
  readonly timedOut?: boolean;
}

export type Prober = (t: ProbeTarget, timeoutMs: number) => Promise<ProbeResult>;

export const tcpOrHttpProbe: Prober = (t, timeoutMs) => {
  const started = Date.now();
  const done = (ok: boolean, reason: string, timedOut = false): ProbeResult => ({ ok, reason, ms: Date.now() - started, ...(timedOut ? { timedOut } : {}) });
  return new Promise((resolve) => {
    if (t.httpPath !== undefined && !isProbePath(t.httpPath)) {
      resolve(done(false, 'probe path is not a valid URL path'));
      return;
    }
    if (t.httpPath) {
      let req: ReturnType<typeof request>;
      try {
        req = request(
          { host: t.address, port: t.port, path: t.httpPath, method: 'GET', timeout: timeoutMs, headers: { 'user-agent': 'skyfed-health-sweep' } },
          (res) => {
            res.resume();
            const code = res.statusCode ?? 0;
            resolve(done(code >= 200 && code < 400, `HTTP ${code}`));
          },
        );
      } catch {
        // One Service's bad probe settings fail only its own shard.
        resolve(done(false, 'HTTP probe could not be sent'));
        return;
      }
      req.on('timeout', () => {
        req.destroy();
        resolve(done(false, `no HTTP answer within ${timeoutMs} ms`, true));
      });
      req.on('error', (e: NodeJS.ErrnoException) => resolve(done(false, `HTTP ${e.code ?? e.message}`)));
      req.end();
      return;
    }
    const socket = connect({ host: t.address, port: t.port });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(done(false, `no TCP answer within ${timeoutMs} ms`, true));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(done(true, 'TCP connect ok'));
    });
    socket.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve(done(false, `TCP ${e.code ?? e.message}`));
    });
  });
};
