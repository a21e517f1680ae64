/**
 * functions-framework parses `application/json` bodies itself, before our handler runs, and answers
 * a malformed body with express' HTML error page (a stack trace outside production). Kubernetes
 * clients expect a `Status`. This wraps the framework's JSON parser so a parse failure is kept as
 * the raw body (already saved as req.rawBody) and reported by our own parser as a 400 Status.
 * test/integration/api-bad-input.test.ts fails if a framework upgrade defeats it.
 */
import type { NextFunction, Request, Response } from 'express';

type Middleware = (req: Request, res: Response, next: NextFunction) => void;
type JsonFactory = (opts?: unknown) => Middleware;

let installed = false;

export function installJsonParseGuard(): void {
  if (installed) return;
  installed = true;
  const frameworkEntry = require.resolve('@google-cloud/functions-framework');
  // The body-parser instance the framework itself loads.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const bodyParser = require(require.resolve('body-parser', { paths: [frameworkEntry] })) as { json: JsonFactory };
  const original = bodyParser.json;
  bodyParser.json = (opts?: unknown): Middleware => {
    const inner = original(opts);
    return (req, res, next) => inner(req, res, (err?: unknown) => {
      if (err && (err as { type?: string }).type === 'entity.parse.failed') {
        (req as Request & { body?: unknown }).body = undefined;
        next();
        return;
      }
      next(err as Error);
    });
  };
}
