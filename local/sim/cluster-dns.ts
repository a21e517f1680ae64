/**
 * A simulated member cluster's own DNS (where its CoreDNS would be), on loopback over UDP and TCP.
 * It serves what stock CoreDNS would with skyfed's opt-in: the zones in ConfigMap
 * kube-system/skyfed-dns (read on every query, so a write shows at once), `<svc>.<ns>.svc.<domain>`
 * → the Service's cluster IP (the kubernetes plugin's part), CNAMEs chased, and every other name
 * forwarded to an upstream (the demo's public DNS server), as CoreDNS's `forward` does.
 */
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import * as packet from 'dns-packet';
import { FakeCluster } from './cluster';
import { ParsedZone, ZoneRecord, parseZoneFile } from './zone-file';

export interface ClusterDnsOptions {
  readonly host?: string;
  readonly port?: number;
  readonly upstream?: { readonly host: string; readonly port: number };
}

export interface ClusterDns {
  readonly port: number;
  close(): Promise<void>;
}

type Rcode = 'NOERROR' | 'NXDOMAIN' | 'SERVFAIL' | 'REFUSED';
const RCODES: Record<Rcode, number> = { NOERROR: 0, SERVFAIL: 2, NXDOMAIN: 3, REFUSED: 5 };
const bare = (n: string): string => n.replace(/\.$/, '');
const abs = (n: string): string => `${bare(n).toLowerCase()}.`;

function zonesOf(cluster: FakeCluster): ParsedZone[] {
  const cm = cluster.configMap('kube-system', 'skyfed-dns');
  return Object.entries(cm?.data ?? {})
    .filter(([k]) => k.startsWith('db.'))
    .map(([, text]) => parseZoneFile(text));
}

function toAnswer(r: ZoneRecord): packet.Answer {
  return {
    name: bare(r.name),
    type: r.type,
    ttl: r.ttl,
    class: 'IN',
    data:
      typeof r.data === 'string'
        ? r.type === 'A' || r.type === 'AAAA'
          ? r.data
          : bare(r.data)
        : { ...r.data, mname: bare(r.data.mname), rname: bare(r.data.rname) },
  } as packet.Answer;
}

async function forward(upstream: ClusterDnsOptions['upstream'], name: string, type: string): Promise<{ rcode: Rcode; answers: packet.Answer[] }> {
  if (!upstream) return { rcode: 'REFUSED', answers: [] };
  const sock = createSocket('udp4');
  try {
    const reply = await new Promise<packet.Packet>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('upstream time-out')), 1000);
      sock.on('message', (m) => {
        clearTimeout(timer);
        try {
          resolve(packet.decode(m));
        } catch (e) {
          reject(e);
        }
      });
      sock.send(
        packet.encode({ type: 'query', id: 1, flags: packet.RECURSION_DESIRED, questions: [{ name, type: type as packet.RecordType }] }),
        upstream.port,
        upstream.host,
      );
    });
    const rcode = (reply as { rcode?: string }).rcode as Rcode | undefined;
    return { rcode: rcode && rcode in RCODES ? rcode : 'NOERROR', answers: reply.answers ?? [] };
  } catch {
    return { rcode: 'SERVFAIL', answers: [] };
  } finally {
    sock.close();
  }
}

