/**
 * Local stand-in for Eventarc's per-trigger delivery. The Firestore emulator sends every trigger's
 * events to one `--functions_emulator` host at `POST /functions/projects/{project}/triggers/{id}`;
 * in production each trigger delivers to its own function. This server forwards each delivery,
 * unchanged (method, headers including `ce-*`, body bytes), to the function URL routed for that
 * (project, trigger) and answers with the function's status and body.
 */
import { createServer, IncomingMessage, request as httpRequest, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { jsonLogger, Logger } from '../shared/log';

export interface EventarcRouter {
  readonly port: number;
  /** Delivers `(project, triggerId)` to `url` (e.g. `http://127.0.0.1:8081`; its path is kept). Replaces an earlier route. */
  route(project: string, triggerId: string, url: string): void;
  close(): Promise<void>;
}

export interface RouterOptions {
  readonly port?: number;
  readonly logger?: Logger;
  /** Time-out for one forwarded delivery (default 5 minutes, Eventarc's default ack deadline order). */
  readonly forwardTimeoutMs?: number;
}

const DELIVERY_PATH = /^\/functions\/projects\/([^/]+)\/triggers\/([^/?]+)\/?(?:\?.*)?$/;
/** Hop-by-hop headers (RFC 9110 §7.6.1) are not forwarded; everything else is. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'host']);

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function forwardHeaders(req: IncomingMessage, bodyLength: number): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v !== undefined && !HOP_BY_HOP.has(k)) out[k] = v;
  }
  out['content-length'] = String(bodyLength);
  return out;
}

function reply(res: ServerResponse, status: number, text: string): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(text + '\n');
}

export async function startEventarcRouter(opts: RouterOptions = {}): Promise<EventarcRouter> {
  const log = opts.logger ?? jsonLogger('eventarc-router');
  const routes = new Map<string, URL>();
  const key = (project: string, triggerId: string): string => `${project}/${triggerId}`;
  const timeoutMs = opts.forwardTimeoutMs ?? 300_000;

  const server = createServer((req, res) => {
    void (async () => {
      const m = DELIVERY_PATH.exec(req.url ?? '');
      const body = await readBody(req);
      if (!m) {
        log.warn('eventarc router: not a trigger delivery path', { method: req.method, path: req.url });
        return reply(res, 404, `not a trigger delivery path: ${req.url ?? ''}`);
      }
      const project = decodeURIComponent(m[1] as string);
      const triggerId = decodeURIComponent(m[2] as string);
      const target = routes.get(key(project, triggerId));
      if (!target) {
        log.warn(`eventarc router: no route for project ${project} trigger ${triggerId}; event dropped`, {
          project,
          triggerId,
          ceId: req.headers['ce-id'],
          ceSubject: req.headers['ce-subject'],
        });
        return reply(res, 404, `no route for project ${project} trigger ${triggerId}`);
      }
      const upstream = httpRequest(
        target,
        {
          method: req.method,
          headers: forwardHeaders(req, body.length),
          timeout: timeoutMs,
        },
        (up) => {
          const headers: Record<string, string | string[]> = {};
          for (const [k, v] of Object.entries(up.headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) headers[k] = v;
          res.writeHead(up.statusCode ?? 502, headers);
          up.pipe(res);
          if ((up.statusCode ?? 502) >= 300) {
            log.warn('eventarc router: function rejected delivery', { project, triggerId, status: up.statusCode, ceId: req.headers['ce-id'] });
          }
        },
      );
      upstream.on('timeout', () => upstream.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      upstream.on('error', (e) => {
        log.error('eventarc router: delivery failed', { project, triggerId, url: target.href, error: e.message });
        reply(res, 502, `delivery to ${target.href} failed: ${e.message}`);
      });
      upstream.end(body);
    })().catch((e: unknown) => reply(res, 500, String(e)));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    port,
    route(project, triggerId, url) {
      routes.set(key(project, triggerId), new URL(url));
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
