/**
 * The Firestore-triggered functions. Each receives an Eventarc CloudEvent for one document write,
 * takes only *which* document changed from it, and reconciles from current state. Every line
 * logged while handling an event carries the event's id.
 */
import type { CloudEvent } from '@google-cloud/functions-framework';
import { decodeDocumentEvent } from '../../shared/events';
import { Logger } from '../../shared/log';
import { ControllerDeps, onClusterChanged, onSecretChanged, onServiceChanged } from '../../shared/propagation/controller';
import { parseDocumentPath } from '../../shared/store/layout';
import { eventInvocation } from '../invocation';
import { Runtime } from '../runtime';

export function controllerDeps(rt: Runtime, log: Logger): ControllerDeps {
  const { breaker, memberTimeoutMs } = rt.config;
  return {
    store: rt.store,
    shards: rt.shards,
    catalog: rt.catalog,
    directory: rt.clusterDirectory,
    clientFor: rt.clientFor,
    log,
    concurrency: rt.config.concurrency,
    now: () => new Date(),
    events: rt.events('skyfed-propagation'),
    inCluster: { federation: rt.config.federationName, suffix: rt.config.dnsSuffix, ttl: rt.config.dns.ttl },
    // A half-open probe runs a whole pipeline (health, observe, apply): a few calls in a row.
    breakers: rt.breakers,
    breaker: { ...breaker, probeLeaseMs: 6 * memberTimeoutMs },
  };
}

type Handler = (event: CloudEvent<unknown>) => Promise<void>;

function decode(event: CloudEvent<unknown>) {
  const change = decodeDocumentEvent(event.data as Buffer | string, event);
  return { change, target: parseDocumentPath(change.documentPath) };
}

/** Runs one event's handling with the event's id on every log line. */
function onEvent(rt: Runtime, handle: (event: CloudEvent<unknown>, deps: ControllerDeps) => Promise<void>): Handler {
  const log = rt.logs.logger('propagation');
  const deps = controllerDeps(rt, log);
  return (event) => rt.logs.within(eventInvocation(event), () => handle(event, deps));
}

export function onServiceWritten(rt: Runtime): Handler {
  return onEvent(rt, async (event, deps) => {
    const { change, target } = decode(event);
    if (target?.resource !== 'services' || !target.key.namespace) return;
    const report = await onServiceChanged(deps, target.key.namespace, target.key.name);
    await rt.sweepTrigger.requestSweep(`service ${target.key.namespace}/${target.key.name} ${change.kind}`);
    deps.log.info('service reconciled', {
      service: `${target.key.namespace}/${target.key.name}`,
      kind: change.kind,
      writes: report.writes,
      errors: report.errors,
    });
  });
}

export function onClusterWritten(rt: Runtime): Handler {
  return onEvent(rt, async (event, deps) => {
    const { change, target } = decode(event);
    if (target?.resource !== 'clusters') return;
    const before = change.oldValue?.fields['object'] as Record<string, unknown> | undefined;
    const after = change.value?.fields['object'] as Record<string, unknown> | undefined;
    const report = await onClusterChanged(deps, target.key.name, before, after);
    if (report !== 'skipped' || !after) await rt.sweepTrigger.requestSweep(`cluster ${target.key.name} ${change.kind}`);
    deps.log.info('cluster reconciled', { cluster: target.key.name, kind: change.kind, report });
  });
}

export function onSecretWritten(rt: Runtime): Handler {
  return onEvent(rt, async (event, deps) => {
    const { change, target } = decode(event);
    if (target?.resource !== 'secrets' || !target.key.namespace) return;
    const report = await onSecretChanged(deps, target.key.namespace, target.key.name);
    deps.log.info('credentials changed', { secret: `${target.key.namespace}/${target.key.name}`, kind: change.kind, report });
  });
}
