/**
 * A small RFC 1035 master-file reader for the simulated cluster DNS (what CoreDNS's `file` plugin
 * does with kube-system/skyfed-dns): $ORIGIN, $TTL, `@`, relative and absolute owners, a blank
 * owner meaning the previous one, comments, and records spread over lines in parentheses. Types
 * SOA, NS, CNAME, A, AAAA; anything else is skipped. Written independently of skyfed's renderer.
 */
export interface ZoneRecord {
  readonly name: string; // absolute, lower case
  readonly type: 'SOA' | 'NS' | 'CNAME' | 'A' | 'AAAA';
  readonly ttl: number;
  readonly data: string | { mname: string; rname: string; serial: number; refresh: number; retry: number; expire: number; minimum: number };
}

export interface ParsedZone {
  readonly origin: string;
  readonly records: readonly ZoneRecord[];
}

const TYPES = new Set(['SOA', 'NS', 'CNAME', 'A', 'AAAA']);

function logicalLines(text: string): string[] {
  const out: string[] = [];
  let buf = '';
  let depth = 0;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/;.*$/, '');
    depth += (line.match(/\(/g) ?? []).length - (line.match(/\)/g) ?? []).length;
    buf += (buf ? ' ' : '') + line;
    if (depth <= 0) {
      if (buf.trim()) out.push(buf.replace(/[()]/g, ' '));
      buf = '';
      depth = 0;
    }
  }
  return out;
}

export function parseZoneFile(text: string, defaultOrigin = '.'): ParsedZone {
  let origin = defaultOrigin.toLowerCase();
  let ttl = 3600;
  let owner = origin;
  const records: ZoneRecord[] = [];
  const abs = (n: string): string => (n === '@' ? origin : n.endsWith('.') ? n.toLowerCase() : `${n.toLowerCase()}.${origin}`.replace(/\.\.$/, '.'));
  for (const line of logicalLines(text)) {
    const fields = line.trim().split(/\s+/);
    if (fields[0] === '$ORIGIN') {
      origin = (fields[1] ?? '.').toLowerCase();
      continue;
    }
    if (fields[0] === '$TTL') {
      ttl = Number(fields[1]);
      continue;
    }
    if (!/^\s/.test(line)) owner = abs(fields.shift() ?? '@');
    let recTtl = ttl;
    while (fields.length && (/^\d+$/.test(fields[0] as string) || fields[0] === 'IN')) {
      const f = fields.shift() as string;
      if (f !== 'IN') recTtl = Number(f);
    }
    const type = (fields.shift() ?? '').toUpperCase();
    if (!TYPES.has(type)) continue;
    if (type === 'SOA') {
      const [mname, rname, serial, refresh, retry, expire, minimum] = fields;
      records.push({
        name: owner,
        type,
        ttl: recTtl,
        data: {
          mname: abs(mname ?? '@'),
          rname: abs(rname ?? '@'),
          serial: Number(serial),
          refresh: Number(refresh),
          retry: Number(retry),
          expire: Number(expire),
          minimum: Number(minimum),
        },
      });
    } else {
      const v = fields[0] ?? '';
      records.push({ name: owner, type: type as ZoneRecord['type'], ttl: recTtl, data: type === 'A' || type === 'AAAA' ? v : abs(v) });
    }
  }
  const soa = records.find((r) => r.type === 'SOA');
  return { origin: soa?.name ?? origin, records };
}
