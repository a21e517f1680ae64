/**
 * functions-framework reads and parses every request body (up to 1 GiB) before the user function
 * runs, so an unauthenticated caller could make the API buffer and parse anything. For a function
 * registered here, the framework's body parsers are replaced by a gate: it admits the caller from
 * the request line and headers (authentication, authorization), answers a refusal at once without
 * reading the body, and only then reads the body as raw bytes (`req.rawBody`) under the size limit,
 * refusing it (413) while it streams. Other functions keep the framework's parsers unchanged.
 *
 * The framework builds its parsers inside `getServer(userFunction, …)`; both its CLI (main.js) and
 * its test server call `getServer` through the module object, so wrapping that export tells which
 * function the parsers being built belong to. test/integration/api/api-bounded-cost.test.ts fails if a
 * framework upgrade defeats this.
 */
import type { NextFunction, Request, Response } from 'express';
import { dirname, join } from 'node:path';
import { readBody } from '../../shared/api/body';
import { toApiError } from '../../shared/api/failures';

export interface BodyGate {
  /** Throws (an ApiError) to refuse the request before its body is read. */
  admit(req: Request, res: Response): void;
  readonly limit: number;
}

type Middleware = (req: Request, res: Response, next: NextFunction) => void;
type Factory = (opts?: unknown) => Middleware;
type UserFunction = (...args: never[]) => unknown;

const gates = new WeakMap<UserFunction, BodyGate>();
let building: BodyGate | undefined;
let installed = false;
const HANDLED = Symbol('skyfed.body-gate');

/** Answers a refusal and closes the connection, so an unread body is never waited for. */
function refuse(req: Request, res: Response, err: unknown): void {
  const e = toApiError(err);
  const status = e.toStatus();
  if (e.details?.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(e.details.retryAfterSeconds));
  res.setHeader('Connection', 'close');
  res.status(e.code).type('application/json').send(JSON.stringify(status));
  res.once('finish', () => {
    if (!req.complete) req.socket.destroySoon();
  });
}

function gated(gate: BodyGate): Middleware {
  return (req, res, next) => {
    const r = req as Request & { [HANDLED]?: true; rawBody?: Buffer; body?: unknown };
    if (r[HANDLED]) return next();
    r[HANDLED] = true;
    try {
      gate.admit(req, res);
    } catch (e) {
      return refuse(req, res, e);
    }
    const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
    if (!hasBody) return next();
    readBody(req, gate.limit).then(
      (buf) => {
        r.rawBody = buf;
        r.body = undefined;
        next();
      },
      (e: unknown) => refuse(req, res, e),
    );
  };
}

function install(): void {
  if (installed) return;
  installed = true;
  const entry = require.resolve('@google-cloud/functions-framework');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const server = require(join(dirname(entry), 'server.js')) as { getServer: (fn: UserFunction, ...rest: unknown[]) => unknown };
  const original = server.getServer;
  server.getServer = (fn: UserFunction, ...rest: unknown[]) => {
    building = gates.get(fn);
    try {
      return original(fn, ...rest);
    } finally {
      building = undefined;
    }
  };
  // The body-parser instance the framework itself loads.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const bodyParser = require(require.resolve('body-parser', { paths: [entry] })) as Record<string, Factory>;
  for (const name of ['json', 'text', 'urlencoded', 'raw']) {
    const factory = bodyParser[name] as Factory;
    bodyParser[name] = (opts?: unknown): Middleware => (building ? gated(building) : factory(opts));
  }
}

/** Serves `fn`'s requests through `gate` in every server the framework builds for it from now on. */
export function gateBodies(fn: UserFunction, gate: BodyGate): void {
  install();
  gates.set(fn, gate);
}
