/**
 * The Cloud DNS and Route 53 doubles enforce the real services' rules, seen through the real SDKs.
 */
import { ChangeResourceRecordSetsCommand, ListResourceRecordSetsCommand } from '@aws-sdk/client-route-53';
import { FakeCloudDns } from './gdns';
import { FakeRoute53 } from './r53';

describe('Cloud DNS double via @google-cloud/dns', () => {
  let fake: FakeCloudDns;
  beforeAll(async () => {
    fake = await FakeCloudDns.start({ pageSize: 3 });
    fake.addZone('z', 'example.com.');
  });
  afterAll(async () => fake?.stop());
  const zone = () => fake.client().zone('z');
  const rec = (name: string, data: string[], ttl = 30, type = 'a') => zone().record(type, { name, ttl, data });
  const code = (p: Promise<unknown>): Promise<number | string> =>
    p.then(
      () => 'ok',
      (e: { code?: number }) => e.code ?? 'error',
    );

  test('paged listing returns every set', async () => {
    await zone().createChange({ add: Array.from({ length: 8 }, (_, i) => rec(`h${i}.example.com.`, [`192.0.2.${i + 1}`])), delete: [] });
    const [records] = await zone().getRecords({ autoPaginate: true });
    expect(records).toHaveLength(8);
    expect(fake.calls.reads).toBeGreaterThanOrEqual(3);
  });
  test('adding an existing set is 409; a deletion that does not match exactly is 412; a bad change leaves the zone as it was', async () => {
    const before = fake.records('z');
    expect(await code(zone().createChange({ add: [rec('h0.example.com.', ['192.0.2.99'])], delete: [] }))).toBe(409);
    expect(await code(zone().createChange({ add: [rec('new.example.com.', ['192.0.2.50'])], delete: [rec('h1.example.com.', ['192.0.2.2'], 300)] }))).toBe(412);
    expect(fake.records('z')).toEqual(before);
  });
  test('a CNAME beside other data and a name outside the zone are 400; over 1,000 additions is 403 quotaExceeded', async () => {
    expect(await code(zone().createChange({ add: [rec('h2.example.com.', ['x.example.com.'], 30, 'cname')], delete: [] }))).toBe(400);
    expect(await code(zone().createChange({ add: [rec('a.example.org.', ['192.0.2.1'])], delete: [] }))).toBe(400);
    expect(await code(zone().createChange({ add: Array.from({ length: 1001 }, (_, i) => rec(`m${i}.example.com.`, ['192.0.2.1'])), delete: [] }))).toBe(403);
  });
});

describe('Route 53 double via @aws-sdk/client-route-53', () => {
  let fake: FakeRoute53;
  beforeAll(async () => {
    fake = await FakeRoute53.start({ pageSize: 3 });
    fake.addZone('Z1');
  });
  afterAll(async () => fake?.stop());
  const change = (changes: { Action: 'CREATE' | 'DELETE' | 'UPSERT'; name: string; values: string[]; ttl?: number; type?: string }[]) =>
    fake.client().send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: 'Z1',
        ChangeBatch: {
          Changes: changes.map((c) => ({
            Action: c.Action,
            ResourceRecordSet: { Name: c.name, Type: (c.type ?? 'A') as 'A', TTL: c.ttl ?? 30, ResourceRecords: c.values.map((Value) => ({ Value })) },
          })),
        },
      }),
    );
  const err = (p: Promise<unknown>): Promise<string> =>
    p.then(
      () => 'ok',
      (e: { name?: string; message?: string }) => `${e.name ?? ''}: ${e.message ?? ''}`,
    );

  test('paged listing in Route 53 order', async () => {
    await change(Array.from({ length: 7 }, (_, i) => ({ Action: 'CREATE' as const, name: `h${i}.example.com.`, values: [`192.0.2.${i + 1}`] })));
    const names: string[] = [];
    let start: { StartRecordName?: string; StartRecordType?: 'A' } = {};
    for (;;) {
      const page = await fake.client().send(new ListResourceRecordSetsCommand({ HostedZoneId: 'Z1', ...start }));
      names.push(...(page.ResourceRecordSets ?? []).map((r) => r.Name ?? ''));
      if (!page.IsTruncated) break;
      start = { StartRecordName: page.NextRecordName as string, StartRecordType: page.NextRecordType as 'A' };
    }
    expect(names).toEqual(Array.from({ length: 7 }, (_, i) => `h${i}.example.com.`));
  });
  test('CREATE of an existing set and a non-matching DELETE are InvalidChangeBatch, and the batch is atomic', async () => {
    const before = fake.records('Z1');
    expect(
      await err(
        change([
          { Action: 'CREATE', name: 'new.example.com.', values: ['192.0.2.9'] },
          { Action: 'CREATE', name: 'h0.example.com.', values: ['192.0.2.9'] },
        ]),
      ),
    ).toMatch(/InvalidChangeBatch: \[Tried to create resource record set \[name='h0.example.com.', type='A'\] but it already exists\]/);
    expect(await err(change([{ Action: 'DELETE', name: 'h1.example.com.', values: ['192.0.2.2'], ttl: 300 }]))).toMatch(/values provided do not match/);
    expect(fake.records('Z1')).toEqual(before);
  });
  test('limits: over 1,000 values (UPSERT counting twice) and over 32,000 characters', async () => {
    expect(
      await err(change([{ Action: 'UPSERT', name: 'big.example.com.', values: Array.from({ length: 501 }, (_, i) => `10.0.${i >> 8}.${i & 255}`) }])),
    ).toMatch(/exceeds the limit of 1000/);
    expect(
      await err(change([{ Action: 'CREATE', name: 'txt.example.com.', type: 'TXT', values: Array.from({ length: 130 }, () => `"${'x'.repeat(250)}"`) }])),
    ).toMatch(/32000/);
  });
  test('Throttling and PriorRequestNotComplete reach the client with their codes', async () => {
    fake.throttleNext(1);
    expect(await err(change([{ Action: 'CREATE', name: 't.example.com.', values: ['192.0.2.1'] }]))).toMatch(/^Throttling: Rate exceeded/);
    fake.priorRequestNotCompleteNext(1);
    expect(await err(change([{ Action: 'CREATE', name: 't.example.com.', values: ['192.0.2.1'] }]))).toMatch(/^PriorRequestNotComplete/);
    expect(await err(change([{ Action: 'CREATE', name: 't.example.com.', values: ['192.0.2.1'] }]))).toBe('ok');
  });
});
