/**
 * The embedded authoritative DNS server (UDP and TCP on one port) for the local DNS provider, so
 * `dig @127.0.0.1 -p PORT name` and Node's resolver see what clients would. Record sets come from
 * a RecordSource that the caller keeps current. Malformed packets get FORMERR or are dropped;
 * nothing crashes the server. UDP answers over 512 bytes (or the client's EDNS size) are truncated
 * with TC set, so clients retry over TCP.
 */
import { createSocket, Socket } from 'node:dgram';
import { createServer, Server } from 'node:net';
import * as packet from 'dns-packet';
import { RecordSet } from '../dns/types';
import { Zone, respond } from './answer';

export class StaticRecordSource {
  private serialNo = 1;
  constructor(private records: readonly RecordSet[]) {}
  replace(records: readonly RecordSet[]): void {
    this.records = records.map((r) => ({ ...r, name: r.name.toLowerCase() }));
    this.serialNo++;
  }
  snapshot(): readonly RecordSet[] {
    return this.records;
  }
  serial(): number {
    return this.serialNo;
  }
}

export interface DnsServerOptions {
  readonly host: string;
  readonly port: number;
  readonly zones: readonly { origin: string; source: StaticRecordSource }[];
}

export interface DnsServer {
  readonly udpPort: number;
  readonly tcpPort: number;
  close(): Promise<void>;
}

function answerBytes(msg: Buffer, zones: readonly Zone[]): { reply: Buffer; udpLimit: number } | undefined {
  let query: packet.Packet;
  try {
    query = packet.decode(msg);
  } catch {
    if (msg.length < 2) return undefined;
    const id = msg.readUInt16BE(0);
    return { reply: packet.encode({ id, type: 'response', flags: 1, questions: [] }), udpLimit: 512 };
  }
  const opt = (query.additionals ?? []).find((a) => a.type === 'OPT') as { udpPayloadSize?: number } | undefined;
  const response = respond(query, zones);
  return { reply: packet.encode(response), udpLimit: Math.max(512, Math.min(opt?.udpPayloadSize ?? 512, 4096)) };
}

function truncated(msg: Buffer, zones: readonly Zone[]): Buffer {
  const query = packet.decode(msg);
  const r = respond(query, zones);
  return packet.encode({ ...r, flags: (r.flags ?? 0) | packet.TRUNCATED_RESPONSE, answers: [], authorities: [] });
}

export async function startDnsServer(o: DnsServerOptions): Promise<DnsServer> {
  const zones: Zone[] = o.zones.map((z) => ({ origin: z.origin.toLowerCase(), records: () => z.source.snapshot(), serial: () => z.source.serial() }));
  const tcp: Server = createServer((socket) => {
    let buf = Buffer.alloc(0);
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 2) {
        const len = buf.readUInt16BE(0);
        if (buf.length < 2 + len) break;
        const msg = buf.subarray(2, 2 + len);
        buf = buf.subarray(2 + len);
        const out = answerBytes(msg, zones);
        if (!out) continue;
        const head = Buffer.alloc(2);
        head.writeUInt16BE(out.reply.length, 0);
        socket.write(Buffer.concat([head, out.reply]));
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    tcp.once('error', reject);
    tcp.listen(o.port, o.host, () => resolve());
  });
  const port = (tcp.address() as { port: number }).port;
  const udp: Socket = createSocket('udp4');
  udp.on('message', (msg, rinfo) => {
    try {
      const out = answerBytes(msg, zones);
      if (!out) return;
      const reply = out.reply.length > out.udpLimit ? truncated(msg, zones) : out.reply;
      udp.send(reply, rinfo.port, rinfo.address);
    } catch {
      /* never let one bad packet stop the server */
    }
  });
  await new Promise<void>((resolve, reject) => {
    udp.once('error', reject);
    udp.bind(port, o.host, () => resolve());
  });
  return {
    udpPort: port,
    tcpPort: port,
    close: async () => {
      await new Promise<void>((r) => udp.close(() => r()));
      await new Promise<void>((r) => tcp.close(() => r()));
    },
  };
}
