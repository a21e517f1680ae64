/** The `api` HTTP function: builds its adapters once per instance and serves the Kubernetes-shaped API. */
import type { Request, Response } from 'express';
import { apiRouter } from '../../shared/api/router';
import { strategies } from '../../shared/api/strategies';
import { loadConfig } from '../../shared/config';
import { jsonLogger } from '../../shared/log';
import { errors } from '../../shared/k8s/status';
import { Runtime, runtime } from '../runtime';
import { installJsonParseGuard } from './json-guard';

installJsonParseGuard();

let handler: ((req: Request, res: Response) => void) | undefined;

export function buildApi(rt: Runtime): (req: Request, res: Response) => void {
  const log = jsonLogger('api');
  const router = apiRouter({
    store: rt.store,
    strategies: strategies({
      kek: rt.kek,
      allowInsecureLoopbackMembers: rt.config.allowInsecureLoopbackMembers,
      dialGuard: rt.dialGuard,
      presentService: rt.presentService,
    }),
    auth: { tokens: rt.config.apiTokens, trustIam: rt.config.trustIam },
    log,
    version: rt.config.version,
  });
  return (req, res) => router(req, res, () => {
    const s = errors.pathNotFound(req.path).toStatus();
    res.status(404).type('application/json').send(JSON.stringify(s));
  });
}

export function api(req: Request, res: Response): void {
  handler ??= buildApi(runtime(loadConfig()));
  handler(req, res);
}
