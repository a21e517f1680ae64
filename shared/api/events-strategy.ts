/**
 * Write rules for Events, served twice over one stored core v1 Event: `v1` as stored and
 * `events.k8s.io/v1` converted on the way in and out. Events not seen for the retention window are
 * hidden from readers (the periodic reconcile deletes them: shared/recorder/recorder.ts).
 */
import { StatusCause, errors } from '../k8s/status';
import { CoreEvent, isExpired } from '../recorder/event';
import { EventsV1Event, coreEventType, eventsV1Type, fromEventsV1, toEventsV1 } from './events-view';
import type { Strategy } from './strategies';

function validate(e: CoreEvent): StatusCause[] {
  const causes: StatusCause[] = [];
  const r = e.involvedObject as CoreEvent['involvedObject'] | undefined;
  if (!r) causes.push({ reason: 'FieldValueRequired', field: 'involvedObject', message: 'Required value' });
  else if (r.namespace && r.namespace !== e.metadata.namespace) {
    causes.push({ reason: 'FieldValueInvalid', field: 'involvedObject.namespace', message: `Invalid value: "${r.namespace}": does not match event.namespace` });
  }
  if (e.type !== undefined && e.type !== 'Normal' && e.type !== 'Warning') {
    causes.push({ reason: 'FieldValueNotSupported', field: 'type', message: `Unsupported value: "${e.type}": supported values: "Normal", "Warning"` });
  }
  if ((e.count ?? 0) < 0)
    causes.push({ reason: 'FieldValueInvalid', field: 'count', message: `Invalid value: ${e.count ?? 0}: must be greater than or equal to 0` });
  if ((e.reason ?? '').length > 128) causes.push({ reason: 'FieldValueTooLong', field: 'reason', message: 'Too long: may not be more than 128 bytes' });
  return causes;
}

function prepareCore(e: CoreEvent, field: (f: string) => string): { object: CoreEvent } {
  const causes = validate(e).map((c) => ({ ...c, field: field(c.field ?? '') }));
  if (causes.length > 0) throw errors.invalid({ resource: 'events', group: '', kind: 'Event', name: e.metadata.name ?? '' }, causes);
  return { object: e };
}

const V1_FIELD: Readonly<Record<string, string>> = { involvedObject: 'regarding', 'involvedObject.namespace': 'regarding.namespace', count: 'deprecatedCount' };

export function eventStrategies(ttlSeconds: number): { core: Strategy; eventsV1: Strategy } {
  const visible = (obj: CoreEvent, now: Date): boolean => !isExpired(obj, now, ttlSeconds);
  const core: Strategy<CoreEvent> = {
    type: coreEventType as unknown as Strategy<CoreEvent>['type'],
    prepare: async (obj) => prepareCore(obj, (f) => f),
    visible,
  };
  const eventsV1: Strategy<CoreEvent> = {
    type: eventsV1Type as unknown as Strategy<CoreEvent>['type'],
    prepare: async (obj) => prepareCore(fromEventsV1(obj as unknown as EventsV1Event), (f) => V1_FIELD[f] ?? f),
    present: async (rec) => toEventsV1(rec.object) as unknown as CoreEvent,
    visible,
  };
  return { core: core as unknown as Strategy, eventsV1: eventsV1 as unknown as Strategy };
}
