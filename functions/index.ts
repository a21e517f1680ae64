/**
 * Entry point, loaded once when an instance starts. Configuration is read and checked here, so a bad
 * value stops the instance at start with the variable's name (shared/config.ts); then the one
 * Runtime is built and every target in functions/targets.ts is registered with functions-framework
 * under its name, exactly as Cloud Functions loads it (`--target=<name>`).
 */
import * as ff from '@google-cloud/functions-framework';
import { loadConfig } from '../shared/config';
import { Handlers, handlers } from './handlers';
import { buildRuntime } from './runtime';
import { TARGETS } from './targets';

function register(h: Handlers): { http: string[]; events: string[] } {
  const done = { http: [] as string[], events: [] as string[] };
  for (const t of TARGETS) {
    if (t.kind === 'http') {
      const f = h.http[t.name];
      if (f) {
        ff.http(t.name, f);
        done.http.push(t.name);
      }
    } else {
      const f = h.events[t.name];
      if (f) {
        ff.cloudEvent(t.name, f);
        done.events.push(t.name);
      }
    }
  }
  return done;
}

export const registered = register(handlers(buildRuntime(loadConfig())));
