/**
 * Entry point: registers every target in functions/targets.ts with functions-framework under its
 * name, exactly as Cloud Functions loads it (`--target=<name>`).
 */
import * as ff from '@google-cloud/functions-framework';
import { api } from './api';
import { onClusterWritten, onSecretWritten, onServiceWritten } from './propagation';
import { reconcile } from './reconcile';
import { healthSweep } from './sweep';
import { TARGETS } from './targets';

const httpHandlers: Record<string, ff.HttpFunction> = { api, reconcile, healthSweep };
const eventHandlers: Record<string, ff.CloudEventFunction> = { onServiceWritten, onClusterWritten, onSecretWritten };

for (const t of TARGETS) {
  if (t.kind === 'http') {
    const h = httpHandlers[t.name];
    if (h) ff.http(t.name, h);
  } else {
    const h = eventHandlers[t.name];
    if (h) ff.cloudEvent(t.name, h);
  }
}

export const registered = { http: Object.keys(httpHandlers), events: Object.keys(eventHandlers) };