/** Answers one question the way CoreDNS would, chasing CNAMEs across zones and upstream. */
async function resolve(
  cluster: FakeCluster,
  o: ClusterDnsOptions,
  qname: string,
  qtype: string,
): Promise<{ rcode: Rcode; answers: packet.Answer[]; authorities: packet.Answer[] }> {
  const domain = abs(cluster.opts.clusterDomain ?? 'cluster.local');
  const zones = zonesOf(cluster);
  const answers: packet.Answer[] = [];
  let name = abs(qname);
  for (let hop = 0; hop < 8; hop++) {
    const zone = zones.filter((z) => name === z.origin || name.endsWith(`.${z.origin}`)).sort((a, b) => b.origin.length - a.origin.length)[0];
    if (zone) {
      const here = zone.records.filter((r) => r.name === name);
      const exact = here.filter((r) => r.type === qtype);
      const cname = here.find((r) => r.type === 'CNAME');
      const soa = zone.records.filter((r) => r.type === 'SOA').map(toAnswer);
      if (exact.length) return { rcode: 'NOERROR', answers: [...answers, ...exact.map(toAnswer)], authorities: [] };
      if (cname && qtype !== 'CNAME') {
        answers.push(toAnswer(cname));
        name = cname.data as string;
        continue;
      }
      return { rcode: here.length || answers.length ? 'NOERROR' : 'NXDOMAIN', answers, authorities: soa };
    }
    const svc = new RegExp(`^([a-z0-9-]+)\\.([a-z0-9-]+)\\.svc\\.${domain.replace(/\./g, '\\.')}$`).exec(name);
    if (svc) {
      const s = cluster.getService(svc[2] as string, svc[1] as string);
      const ip = s?.spec.clusterIP;
      if (!s) return { rcode: answers.length ? 'NOERROR' : 'NXDOMAIN', answers, authorities: [] };
      if (qtype === 'A' && ip && ip !== 'None') answers.push({ name: bare(name), type: 'A', ttl: 5, class: 'IN', data: ip } as packet.Answer);
      return { rcode: 'NOERROR', answers, authorities: [] };
    }
    if (name === domain || name.endsWith(`.${domain}`)) return { rcode: answers.length ? 'NOERROR' : 'NXDOMAIN', answers, authorities: [] };
    const up = await forward(o.upstream, bare(name), qtype);
    return { rcode: answers.length && up.rcode !== 'NOERROR' ? 'NOERROR' : up.rcode, answers: [...answers, ...up.answers], authorities: [] };
  }
  return { rcode: 'SERVFAIL', answers, authorities: [] };
}

async function answer(cluster: FakeCluster, o: ClusterDnsOptions, msg: Buffer): Promise<Buffer | undefined> {
  let q: packet.Packet;
  try {
    q = packet.decode(msg);
  } catch {
    return undefined;
  }
  const question = q.questions?.[0];
  const base = { id: q.id ?? 0, type: 'response' as const, questions: q.questions ?? [] };
  const flags = packet.RECURSION_AVAILABLE | ((q.flags ?? 0) & packet.RECURSION_DESIRED);
  if (!question) return packet.encode({ ...base, flags: flags | 1 });
  const r = await resolve(cluster, o, question.name, question.type);
  return packet.encode({ ...base, flags: flags | RCODES[r.rcode], answers: r.answers, authorities: r.authorities });
}

export async function startClusterDns(cluster: FakeCluster, o: ClusterDnsOptions = {}): Promise<ClusterDns> {
  const host = o.host ?? '127.0.0.1';
  const tcp = createServer((socket) => {
    let buf = Buffer.alloc(0);
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const msg = buf.subarray(2, 2 + buf.readUInt16BE(0));
        buf = buf.subarray(2 + msg.length);
        void answer(cluster, o, msg).then((out) => {
          if (!out) return;
          const head = Buffer.alloc(2);
          head.writeUInt16BE(out.length, 0);
          socket.write(Buffer.concat([head, out]));
        });
      }
    });
  });
  await new Promise<void>((res, rej) => {
    tcp.once('error', rej);
    tcp.listen(o.port ?? 0, host, () => res());
  });
  const port = (tcp.address() as { port: number }).port;
  const udp = createSocket('udp4');
  udp.on('message', (msg, rinfo) => {
    void answer(cluster, o, msg).then(
      (out) => {
        if (out) udp.send(out, rinfo.port, rinfo.address);
      },
      () => undefined,
    );
  });
  await new Promise<void>((res, rej) => {
    udp.once('error', rej);
    udp.bind(port, host, () => res());
  });
  return {
    port,
    close: async () => {
      await new Promise<void>((r) => udp.close(() => r()));
      await new Promise<void>((r) => tcp.close(() => r()));
    },
  };
}
