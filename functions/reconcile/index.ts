/** The periodic `reconcile` HTTP function (Cloud Scheduler): probe every cluster, reconcile everything. */
import type { Request, Response } from 'express';
import { reconcileEverything } from '../../shared/propagation/controller';
import { pruneEvents } from '../../shared/recorder/recorder';
import { httpInvocation } from '../invocation';
import { controllerDeps } from '../propagation';
import { Runtime } from '../runtime';

export function reconcile(rt: Runtime): (req: Request, res: Response) => Promise<void> {
  const deps = controllerDeps(rt, rt.logs.logger('reconcile'));
  return (req, res) =>
    rt.logs.within(httpInvocation(req.headers, rt.config.projectId), async () => {
      if (req.method !== 'POST' && req.method !== 'GET') {
        res.status(405).json({ error: 'use POST' });
        return;
      }
      const started = Date.now();
      const report = await reconcileEverything(deps);
      // Expired Events (readers already hide them) go here; best-effort, like recording them.
      const eventsPruned = await pruneEvents(rt.store, new Date(), rt.config.eventTtlSeconds).catch(() => 0);
      res.status(200).json({ ...report, eventsPruned, ms: Date.now() - started });
    });
}
