import { ChangeRejectedError, ChangeRejectedReason, applyChange, applyPlan, applyRoute53Batch } from '../../../shared/dns/apply';
import { CloudDnsChange, Route53Change } from '../../../shared/dns/batch';
import { RecordSet } from '../../../shared/dns/types';
import { render, rs } from './fixtures';

const A = rs('@', 'A', '1.1.1.1');
const zoneA = rs('z.r', 'A', '1.1.1.1');
const zoneCname = rs('z.r', 'CNAME', 'r');

function rejection(fn: () => unknown): ChangeRejectedReason | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof ChangeRejectedError) return e.reason;
    throw e;
  }
  return undefined;
}

describe('applyChange (Cloud DNS rules)', () => {
  test.each<[string, RecordSet[], CloudDnsChange, ChangeRejectedReason | Record<string, string>]>([
    ['addition', [], { additions: [A], deletions: [] }, { '@ A': '1.1.1.1' }],
    ['exact deletion (order-insensitive)', [rs('@', 'A', '1.1.1.1,2.2.2.2')], { additions: [], deletions: [rs('@', 'A', '2.2.2.2,1.1.1.1')] }, {}],
    ['replace = deletion + addition', [A], { additions: [rs('@', 'A', '3.3.3.3')], deletions: [A] }, { '@ A': '3.3.3.3' }],
    ['type switch in one change', [zoneA], { additions: [zoneCname], deletions: [zoneA] }, { 'z.r CNAME': 'r' }],
    ['adding an existing set', [A], { additions: [A], deletions: [] }, 'AlreadyExists'],
    ['deleting a missing set', [], { additions: [], deletions: [A] }, 'NotFound'],
    ['deleting with stale data', [A], { additions: [], deletions: [rs('@', 'A', '9.9.9.9')] }, 'Mismatch'],
    ['deleting with a stale ttl', [A], { additions: [], deletions: [{ ...A, ttl: 300 }] }, 'Mismatch'],
    ['a CNAME beside an A', [zoneA], { additions: [zoneCname], deletions: [] }, 'CnameConflict'],
    ['an A beside a CNAME', [zoneCname], { additions: [zoneA], deletions: [] }, 'CnameConflict'],
  ])('%s', (_name, current, change, expected) => {
    if (typeof expected === 'string') {
      const before = JSON.stringify(current);
      expect(rejection(() => applyChange(current, change))).toBe(expected);
      expect(JSON.stringify(current)).toBe(before); // all or nothing: the input is never touched
    } else {
      expect(render(applyChange(current, change))).toEqual(expected);
    }
  });

  test('applyPlan uses the same rules', () => {
    expect(rejection(() => applyPlan([], { create: [], updateOld: [A], updateNew: [A], delete: [] }))).toBe('NotFound');
  });
});

describe('applyRoute53Batch (Route 53 rules)', () => {
  test.each<[string, RecordSet[], Route53Change[], ChangeRejectedReason | Record<string, string>]>([
    ['CREATE', [], [{ action: 'CREATE', recordSet: A }], { '@ A': '1.1.1.1' }],
    ['UPSERT creates', [], [{ action: 'UPSERT', recordSet: A }], { '@ A': '1.1.1.1' }],
    ['UPSERT replaces', [A], [{ action: 'UPSERT', recordSet: rs('@', 'A', '2.2.2.2') }], { '@ A': '2.2.2.2' }],
    [
      'DELETE then CREATE of a CNAME',
      [zoneA],
      [
        { action: 'DELETE', recordSet: zoneA },
        { action: 'CREATE', recordSet: zoneCname },
      ],
      { 'z.r CNAME': 'r' },
    ],
    ['CREATE of an existing set', [A], [{ action: 'CREATE', recordSet: A }], 'AlreadyExists'],
    ['DELETE with other values', [A], [{ action: 'DELETE', recordSet: rs('@', 'A', '2.2.2.2') }], 'Mismatch'],
    ['CREATE of a CNAME before deleting the A', [zoneA], [{ action: 'CREATE', recordSet: zoneCname }], 'CnameConflict'],
    [
      'the whole batch fails when one change does',
      [],
      [
        { action: 'CREATE', recordSet: A },
        { action: 'DELETE', recordSet: zoneA },
      ],
      'NotFound',
    ],
  ])('%s', (_name, current, batch, expected) => {
    if (typeof expected === 'string') expect(rejection(() => applyRoute53Batch(current, batch))).toBe(expected);
    else expect(render(applyRoute53Batch(current, batch))).toEqual(expected);
  });
});
