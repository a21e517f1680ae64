import { applyPlan } from '../../../shared/dns/apply';
import { ShardView, desiredRecordSets } from '../../../shared/dns/desired';
import { Changes, Plan, UntouchableReason, isEmptyPlan, planChanges } from '../../../shared/dns/plan';
import { normalizeKey, normalizedKey } from '../../../shared/dns/records';

/** The ledger a registry keeps after applying a plan: owned + created/updated − deleted. */
function ownedAfter(owned: Iterable<string>, p: Changes): Set<string> {
  const out = new Set([...owned].map(normalizeKey));
  for (const r of [...p.create, ...p.updateNew]) out.add(normalizedKey(r));
  for (const r of p.delete) out.delete(normalizedKey(r));
  return out;
}
import { RecordSet, recordKey } from '../../../shared/dns/types';
import { SUFFIX, keys, render, rs, short } from './fixtures';

const own = (...sets: RecordSet[]): string[] => sets.map(recordKey);

interface Expected {
  create?: string[];
  update?: string[];
  delete?: string[];
  untouchable?: [string, UntouchableReason][];
}

const summary = (p: Plan): Expected => ({
  create: keys(p.create),
  update: keys(p.updateNew),
  delete: keys(p.delete),
  untouchable: p.untouchable.map((u) => [`${short(u.desired.name)} ${u.desired.type}`, u.reason]),
});

const A = rs('@', 'A', '1.1.1.1,2.2.2.2');
const AAAA = rs('@', 'AAAA', '2001:db8::1');
const zoneA = rs('z.r', 'A', '1.1.1.1');
const zoneCname = rs('z.r', 'CNAME', 'r');
const foreignTxt = rs('@', 'TXT', '"hello"');
const soa = rs('example.com.', 'SOA', 'ns1.example.com. admin.example.com. 1 7200 3600 1209600 300', 3600);
const ns = rs('example.com.', 'NS', 'ns1.example.com.', 3600);

// [name, current, desired, owned, expected]
const cases: [string, RecordSet[], RecordSet[], string[], Expected][] = [
  ['create what is missing', [], [A, AAAA], [], { create: ['@ A', '@ AAAA'] }],
  ['no-op when equal', [A], [A], own(A), {}],
  [
    'no-op when only order, case and IPv6 spelling differ',
    [
      { ...A, name: A.name.toUpperCase(), rrdatas: ['2.2.2.2', '1.1.1.1'] },
      { ...AAAA, rrdatas: ['2001:DB8:0::1'] },
    ],
    [A, AAAA],
    own(A, AAAA),
    {},
  ],
  ['update when the data differ', [A], [rs('@', 'A', '1.1.1.1')], own(A), { update: ['@ A'] }],
  ['update when only the ttl differs', [A], [{ ...A, ttl: 60 }], own(A), { update: ['@ A'] }],
  ['delete what we own and nobody wants', [A, AAAA], [A], own(A, AAAA), { delete: ['@ AAAA'] }],
  ['not ours and not wanted ⇒ untouched', [A, foreignTxt], [], own(), {}],
  ['not ours but wanted ⇒ untouchable, never updated', [A], [rs('@', 'A', '3.3.3.3')], own(), { untouchable: [['@ A', 'NotOwned']] }],
  ['not ours and already equal ⇒ still reported, nothing changed', [A], [A], own(), { untouchable: [['@ A', 'NotOwned']] }],
  ['in the ledger but missing from the zone ⇒ created again', [], [A], own(A), { create: ['@ A'] }],
  [
    'A → CNAME at one name: delete the address sets, create the CNAME',
    [zoneA, rs('z.r', 'AAAA', '2001:db8::1')],
    [zoneCname],
    own(zoneA, rs('z.r', 'AAAA', '::1')),
    { create: ['z.r CNAME'], delete: ['z.r A', 'z.r AAAA'] },
  ],
  ['CNAME → A at one name', [zoneCname], [zoneA], own(zoneCname), { create: ['z.r A'], delete: ['z.r CNAME'] }],
  ['a foreign CNAME blocks our A', [zoneCname], [zoneA], own(), { untouchable: [['z.r A', 'CnameConflict']] }],
  ['a foreign A blocks our CNAME', [zoneA], [zoneCname], own(), { untouchable: [['z.r CNAME', 'CnameConflict']] }],
  ['a foreign TXT does not block an A (they coexist)', [foreignTxt], [A], own(), { create: ['@ A'] }],
  ['SOA and NS are never ours, even in the ledger', [soa, ns, A], [A], own(soa, ns, A), {}],
  [
    'two different desired sets for one key: the first wins, the other is reported',
    [],
    [A, rs('@', 'A', '9.9.9.9')],
    [],
    { create: ['@ A'], untouchable: [['@ A', 'DuplicateDesired']] },
  ],
  ['identical duplicates are merged silently', [], [A, { ...A }], [], { create: ['@ A'] }],
  [
    'desired CNAME beside desired A: the CNAME is dropped and reported',
    [],
    [zoneA, zoneCname],
    [],
    { create: ['z.r A'], untouchable: [['z.r CNAME', 'CnameConflict']] },
  ],
  ['owned keys are matched case-insensitively and without a trailing dot', [A], [], [`${A.name.toUpperCase().slice(0, -1)} A`], { delete: ['@ A'] }],
];

