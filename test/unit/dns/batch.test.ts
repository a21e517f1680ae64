import { applyChange, applyRoute53Batch } from '../../../shared/dns/apply';
import { BatchLimitError, Route53Change, cloudDnsChanges, route53Batches } from '../../../shared/dns/batch';
import { Changes, planChanges } from '../../../shared/dns/plan';
import { RecordSet, recordKey } from '../../../shared/dns/types';
import { ips, rs, short } from './fixtures';

const changes = (over: Partial<Changes>): Changes => ({ create: [], updateOld: [], updateNew: [], delete: [], ...over });
const r53 = (batches: Route53Change[][]): string[][] => batches.map((b) => b.map((c) => `${c.action} ${short(c.recordSet.name)} ${c.recordSet.type}`));
const values = (b: Route53Change[]): number => b.reduce((n, c) => n + (c.action === 'UPSERT' ? 2 : 1) * c.recordSet.rrdatas.length, 0);
const chars = (b: Route53Change[]): number => b.reduce((n, c) => n + (c.action === 'UPSERT' ? 2 : 1) * c.recordSet.rrdatas.join('').length, 0);
/** Names, one A set each of `n` values. */
const sets = (names: string[], n: number): RecordSet[] => names.map((name, i) => rs(name, 'A', ips(n, i)));
const txt = (name: string, count: number): RecordSet =>
  rs(
    name,
    'TXT',
    Array.from({ length: count }, (_, i) => `"${String(i).padStart(253, 'x')}"`),
  );

describe('route53Batches', () => {
  test.each<[string, Changes, string[][]]>([
    ['empty plan: no batch', changes({}), []],
    [
      'create, update and delete in one batch; UPSERT for updates',
      changes({
        create: [rs('@', 'A', '1.1.1.1')],
        updateOld: [rs('r', 'A', '2.2.2.2')],
        updateNew: [rs('r', 'A', '3.3.3.3')],
        delete: [rs('q', 'A', '4.4.4.4')],
      }),
      [['CREATE @ A', 'DELETE q A', 'UPSERT r A']],
    ],
    [
      'type switch: DELETE the A before CREATE of the CNAME, same batch',
      changes({ create: [rs('z.r', 'CNAME', 'r')], delete: [rs('z.r', 'AAAA', '::1'), rs('z.r', 'A', '1.1.1.1')] }),
      [['DELETE z.r AAAA', 'DELETE z.r A', 'CREATE z.r CNAME']],
    ],
    [
      'parents before children: global, regional, zonal',
      changes({ create: [rs('z.r', 'CNAME', 'r'), rs('r', 'CNAME', '@'), rs('@', 'A', '1.1.1.1')] }),
      [['CREATE @ A', 'CREATE r CNAME', 'CREATE z.r CNAME']],
    ],
  ])('%s', (_name, plan, expected) => {
    expect(r53(route53Batches(plan))).toEqual(expected);
  });

  test.each<[string, Changes, number]>([
    ['1,000 values fit one batch', changes({ create: sets(['a', 'b'], 500) }), 1],
    ['1,001 values need two', changes({ create: sets(['a', 'b', 'c'], 334) }), 2],
    ['UPSERT counts twice: two updates of 300 values need two batches', changes({ updateOld: sets(['a', 'b'], 1), updateNew: sets(['a', 'b'], 300) }), 2],
    ['…while creating the same two sets fits one', changes({ create: sets(['a', 'b'], 300) }), 1],
    ['32,000 characters: four TXT sets of 40×255 characters need two batches', changes({ create: ['a', 'b', 'c', 'd'].map((n) => txt(n, 40)) }), 2],
    ['UPSERT characters count twice too', changes({ updateOld: ['a', 'b'].map((n) => txt(n, 1)), updateNew: ['a', 'b'].map((n) => txt(n, 40)) }), 2],
    [
      'many small names: one batch',
      changes({
        create: sets(
          Array.from({ length: 300 }, (_, i) => `n${i}`),
          3,
        ),
      }),
      1,
    ],
  ])('limits: %s', (_name, plan, count) => {
    const batches = route53Batches(plan);
    expect(batches).toHaveLength(count);
    for (const b of batches) {
      expect(values(b)).toBeLessThanOrEqual(1000);
      expect(chars(b)).toBeLessThanOrEqual(32000);
    }
    expect(batches.flat()).toHaveLength(plan.create.length + plan.updateNew.length + plan.delete.length);
  });

  test('a name is never split across batches, even at a batch boundary', () => {
    // 'a' fills 900 values; 'b' switches A → CNAME (200 deletes + 1 create) and must move whole.
    const plan = changes({ create: [rs('a', 'A', ips(900)), rs('b', 'CNAME', '@')], delete: [rs('b', 'A', ips(200, 1))] });
    const batches = route53Batches(plan);
    expect(r53(batches)).toEqual([['CREATE a A'], ['DELETE b A', 'CREATE b CNAME']]);
  });

  test('DELETE_CREATE mode: exact old out, new in, kept together', () => {
    const plan = changes({ updateOld: [rs('r', 'A', '2.2.2.2')], updateNew: [rs('r', 'A', '3.3.3.3')] });
    expect(r53(route53Batches(plan, { updateAs: 'DELETE_CREATE' }))).toEqual([['DELETE r A', 'CREATE r A']]);
  });

  test('a single name beyond the limits cannot be sent: BatchLimitError', () => {
    expect(() => route53Batches(changes({ create: [rs('a', 'A', ips(1001))] }))).toThrow(BatchLimitError);
    expect(() => route53Batches(changes({ updateOld: [rs('a', 'A', ips(1))], updateNew: [rs('a', 'A', ips(501))] }))).toThrow(BatchLimitError);
  });

  test('applying the batches in order reaches the desired zone, and Route 53 rules hold', () => {
    const current = [...sets(['a', 'b', 'c'], 400), rs('z.r', 'A', '1.1.1.1')];
    const desired = [...sets(['a', 'b'], 450), rs('z.r', 'CNAME', 'r'), rs('r', 'A', '5.5.5.5'), ...sets(['d'], 10)];
    const plan = planChanges({ current, desired, owned: current.map(recordKey) });
    const batches = route53Batches(plan);
    expect(batches.length).toBeGreaterThan(1);
    const zone = batches.reduce<RecordSet[]>((z, b) => applyRoute53Batch(z, b), current);
    expect(planChanges({ current: zone, desired, owned: desired.map(recordKey) }).create).toEqual([]);
    expect(zone.map(recordKey).sort()).toEqual(desired.map(recordKey).sort());
  });
});

