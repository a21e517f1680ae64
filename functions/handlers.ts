/**
 * Every target's entry point, built around one Runtime. Each function module exports a builder
 * named after its target (functions/targets.ts); test/unit/terraform/code-calls.ts follows these
 * imports to derive each target's least privileges.
 */
import type * as ff from '@google-cloud/functions-framework';
import { api } from './api';
import { onClusterWritten, onSecretWritten, onServiceWritten } from './propagation';
import { reconcile } from './reconcile';
import { Runtime } from './runtime';
import { healthSweep } from './sweep';

export interface Handlers {
  readonly http: Readonly<Record<string, ff.HttpFunction>>;
  readonly events: Readonly<Record<string, ff.CloudEventFunction>>;
}

export function handlers(rt: Runtime): Handlers {
  return {
    http: { api: api(rt), reconcile: reconcile(rt), healthSweep: healthSweep(rt) },
    events: { onServiceWritten: onServiceWritten(rt), onClusterWritten: onClusterWritten(rt), onSecretWritten: onSecretWritten(rt) },
  };
}
