/**
 * The ownership registry over an in-memory zone with Cloud DNS's rules: a set is skyfed's only once
 * skyfed created it; a pending claim is confirmed only when the zone holds exactly what was sent.
 */
import { applyPlan } from '../../../shared/dns/apply';
import { Changes, planChanges } from '../../../shared/dns/plan';
import { DnsConflictError, DnsProvider } from '../../../shared/dns/providers/port';
import { MemoryLedgerStore, Registry } from '../../../shared/dns/registry';
import { RecordSet } from '../../../shared/dns/types';

const A = (name: string, ip: string, ttl = 30): RecordSet => ({ name: `${name}.example.com.`, type: 'A', ttl, rrdatas: [ip] });

class Zone implements DnsProvider {
  readonly kind = 'local' as const;
  readonly zone = 'example.com.';
  sets: RecordSet[] = [];
  beforeApply: (() => void) | undefined;
  failAfterApply = false;
  async records(): Promise<RecordSet[]> {
    return structuredClone(this.sets);
  }
  async apply(c: Changes): Promise<void> {
    this.beforeApply?.();
    this.beforeApply = undefined;
    try {
      this.sets = applyPlan(this.sets, c);
    } catch (e) {
      throw new DnsConflictError((e as Error).message);
    }
    if (this.failAfterApply) throw new Error('connection reset after the change was accepted');
  }
}

async function sweepOnce(reg: Registry, desired: RecordSet[], owner = 'web/nginx'): Promise<void> {
  const { current, owners } = await reg.records();
  const plan = planChanges({ current, desired, owned: owners.keys() });
  await reg.apply(plan, () => owner);
}

test('a set that was already there is never claimed, updated or deleted', async () => {
  const zone = new Zone();
  const foreign = A('www', '198.51.100.1', 300);
  zone.sets = [foreign];
  const reg = new Registry(zone, new MemoryLedgerStore());
  for (let i = 0; i < 3; i++) await sweepOnce(reg, [A('www', '203.0.113.1'), A('api', '203.0.113.2')]);
  expect(zone.sets).toContainEqual(foreign);
  expect((await reg.records()).owners.has('www.example.com. A')).toBe(false);
  await sweepOnce(reg, []); // the Service goes: only its own set goes with it
  expect(zone.sets).toEqual([foreign]);
});

test('a set created between read and write stays foreign after the conflict', async () => {
  const zone = new Zone();
  const ledger = new MemoryLedgerStore();
  const reg = new Registry(zone, ledger);
  const racer = A('www', '198.51.100.9', 60);
  const { current, owners } = await reg.records();
  const plan = planChanges({ current, desired: [A('www', '203.0.113.1')], owned: owners.keys() });
  zone.beforeApply = () => {
    zone.sets = [...zone.sets, racer];
  };
  await expect(reg.apply(plan, () => 'web/nginx')).rejects.toBeInstanceOf(DnsConflictError);
  expect([...ledger.entries.values()][0]?.pending).toBeDefined(); // the claim was recorded first…
  const after = await reg.records();
  expect(after.owners.size).toBe(0); // …and dropped once the zone shows someone else's set
  for (let i = 0; i < 3; i++) await sweepOnce(reg, [A('www', '203.0.113.1')]);
  expect(zone.sets).toEqual([racer]);
});

test('a create that went through although the call failed is confirmed at the next read', async () => {
  const zone = new Zone();
  const reg = new Registry(zone, new MemoryLedgerStore());
  zone.failAfterApply = true;
  await expect(sweepOnce(reg, [A('www', '203.0.113.1')])).rejects.toThrow('connection reset');
  zone.failAfterApply = false;
  expect((await reg.records()).owners.get('www.example.com. A')).toBe('web/nginx');
  await sweepOnce(reg, [A('www', '203.0.113.7')]);
  expect(zone.sets).toEqual([A('www', '203.0.113.7')]);
});

test('a steady pass writes nothing to the ledger', async () => {
  const zone = new Zone();
  const ledger = new MemoryLedgerStore();
  const reg = new Registry(zone, ledger);
  await sweepOnce(reg, [A('www', '203.0.113.1')]);
  const writes = ledger.writes;
  for (let i = 0; i < 3; i++) await sweepOnce(reg, [A('www', '203.0.113.1')]);
  expect(ledger.writes).toBe(writes);
});

test('the registry refuses to update or delete a set that is not confirmed as ours', async () => {
  const zone = new Zone();
  zone.sets = [A('www', '198.51.100.1')];
  const reg = new Registry(zone, new MemoryLedgerStore());
  await reg.records();
  await expect(reg.apply({ create: [], updateOld: [], updateNew: [], delete: [A('www', '198.51.100.1')] }, () => 'x')).rejects.toThrow(
    /not a confirmed set of ours/,
  );
  expect(zone.sets).toEqual([A('www', '198.51.100.1')]);
});