describe('cloudDnsChanges', () => {
  test('an update is the exact old set deleted and the new set added in the same change', () => {
    const old = rs('r', 'A', '2.2.2.2,1.1.1.1');
    const next = rs('r', 'A', '3.3.3.3');
    const [change, ...rest] = cloudDnsChanges(changes({ updateOld: [old], updateNew: [next], create: [rs('@', 'A', '1.1.1.1')] }));
    expect(rest).toEqual([]);
    expect(change?.deletions).toEqual([old]);
    expect(change?.additions.map((r) => short(r.name))).toEqual(['@', 'r']);
  });

  test.each<[string, Changes, number]>([
    ['empty plan: no change', changes({}), 0],
    [
      '1,000 additions fit one change',
      changes({
        create: sets(
          Array.from({ length: 1000 }, (_, i) => `n${i}`),
          1,
        ),
      }),
      1,
    ],
    [
      '1,500 additions need two',
      changes({
        create: sets(
          Array.from({ length: 1500 }, (_, i) => `n${i}`),
          1,
        ),
      }),
      2,
    ],
    [
      '1,000 additions and 1,000 deletions fit one (separate limits)',
      changes({
        create: sets(
          Array.from({ length: 1000 }, (_, i) => `c${i}`),
          1,
        ),
        delete: sets(
          Array.from({ length: 1000 }, (_, i) => `d${i}`),
          1,
        ),
      }),
      1,
    ],
    [
      '1,001 deletions need two',
      changes({
        delete: sets(
          Array.from({ length: 1001 }, (_, i) => `d${i}`),
          1,
        ),
      }),
      2,
    ],
    ['100,000 bytes of record data per change', changes({ create: ['a', 'b', 'c', 'd', 'e'].map((n) => txt(n, 90)) }), 2],
  ])('limits: %s', (_name, plan, count) => {
    const out = cloudDnsChanges(plan);
    expect(out).toHaveLength(count);
    for (const c of out) {
      expect(c.additions.length).toBeLessThanOrEqual(1000);
      expect(c.deletions.length).toBeLessThanOrEqual(1000);
    }
  });

  test('a type switch stays in one change', () => {
    const plan = changes({
      create: [
        ...sets(
          Array.from({ length: 999 }, (_, i) => `n${i}`),
          1,
        ),
        rs('z.r', 'CNAME', 'r'),
        rs('y.r', 'CNAME', 'r'),
      ],
      delete: [rs('z.r', 'A', '1.1.1.1')],
    });
    const out = cloudDnsChanges(plan);
    const holding = out.filter((c) => [...c.additions, ...c.deletions].some((r) => short(r.name) === 'z.r'));
    expect(holding).toHaveLength(1);
    expect(holding[0]?.deletions.map((r) => r.type)).toEqual(['A']);
    expect(holding[0]?.additions.filter((r) => short(r.name) === 'z.r').map((r) => r.type)).toEqual(['CNAME']);
  });

  test('applying the changes in order reaches the desired zone', () => {
    const current = sets(
      Array.from({ length: 1200 }, (_, i) => `n${i}`),
      1,
    );
    const desired = [
      ...sets(
        Array.from({ length: 600 }, (_, i) => `n${i}`),
        2,
      ),
      ...sets(
        Array.from({ length: 700 }, (_, i) => `m${i}`),
        1,
      ),
    ];
    const plan = planChanges({ current, desired, owned: current.map(recordKey) });
    const out = cloudDnsChanges(plan);
    expect(out.length).toBeGreaterThan(1);
    const zone = out.reduce<RecordSet[]>((z, c) => applyChange(z, c), current);
    expect(zone.map(recordKey).sort()).toEqual(desired.map(recordKey).sort());
  });
});
