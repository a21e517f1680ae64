/**
 * Events as the API serves them: core `v1` Event (as stored) and `events.k8s.io/v1` Event (a view
 * converted field by field, as kube-apiserver converts between the two), their schemas, their
 * selectable fields and the table `kubectl get events` prints (kube-apiserver's columns).
 */
import { dns1123Subdomain } from '../k8s/validation';
import { KubeObject } from '../model/meta';
import { Schema, objectMeta } from '../model/schema';
import { CoreEvent, ObjectReference } from '../recorder/event';
import { SelectableFields } from './field-selector';
import type { ResourceType } from './resources';
import { TableSpec, humanAge } from './table';

/** events.k8s.io/v1 Event. */
export interface EventsV1Event extends KubeObject {
  eventTime?: string | null;
  series?: { count: number; lastObservedTime: string };
  reportingController?: string;
  reportingInstance?: string;
  action?: string;
  reason?: string;
  regarding?: ObjectReference;
  related?: ObjectReference;
  note?: string;
  type?: string;
  deprecatedSource?: { component?: string; host?: string };
  deprecatedFirstTimestamp?: string | null;
  deprecatedLastTimestamp?: string | null;
  deprecatedCount?: number;
}

type Pairs = readonly (readonly [string, string])[];
/** core field ↔ events.k8s.io field (the rest keep their names). */
const RENAMED: Pairs = [
  ['involvedObject', 'regarding'],
  ['message', 'note'],
  ['reportingComponent', 'reportingController'],
  ['source', 'deprecatedSource'],
  ['firstTimestamp', 'deprecatedFirstTimestamp'],
  ['lastTimestamp', 'deprecatedLastTimestamp'],
  ['count', 'deprecatedCount'],
];

function rename(obj: KubeObject, pairs: Pairs, apiVersion: string): KubeObject {
  const out: KubeObject = { ...obj, apiVersion };
  for (const [from, to] of pairs) {
    delete out[from];
    if (obj[from] !== undefined) out[to] = obj[from];
  }
  return out;
}

export function toEventsV1(e: CoreEvent): EventsV1Event {
  return rename(e, RENAMED, 'events.k8s.io/v1') as EventsV1Event;
}

export function fromEventsV1(e: EventsV1Event): CoreEvent {
  return rename(
    e,
    RENAMED.map(([a, b]) => [b, a] as const),
    'v1',
  ) as CoreEvent;
}

// Descriptions are what `kubectl explain events` prints; null timestamps are dropped before the
// schema check (shared/model/decode.ts), so a time is a plain string here.
const d = (description: string, schema: Schema): Schema => ({ ...schema, description });
const str = (description: string): Schema => d(description, { type: 'string' });
const int = (description: string): Schema => d(description, { type: 'integer', format: 'int32' });
const time = (description: string): Schema => d(description, { type: 'string', format: 'date-time' });
const obj = (description: string, properties: Record<string, Schema>): Schema => ({ type: 'object', description, properties, additionalProperties: false });
const reference = (description: string): Schema =>
  obj(description, {
    kind: str('Kind of the object.'),
    apiVersion: str('API version of the object.'),
    namespace: str('Namespace of the object.'),
    name: str('Name of the object.'),
    uid: str('UID of the object.'),
    resourceVersion: str('resourceVersion of the object when the event happened.'),
    fieldPath: str('The part of the object the event is about, if any.'),
  });
const series = obj('Data about the series of occurrences of this event, when it repeats.', {
  count: int('How many times it has happened in the series.'),
  lastObservedTime: time('When it last happened.'),
});
const source = (description: string): Schema =>
  obj(description, { component: str('The component that reported the event, e.g. skyfed-sweep.'), host: str('The host it ran on.') });

export const coreEventSchema: Schema = obj('Something skyfed did or saw about an object: propagation per cluster, shard health, DNS publication, conflicts.', {
  apiVersion: str('Versioned schema of this representation of the object.'),
  kind: str('The REST resource this object represents.'),
  metadata: objectMeta,
  involvedObject: reference('The object this event is about.'),
  reason: str('Short, machine-readable reason, e.g. ShardUnhealthy.'),
  message: str('What happened, for people.'),
  source: source('Who reported the event.'),
  firstTimestamp: time('When the event first happened.'),
  lastTimestamp: time('When the event last happened.'),
  count: int('How many times the event has happened.'),
  type: str('Normal or Warning.'),
  eventTime: time('When the event first happened, with microseconds.'),
  series,
  action: str('What was done, or failed.'),
  related: reference('A second object involved, if any.'),
  reportingComponent: str('The controller that reported the event.'),
  reportingInstance: str('The instance of that controller.'),
});

