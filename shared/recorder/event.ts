/**
 * The core v1 Event skyfed stores (the events.k8s.io/v1 view is a conversion of it, see
 * shared/api/events-view.ts), and the pure rules of recording: one Event per (object, type,
 * reason, message, component); the same occurrence again within the retention window counts up
 * instead of adding an Event; an Event not seen for the retention window has expired.
 */
import { createHash, randomUUID } from 'node:crypto';
import { KubeObject } from '../model/meta';
import { microTime, rfc3339 } from '../util/time';

export interface ObjectReference {
  kind: string;
  apiVersion?: string;
  namespace?: string;
  name: string;
  uid?: string;
  resourceVersion?: string;
  fieldPath?: string;
}

export type EventType = 'Normal' | 'Warning';

/** A core v1 Event (only the fields skyfed reads or writes are typed). */
export interface CoreEvent extends KubeObject {
  involvedObject: ObjectReference;
  reason?: string;
  message?: string;
  source?: { component?: string; host?: string };
  firstTimestamp?: string | null;
  lastTimestamp?: string | null;
  count?: number;
  type?: string;
  eventTime?: string | null;
  series?: { count: number; lastObservedTime: string };
  action?: string;
  related?: ObjectReference;
  reportingComponent?: string;
  reportingInstance?: string;
}

/** What a caller records: which object, and what happened to it. */
export interface Occurrence {
  readonly regarding: ObjectReference;
  readonly type: EventType;
  /** UpperCamelCase, e.g. `Propagated`, `ShardUnhealthy`. */
  readonly reason: string;
  readonly message: string;
  /** What skyfed did, e.g. `Create`, `Probe`, `Publish`. */
  readonly action?: string;
}

/** Messages are capped as kube-apiserver caps `note` (1 kB). */
export const MAX_MESSAGE = 1024;
/** Cluster-scoped objects' Events live in `default`, as in Kubernetes. */
export const CLUSTER_EVENTS_NAMESPACE = 'default';

export function eventNamespace(regarding: ObjectReference): string {
  return regarding.namespace || CLUSTER_EVENTS_NAMESPACE;
}

function clip(message: string): string {
  return message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE - 3)}...` : message;
}

/** Deterministic name: `<object>.<hash of what makes two occurrences the same Event>`. */
export function eventName(o: Occurrence, component: string): string {
  const r = o.regarding;
  const key = JSON.stringify([
    component,
    r.kind,
    r.apiVersion ?? '',
    r.namespace ?? '',
    r.name,
    r.uid ?? '',
    o.type,
    o.reason,
    o.action ?? '',
    clip(o.message),
  ]);
  return `${r.name}.${createHash('sha256').update(key).digest('hex').slice(0, 16)}`;
}

/** When an Event was last seen: the latest of its timestamps (series, lastTimestamp, eventTime, …). */
export function lastSeen(e: CoreEvent): number {
  const times = [e.series?.lastObservedTime, e.lastTimestamp, e.eventTime, e.firstTimestamp, e.metadata.creationTimestamp]
    .map((t) => (t ? Date.parse(t) : NaN))
    .filter((n) => !Number.isNaN(n));
  return times.length ? Math.max(...times) : 0;
}

export function isExpired(e: CoreEvent, now: Date, ttlSeconds: number): boolean {
  return now.getTime() - lastSeen(e) > ttlSeconds * 1000;
}

/**
 * The Event to store for an occurrence, given what is stored under its name: a new Event, or the
 * stored one counted up (count, lastTimestamp and series move; firstTimestamp stays). An expired
 * stored Event starts over.
 */
export function nextEvent(current: CoreEvent | undefined, o: Occurrence, component: string, now: Date, ttlSeconds: number): CoreEvent {
  if (current && !isExpired(current, now, ttlSeconds)) {
    const count = (current.count ?? 1) + 1;
    return { ...current, count, lastTimestamp: rfc3339(now), series: { count, lastObservedTime: microTime(now) } };
  }
  const r = o.regarding;
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: eventName(o, component), namespace: eventNamespace(r), uid: randomUUID(), creationTimestamp: rfc3339(now) },
    involvedObject: { ...r },
    reason: o.reason,
    message: clip(o.message),
    type: o.type,
    source: { component },
    firstTimestamp: rfc3339(now),
    lastTimestamp: rfc3339(now),
    count: 1,
    eventTime: microTime(now),
    ...(o.action ? { action: o.action } : {}),
    reportingComponent: component,
    reportingInstance: '',
  };
}

/** References to the objects skyfed records Events about. */
export function serviceRef(s: KubeObject): ObjectReference {
  return {
    kind: 'Service',
    apiVersion: 'v1',
    namespace: s.metadata.namespace ?? '',
    name: s.metadata.name ?? '',
    ...(s.metadata.uid ? { uid: s.metadata.uid } : {}),
  };
}

export function clusterRef(c: KubeObject): ObjectReference {
  return { kind: 'Cluster', apiVersion: 'federation/v1beta1', name: c.metadata.name ?? '', ...(c.metadata.uid ? { uid: c.metadata.uid } : {}) };
}
