/** The `api` HTTP function: builds its adapters once per instance and serves the Kubernetes-shaped API. */
import type { Request, Response } from 'express';
import { admit } from '../../shared/api/auth';
import { MAX_BODY_BYTES } from '../../shared/api/body';
import { apiRouter } from '../../shared/api/router';
import { strategies } from '../../shared/api/strategies';
import { AuthConfig } from '../../shared/api/auth';
import { loadConfig } from '../../shared/config';
import { jsonLogger } from '../../shared/log';
import { errors } from '../../shared/k8s/status';
import { Runtime, runtime } from '../runtime';
import { BodyGate, gateBodies } from './body-gate';

type Handler = (req: Request, res: Response) => void;

/** Callers are admitted from the request line and headers; only then is the body read. */
function gateFor(auth: () => AuthConfig): BodyGate {
  return {
    limit: MAX_BODY_BYTES,
    admit: (req, res) => {
      const caller = admit(auth(), req.method, req.path, req.get('authorization'));
      if (caller) res.locals['caller'] = caller;
    },
  };
}

export function buildApi(rt: Runtime): Handler {
  const log = jsonLogger('api');
  const auth: AuthConfig = { tokens: rt.config.apiTokens, trustIam: rt.config.trustIam };
  const router = apiRouter({
    store: rt.store,
    strategies: strategies({
      kek: rt.kek,
      allowInsecureLoopbackMembers: rt.config.allowInsecureLoopbackMembers,
      dialGuard: rt.dialGuard,
      presentService: rt.presentService,
      eventTtlSeconds: rt.config.eventTtlSeconds,
    }),
    auth,
    log,
    version: rt.config.version,
    maxWatchesPerUser: rt.config.maxWatchesPerUser,
  });
  const handler: Handler = (req, res) => router(req, res, () => {
    const s = errors.pathNotFound(req.path).toStatus();
    res.status(404).type('application/json').send(JSON.stringify(s));
  });
  gateBodies(handler, gateFor(() => auth));
  return handler;
}

let handler: Handler | undefined;
const instance = (): Handler => (handler ??= buildApi(runtime(loadConfig())));

export function api(req: Request, res: Response): void {
  instance()(req, res);
}

gateBodies(api, gateFor(() => {
  const c = runtime(loadConfig()).config;
  return { tokens: c.apiTokens, trustIam: c.trustIam };
}));