export const eventsV1Schema: Schema = obj('Something skyfed did or saw about an object (events.k8s.io view of the same event).', {
  apiVersion: str('Versioned schema of this representation of the object.'),
  kind: str('The REST resource this object represents.'),
  metadata: objectMeta,
  eventTime: time('When the event first happened.'),
  series,
  reportingController: str('The controller that reported the event.'),
  reportingInstance: str('The instance of that controller.'),
  action: str('What was done, or failed.'),
  reason: str('Short, machine-readable reason.'),
  regarding: reference('The object this event is about.'),
  related: reference('A second object involved, if any.'),
  note: str('What happened, for people.'),
  type: str('Normal or Warning.'),
  deprecatedSource: source('Who reported the event (core v1 field).'),
  deprecatedFirstTimestamp: time('When the event first happened (core v1 field).'),
  deprecatedLastTimestamp: time('When the event last happened (core v1 field).'),
  deprecatedCount: int('How many times the event has happened (core v1 field).'),
});

const REFERENCE_FIELDS = ['kind', 'namespace', 'name', 'uid', 'apiVersion', 'resourceVersion', 'fieldPath'] as const;

const coreFields: SelectableFields = {
  names: [...REFERENCE_FIELDS.map((f) => `involvedObject.${f}`), 'reason', 'reportingComponent', 'source', 'type'],
  values: (o) => {
    const e = o as CoreEvent;
    return {
      ...Object.fromEntries(REFERENCE_FIELDS.map((f) => [`involvedObject.${f}`, e.involvedObject?.[f] ?? ''])),
      reason: e.reason,
      reportingComponent: e.reportingComponent,
      source: e.source?.component,
      type: e.type,
    };
  },
};

const eventsV1Fields: SelectableFields = {
  names: [...REFERENCE_FIELDS.map((f) => `regarding.${f}`), 'reason', 'reportingController', 'type'],
  values: (o) => {
    const e = o as EventsV1Event;
    return {
      ...Object.fromEntries(REFERENCE_FIELDS.map((f) => [`regarding.${f}`, e.regarding?.[f] ?? ''])),
      reason: e.reason,
      reportingController: e.reportingController,
      type: e.type,
    };
  },
};

const since = (t: string | null | undefined, now: Date): string => (t ? humanAge((now.getTime() - Date.parse(t)) / 1000) : '<unknown>');

/** kube-apiserver's Event columns (pkg/printers): Last Seen, Type, Reason, Object, Message; the rest with -o wide. */
export const coreEventTable: TableSpec<CoreEvent> = {
  columns: [
    { name: 'Last Seen', type: 'string', description: 'The time at which the most recent occurrence of this event was recorded.', priority: 0 },
    { name: 'Type', type: 'string', description: 'Type of this event (Normal, Warning).', priority: 0 },
    {
      name: 'Reason',
      type: 'string',
      description: "This should be a short, machine understandable string that gives the reason for the transition into the object's current status.",
      priority: 0,
    },
    { name: 'Object', type: 'string', description: 'The object that this event is about.', priority: 0 },
    { name: 'Subobject', type: 'string', description: 'The part of the object this event is about.', priority: 1 },
    { name: 'Source', type: 'string', description: 'The component reporting this event.', priority: 1 },
    { name: 'Message', type: 'string', description: 'A human-readable description of the status of this operation.', priority: 0 },
    { name: 'First Seen', type: 'string', description: 'The time at which the event was first recorded.', priority: 1 },
    { name: 'Count', type: 'string', description: 'The number of times this event has occurred.', priority: 1 },
    { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace.', priority: 1 },
  ],
  cells: (e, now) => {
    const first = e.firstTimestamp ? since(e.firstTimestamp, now) : since(e.eventTime, now);
    const last = e.series ? since(e.series.lastObservedTime, now) : e.lastTimestamp ? since(e.lastTimestamp, now) : first;
    const count = e.series ? e.series.count : e.count || 1;
    const r = e.involvedObject ?? { kind: '', name: '' };
    const target = r.name ? `${r.kind.toLowerCase()}/${r.name}` : r.kind.toLowerCase();
    const component = e.source?.component || e.reportingComponent || '';
    const instance = e.source?.host || e.reportingInstance || '';
    return [
      last,
      e.type ?? '',
      e.reason ?? '',
      target,
      r.fieldPath ?? '',
      instance ? `${component}, ${instance}` : component,
      (e.message ?? '').trim(),
      first,
      count,
      e.metadata.name ?? '',
    ];
  },
};

const coreEvents: ResourceType<CoreEvent> = {
  resource: 'events',
  singular: 'event',
  kind: 'Event',
  group: '',
  version: 'v1',
  namespaced: true,
  shortNames: ['ev'],
  schema: coreEventSchema,
  nameRule: dns1123Subdomain,
  hasSpec: false,
  table: coreEventTable,
  fields: coreFields,
};

const eventsV1: ResourceType<EventsV1Event> = {
  resource: 'events',
  singular: 'event',
  kind: 'Event',
  group: 'events.k8s.io',
  version: 'v1',
  namespaced: true,
  shortNames: ['ev'],
  schema: eventsV1Schema,
  nameRule: dns1123Subdomain,
  hasSpec: false,
  fields: eventsV1Fields,
  table: { columns: coreEventTable.columns, cells: (e, now) => coreEventTable.cells(fromEventsV1(e), now) },
};

export const coreEventType = coreEvents as unknown as ResourceType;
export const eventsV1Type = eventsV1 as unknown as ResourceType;
