/** The periodic `reconcile` HTTP function (Cloud Scheduler): probe every cluster, reconcile everything. */
import type { Request, Response } from 'express';
import { loadConfig } from '../../shared/config';
import { reconcileEverything } from '../../shared/propagation/controller';
import { pruneEvents } from '../../shared/recorder/recorder';
import { controllerDeps } from '../propagation';
import { Runtime, runtime } from '../runtime';

export function reconcileHandler(rt: () => Runtime): (req: Request, res: Response) => Promise<void> {
  return async (req, res) => {
    if (req.method !== 'POST' && req.method !== 'GET') {
      res.status(405).json({ error: 'use POST' });
      return;
    }
    const started = Date.now();
    const report = await reconcileEverything(controllerDeps(rt()));
    // Expired Events (readers already hide them) go here; best-effort, like recording them.
    const eventsPruned = await pruneEvents(rt().store, new Date(), rt().config.eventTtlSeconds).catch(() => 0);
    res.status(200).json({ ...report, eventsPruned, ms: Date.now() - started });
  };
}

export const reconcile = reconcileHandler(() => runtime(loadConfig()));
