/** The `api` HTTP function: serves the Kubernetes-shaped API from the instance's runtime. */
import type { Request, Response } from 'express';
import { admit } from '../../shared/api/auth';
import { MAX_BODY_BYTES } from '../../shared/api/body';
import { apiRouter } from '../../shared/api/router';
import { strategies } from '../../shared/api/strategies';
import { AuthConfig } from '../../shared/api/auth';
import { errors } from '../../shared/k8s/status';
import { httpInvocation } from '../invocation';
import { Runtime } from '../runtime';
import { BodyGate, gateBodies } from './body-gate';

type Handler = (req: Request, res: Response) => void;

/** Callers are admitted from the request line and headers; only then is the body read. */
function gateFor(auth: AuthConfig): BodyGate {
  return {
    limit: MAX_BODY_BYTES,
    admit: (req, res) => {
      const caller = admit(auth, req.method, req.path, req.get('authorization'));
      if (caller) res.locals['caller'] = caller;
    },
  };
}

/** The entry point for one runtime; each request's log lines carry its execution id. */
export function api(rt: Runtime): Handler {
  const log = rt.logs.logger('api');
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
  const notFound = (req: Request, res: Response): void => {
    const s = errors.pathNotFound(req.path).toStatus();
    res.status(404).type('application/json').send(JSON.stringify(s));
  };
  const handler: Handler = (req, res) => rt.logs.within(httpInvocation(req.headers, rt.config.projectId), () => router(req, res, () => notFound(req, res)));
  gateBodies(handler, gateFor(auth));
  return handler;
}
