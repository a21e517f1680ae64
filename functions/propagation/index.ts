/**
 * The Firestore-triggered functions. Each receives an Eventarc CloudEvent for one document write,
 * takes only *which* document changed from it, and reconciles from current state.
 */
import type { CloudEvent } from '@google-cloud/functions-framework';
import { loadConfig } from '../../shared/config';
import { decodeDocumentEvent } from '../../shared/events';
import { jsonLogger } from '../../shared/log';
import { ControllerDeps, onClusterChanged, onSecretChanged, onServiceChanged } from '../../shared/propagation/controller';
import { parseDocumentPath } from '../../shared/store/layout';
import { Runtime, runtime } from '../runtime';

const log = jsonLogger('propagation');

export function controllerDeps(rt: Runtime): ControllerDeps {
  const { breaker, memberTimeoutMs } = rt.config;
  return {
    store: rt.store, shards: rt.shards, catalog: rt.catalog, clientFor: rt.clientFor, log, concurrency: rt.config.concurrency, now: () => new Date(),
    events: rt.events('skyfed-propagation'),
    inCluster: { federation: rt.config.federationName, suffix: rt.config.dnsSuffix, ttl: rt.config.dns.ttl },
    // A half-open probe runs a whole pipeline (health, observe, apply): a few calls in a row.
    breakers: rt.breakers, breaker: { ...breaker, probeLeaseMs: 6 * memberTimeoutMs },
  };
}

type Handler = (event: CloudEvent<unknown>) => Promise<void>;

export function eventHandlers(rt: () => Runtime): { onServiceWritten: Handler; onClusterWritten: Handler; onSecretWritten: Handler } {
  const decode = (event: CloudEvent<unknown>) => {
    const change = decodeDocumentEvent(event.data as Buffer | string, event);
    const target = parseDocumentPath(change.documentPath);
    return { change, target };
  };
  return {
    async onServiceWritten(event) {
      const { change, target } = decode(event);
      if (target?.resource !== 'services' || !target.key.namespace) return;
      const report = await onServiceChanged(controllerDeps(rt()), target.key.namespace, target.key.name);
      await rt().sweepTrigger.requestSweep(`service ${target.key.namespace}/${target.key.name} ${change.kind}`);
      log.info('service reconciled', { service: `${target.key.namespace}/${target.key.name}`, kind: change.kind, writes: report.writes, errors: report.errors, eventId: event.id });
    },
    async onClusterWritten(event) {
      const { change, target } = decode(event);
      if (target?.resource !== 'clusters') return;
      const before = change.oldValue?.fields['object'] as Record<string, unknown> | undefined;
      const after = change.value?.fields['object'] as Record<string, unknown> | undefined;
      const report = await onClusterChanged(controllerDeps(rt()), target.key.name, before, after);
      if (report !== 'skipped' || !after) await rt().sweepTrigger.requestSweep(`cluster ${target.key.name} ${change.kind}`);
      log.info('cluster reconciled', { cluster: target.key.name, kind: change.kind, report, eventId: event.id });
    },
    async onSecretWritten(event) {
      const { change, target } = decode(event);
      if (target?.resource !== 'secrets' || !target.key.namespace) return;
      const report = await onSecretChanged(controllerDeps(rt()), target.key.namespace, target.key.name);
      log.info('credentials changed', { secret: `${target.key.namespace}/${target.key.name}`, kind: change.kind, report, eventId: event.id });
    },
  };
}

const handlers = eventHandlers(() => runtime(loadConfig()));
export const onServiceWritten = handlers.onServiceWritten;
export const onClusterWritten = handlers.onClusterWritten;
export const onSecretWritten = handlers.onSecretWritten;