describe('planChanges', () => {
  test.each(cases)('%s', (_name, current, desired, owned, expected) => {
    const plan = planChanges({ current, desired, owned });
    expect(summary(plan)).toEqual({ create: [], update: [], delete: [], untouchable: [], ...expected });
    expect(plan.updateOld.map(recordKey)).toEqual(plan.updateNew.map(recordKey));
    expect(plan.deletesCapped).toBe(false);
  });

  test.each(cases)('apply, then plan again ⇒ no changes: %s', (_name, current, desired, owned) => {
    const plan = planChanges({ current, desired, owned });
    const after = applyPlan(current, plan);
    const again = planChanges({ current: after, desired, owned: ownedAfter(owned, plan) });
    expect(isEmptyPlan(again)).toBe(true);
    expect(again.untouchable).toEqual(plan.untouchable);
  });

  test('update carries the exact current set as updateOld (Cloud DNS deletes must match)', () => {
    const cur = { ...A, rrdatas: ['2.2.2.2', '1.1.1.1'] };
    const plan = planChanges({ current: [cur], desired: [{ ...A, ttl: 5 }], owned: own(A) });
    expect(plan.updateOld[0]).toBe(cur);
  });

  describe('deletion cap', () => {
    const many = ['a', 'b', 'c', 'd', 'e'].map((r) => rs(r, 'A', '1.1.1.1'));

    test.each<[string, number | undefined, number, boolean]>([
      ['no cap', undefined, 5, false],
      ['cap above the count', 10, 5, false],
      ['cap equal to the count', 5, 5, false],
      ['cap below the count: truncated and flagged', 2, 2, true],
      ['cap of zero holds every deletion', 0, 0, true],
    ])('%s', (_name, maxDeletes, kept, capped) => {
      const plan = planChanges({ current: many, desired: [], owned: own(...many), ...(maxDeletes === undefined ? {} : { maxDeletes }) });
      expect(plan.delete).toHaveLength(kept);
      expect(plan.deferredDeletes).toHaveLength(5 - kept);
      expect(plan.deletesCapped).toBe(capped);
    });

    test('deletions that make room for a CNAME (failover) are not capped', () => {
      const zones = ['a', 'b', 'c'].map((z) => rs(`${z}.r`, 'A', '1.1.1.1'));
      const cnames = ['a', 'b', 'c'].map((z) => rs(`${z}.r`, 'CNAME', 'r'));
      const plan = planChanges({ current: [...zones, ...many], desired: cnames, owned: own(...zones, ...many), maxDeletes: 1 });
      expect(keys(plan.create)).toEqual(['a.r CNAME', 'b.r CNAME', 'c.r CNAME']);
      expect(keys(plan.delete)).toEqual(['a A', 'a.r A', 'b.r A', 'c.r A']);
      expect(plan.deferredDeletes).toHaveLength(4);
      expect(plan.deletesCapped).toBe(true);
    });
  });

  test('end to end: publish, lose a shard, recover — each step converges in one plan', () => {
    const shard = (cluster: string, ip: string, region: string, healthy: boolean): ShardView => ({
      cluster,
      region,
      zones: [`${region}-a`],
      healthy,
      addresses: [{ ip }],
    });
    const want = (healthy: [boolean, boolean]): RecordSet[] =>
      desiredRecordSets({
        federation: 'myfed',
        suffix: SUFFIX,
        service: 'nginx',
        namespace: 'web',
        shards: [shard('a', '1.1.1.1', 'r1', healthy[0]), shard('b', '2.2.2.2', 'r2', healthy[1])],
      }).recordSets;
    let zone: RecordSet[] = [soa, ns];
    let owned: Set<string> = new Set();
    const steps: [[boolean, boolean], Expected][] = [
      [[true, true], { create: ['@ A', 'r1-a.r1 A', 'r1 A', 'r2-a.r2 A', 'r2 A'] }],
      [[true, false], { create: ['r2-a.r2 CNAME', 'r2 CNAME'], update: ['@ A'], delete: ['r2-a.r2 A', 'r2 A'] }],
      [[true, false], {}],
      [[true, true], { create: ['r2-a.r2 A', 'r2 A'], update: ['@ A'], delete: ['r2-a.r2 CNAME', 'r2 CNAME'] }],
    ];
    for (const [health, expected] of steps) {
      const desired = want(health);
      const plan = planChanges({ current: zone, desired, owned, maxDeletes: 0 });
      expect(summary(plan)).toEqual({ create: [], update: [], delete: [], untouchable: [], ...expected });
      zone = applyPlan(zone, plan);
      owned = ownedAfter(owned, plan);
      expect(render(zone.filter((r) => r.type !== 'SOA' && r.type !== 'NS'))).toEqual(render(desired));
    }
  });
});
