/**
 * The authoritative answer logic, pure: a query packet and the zones' record sets → a response
 * packet. Exact answers, CNAME chasing inside the zone, NXDOMAIN and NODATA with the SOA in the
 * authority section, REFUSED outside our zones, FORMERR/NOTIMP for what we do not serve.
 */
import * as packet from 'dns-packet';
import { RecordSet } from '../dns/types';

export interface Zone {
  readonly origin: string; // absolute, lower case, e.g. `example.com.`
  readonly records: () => readonly RecordSet[];
  readonly serial: () => number;
}

const AA = packet.AUTHORITATIVE_ANSWER;
const RCODE = { NOERROR: 0, FORMERR: 1, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;
const abs = (n: string): string => (n.endsWith('.') ? n : `${n}.`).toLowerCase();
const bare = (n: string): string => n.replace(/\.$/, '');

function soa(zone: Zone): packet.Answer {
  return {
    name: bare(zone.origin),
    type: 'SOA',
    ttl: 30,
    class: 'IN',
    data: {
      mname: `ns1.${bare(zone.origin)}`,
      rname: `hostmaster.${bare(zone.origin)}`,
      serial: zone.serial(),
      refresh: 300,
      retry: 60,
      expire: 86400,
      minimum: 30,
    },
  } as packet.Answer;
}

function toAnswer(r: RecordSet, asked: string): packet.Answer[] {
  return r.rrdatas.map((d) => {
    const data = r.type === 'CNAME' ? bare(d) : r.type === 'TXT' ? d.replace(/^"|"$/g, '') : d;
    return { name: asked, type: r.type, ttl: r.ttl, class: 'IN', data } as packet.Answer;
  });
}

export function respond(query: packet.Packet, zones: readonly Zone[]): packet.Packet {
  const q = query.questions?.[0];
  const base = { id: query.id ?? 0, type: 'response' as const, questions: query.questions ?? [] };
  const rd = (query.flags ?? 0) & packet.RECURSION_DESIRED;
  const fail = (rcode: number): packet.Packet => ({ ...base, flags: rd | rcode, answers: [], authorities: [] });
  if (!q || (query.questions?.length ?? 0) !== 1) return fail(RCODE.FORMERR);
  if ((query as { opcode?: string }).opcode !== undefined && (query as { opcode?: string }).opcode !== 'QUERY') return fail(RCODE.NOTIMP);
  const name = abs(q.name);
  const zone = zones.filter((z) => name === z.origin || name.endsWith(`.${z.origin}`)).sort((a, b) => b.origin.length - a.origin.length)[0];
  if (!zone) return fail(RCODE.REFUSED);
  const records = zone.records();
  const at = (n: string): RecordSet[] => records.filter((r) => r.name === n);
  const answers: packet.Answer[] = [];
  if (name === zone.origin && (q.type === 'SOA' || q.type === 'NS')) {
    answers.push(
      q.type === 'SOA' ? soa(zone) : ({ name: bare(zone.origin), type: 'NS', ttl: 30, class: 'IN', data: `ns1.${bare(zone.origin)}` } as packet.Answer),
    );
    return { ...base, flags: AA | rd, answers, authorities: [] };
  }
  let current = name;
  const seen = new Set<string>();
  for (let hop = 0; hop < 8; hop++) {
    const here = at(current);
    const exact = here.find((r) => r.type === q.type);
    const cname = here.find((r) => r.type === 'CNAME');
    if (exact) {
      answers.push(...toAnswer(exact, bare(current)));
      break;
    }
    if (cname && q.type !== 'CNAME') {
      answers.push(...toAnswer(cname, bare(current)));
      const target = abs(cname.rrdatas[0] ?? '');
      if (seen.has(target) || !(target === zone.origin || target.endsWith(`.${zone.origin}`))) break;
      seen.add(current);
      current = target;
      continue;
    }
    if (here.length === 0 && answers.length === 0) {
      // NXDOMAIN unless the name is an empty non-terminal (some record lies below it).
      const below = records.some((r) => r.name.endsWith(`.${name}`));
      return { ...base, flags: AA | rd | (below || name === zone.origin ? RCODE.NOERROR : RCODE.NXDOMAIN), answers: [], authorities: [soa(zone)] };
    }
    break;
  }
  return { ...base, flags: AA | rd, answers, authorities: answers.length ? [] : [soa(zone)] };
}
