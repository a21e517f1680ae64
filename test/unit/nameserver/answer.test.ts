import * as packet from 'dns-packet';
import { createSocket } from 'node:dgram';
import { respond, startDnsServer, StaticRecordSource } from '../../../shared/nameserver';
import { RecordSet } from '../../../shared/dns/types';

const records: RecordSet[] = [
  { name: 'nginx.ns.fed.svc.example.com.', type: 'A', ttl: 30, rrdatas: ['192.0.2.1', '192.0.2.2'] },
  { name: 'nginx.ns.fed.svc.r1.example.com.', type: 'CNAME', ttl: 30, rrdatas: ['nginx.ns.fed.svc.example.com.'] },
  { name: 'nginx.ns.fed.svc.z1.r1.example.com.', type: 'CNAME', ttl: 30, rrdatas: ['nginx.ns.fed.svc.r1.example.com.'] },
  { name: 'loop-a.example.com.', type: 'CNAME', ttl: 30, rrdatas: ['loop-b.example.com.'] },
  { name: 'loop-b.example.com.', type: 'CNAME', ttl: 30, rrdatas: ['loop-a.example.com.'] },
];
const zone = { origin: 'example.com.', records: () => records, serial: () => 7 };
const ask = (name: string, type: string): packet.Packet =>
  respond({ id: 1, type: 'query', flags: packet.RECURSION_DESIRED, questions: [{ name, type: type as 'A', class: 'IN' }] }, [zone]);
const rcode = (p: packet.Packet): number => (p.flags ?? 0) & 15;

test.each<[string, string, string, number, string[], boolean]>([
  ['exact A', 'nginx.ns.fed.svc.example.com', 'A', 0, ['192.0.2.1', '192.0.2.2'], false],
  ['case-insensitive', 'NGINX.ns.fed.SVC.example.com', 'A', 0, ['192.0.2.1', '192.0.2.2'], false],
  [
    'zonal CNAME chased to regional to global',
    'nginx.ns.fed.svc.z1.r1.example.com',
    'A',
    0,
    ['nginx.ns.fed.svc.r1.example.com', 'nginx.ns.fed.svc.example.com', '192.0.2.1', '192.0.2.2'],
    false,
  ],
  ['CNAME asked for directly', 'nginx.ns.fed.svc.r1.example.com', 'CNAME', 0, ['nginx.ns.fed.svc.example.com'], false],
  ['NODATA: name exists, no AAAA', 'nginx.ns.fed.svc.example.com', 'AAAA', 0, [], true],
  ['NXDOMAIN', 'nope.example.com', 'A', 3, [], true],
  ['empty non-terminal is NODATA', 'svc.example.com', 'A', 0, [], true],
  ['CNAME loop stops', 'loop-a.example.com', 'A', 0, ['loop-b.example.com', 'loop-a.example.com'], false],
  ['outside our zones is REFUSED', 'example.org', 'A', 5, [], false],
])('%s', (_n, name, type, code, data, soa) => {
  const r = ask(name, type);
  expect(rcode(r)).toBe(code);
  expect((r.answers ?? []).map((a) => String((a as { data: unknown }).data))).toEqual(data);
  expect((r.authorities ?? []).some((a) => a.type === 'SOA')).toBe(soa);
  if (code !== 5) expect((r.flags ?? 0) & packet.AUTHORITATIVE_ANSWER).toBeTruthy();
});

test('the server survives garbage and still answers', async () => {
  const source = new StaticRecordSource(records);
  const server = await startDnsServer({ host: '127.0.0.1', port: 0, zones: [{ origin: 'example.com.', source }] });
  const sock = createSocket('udp4');
  try {
    for (let i = 0; i < 200; i++)
      sock.send(Buffer.from(Array.from({ length: 1 + (i % 40) }, () => Math.floor(Math.random() * 256))), server.udpPort, '127.0.0.1');
    const reply = await new Promise<packet.Packet>((resolve) => {
      sock.on('message', (m) => {
        try {
          const p = packet.decode(m);
          if (p.id === 4242) resolve(p);
        } catch {
          /* replies to garbage */
        }
      });
      sock.send(
        packet.encode({ id: 4242, type: 'query', questions: [{ name: 'nginx.ns.fed.svc.example.com', type: 'A', class: 'IN' }] }),
        server.udpPort,
        '127.0.0.1',
      );
    });
    expect((reply.answers ?? []).length).toBe(2);
    source.replace([]);
    expect(
      rcode(
        respond({ id: 1, type: 'query', questions: [{ name: 'nginx.ns.fed.svc.example.com', type: 'A', class: 'IN' }] }, [
          { origin: 'example.com.', records: () => source.snapshot(), serial: () => source.serial() },
        ]),
      ),
    ).toBe(3);
  } finally {
    sock.close();
    await server.close();
  }
});
