import { coreEventTable, fromEventsV1, toEventsV1 } from '../../../shared/api/events-view';
import { matchesFields, parseFieldSelector } from '../../../shared/api/field-selector';
import { coreEventType, eventsV1Type } from '../../../shared/api/events-view';
import { CoreEvent } from '../../../shared/recorder/event';

const stored: CoreEvent = {
  apiVersion: 'v1',
  kind: 'Event',
  metadata: { name: 'web.0123456789abcdef', namespace: 'shop', uid: 'e-1', resourceVersion: '7' },
  involvedObject: { kind: 'Service', apiVersion: 'v1', namespace: 'shop', name: 'web', uid: 'u-1' },
  reason: 'ShardUnhealthy',
  message: 'Shard in cluster east is unhealthy: timeout ',
  type: 'Warning',
  source: { component: 'skyfed-sweep' },
  reportingComponent: 'skyfed-sweep',
  reportingInstance: '',
  firstTimestamp: '2026-12-01T10:00:00Z',
  lastTimestamp: '2026-12-01T10:05:00Z',
  count: 3,
  eventTime: '2026-12-01T10:00:00.000000Z',
  series: { count: 3, lastObservedTime: '2026-12-01T10:05:00.000000Z' },
  action: 'Probe',
};
const now = new Date('2026-12-01T10:07:00Z');

describe('events.k8s.io/v1 view of a stored core Event', () => {
  test('fields are renamed as kube-apiserver converts them, and back without loss', () => {
    const v = toEventsV1(stored);
    expect(v).toMatchObject({
      apiVersion: 'events.k8s.io/v1',
      regarding: stored.involvedObject,
      note: stored.message,
      reportingController: 'skyfed-sweep',
      deprecatedSource: { component: 'skyfed-sweep' },
      deprecatedFirstTimestamp: stored.firstTimestamp,
      deprecatedLastTimestamp: stored.lastTimestamp,
      deprecatedCount: 3,
      series: stored.series,
      eventTime: stored.eventTime,
      reason: 'ShardUnhealthy',
      type: 'Warning',
      action: 'Probe',
    });
    for (const f of ['involvedObject', 'message', 'source', 'count', 'firstTimestamp', 'lastTimestamp', 'reportingComponent']) expect(v).not.toHaveProperty(f);
    expect(fromEventsV1(v)).toEqual(stored);
  });
});

describe('the Event table (kubectl get events)', () => {
  test('columns and cells as kube-apiserver prints them', () => {
    expect(coreEventTable.columns.filter((c) => c.priority === 0).map((c) => c.name)).toEqual(['Last Seen', 'Type', 'Reason', 'Object', 'Message']);
    expect(coreEventTable.cells(stored, now)).toEqual([
      '2m',
      'Warning',
      'ShardUnhealthy',
      'service/web',
      '',
      'skyfed-sweep',
      'Shard in cluster east is unhealthy: timeout',
      '7m',
      3,
      'web.0123456789abcdef',
    ]);
  });
  test('a singleton without series: count 1, last seen = lastTimestamp', () => {
    const single = { ...stored, series: undefined, count: 0, lastTimestamp: '2026-12-01T10:06:00Z' } as unknown as CoreEvent;
    const cells = coreEventTable.cells(single, now);
    expect([cells[0], cells[8]]).toEqual(['60s', 1]);
  });
});

describe('field selectors on Events', () => {
  test.each([
    ['involvedObject.name=web,involvedObject.namespace=shop,involvedObject.kind=Service,involvedObject.uid=u-1', true],
    ['involvedObject.kind=Service,involvedObject.name=web,involvedObject.namespace=,involvedObject.uid=u-1', false],
    ['involvedObject.name=other', false],
    ['type!=Normal', true],
    ['reason==ShardUnhealthy,source=skyfed-sweep', true],
    ['metadata.name!=web.0123456789abcdef', false],
  ])('core %s → %s', (sel, match) => {
    expect(matchesFields(parseFieldSelector(sel, coreEventType.fields), stored, coreEventType.fields)).toBe(match);
  });

  test.each([
    ['regarding.name=web,regarding.uid=u-1', true],
    ['reportingController=skyfed-propagation', false],
  ])('events.k8s.io %s → %s', (sel, match) => {
    expect(matchesFields(parseFieldSelector(sel, eventsV1Type.fields), toEventsV1(stored), eventsV1Type.fields)).toBe(match);
  });

  test.each([
    ['involvedObject.name=web', undefined, 'field label not supported: involvedObject.name'],
    ['regarding.name=web', coreEventType.fields, 'field label not supported: regarding.name'],
    ['nonsense', coreEventType.fields, "can't understand 'nonsense'"],
  ])('%s is refused with a 400', (sel, fields, msg) => {
    expect(() => parseFieldSelector(sel, fields)).toThrow(msg);
  });

  test('escaped commas and equals signs are part of the value', () => {
    expect(parseFieldSelector('reason=a\\,b\\=c', coreEventType.fields)).toEqual([{ field: 'reason', op: '=', value: 'a,b=c' }]);
  });
});
