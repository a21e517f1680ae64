/**
 * A wire-level AWS Route 53 double (REST/XML, API 2013-04-01) for ListResourceRecordSets (paged,
 * in Route 53's order) and ChangeResourceRecordSets. Rules as Route 53 enforces them: a batch is
 * validated whole and applied atomically; CREATE of an existing set, DELETE that does not match
 * exactly, and CNAME coexistence are `InvalidChangeBatch`; at most 1,000 values and 32,000
 * characters of values per request, UPSERT counting twice; `Throttling` and
 * `PriorRequestNotComplete` can be injected (HTTP 400, as Route 53 sends them).
 */
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { Route53Client } from '@aws-sdk/client-route-53';
import { ZoneRuleError, applySteps } from '../zone-rules';
import { RecordSet, RecordType } from '../../../shared/dns/types';

const NS = 'https://route53.amazonaws.com/doc/2013-04-01/';

/** One change of a ChangeResourceRecordSets batch, as received on the wire. */
export interface Route53Change {
  action: 'CREATE' | 'DELETE' | 'UPSERT';
  recordSet: RecordSet;
}
const STEP = { CREATE: 'add', DELETE: 'remove', UPSERT: 'replace' } as const;
const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const unesc = (s: string): string =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
const tag = (xml: string, t: string): string | undefined => new RegExp(`<${t}>([\\s\\S]*?)</${t}>`).exec(xml)?.[1];
const all = (xml: string, t: string): string[] => [...xml.matchAll(new RegExp(`<${t}>([\\s\\S]*?)</${t}>`, 'g'))].map((m) => m[1] as string);
/** Route 53 lists names with their labels reversed (com.example.www), then by type. */
const order = (r: RecordSet): string => `${r.name.replace(/\.$/, '').split('.').reverse().join('.')} ${r.type}`;

export class FakeRoute53 {
  readonly calls = { lists: 0, changes: 0, throttled: 0 };
  /** Every batch applied, as received (for "no half-applied batch" checks). */
  readonly applied: Route53Change[][] = [];
  private readonly zones = new Map<string, RecordSet[]>();
  private throttle = 0;
  private prior = 0;
  private constructor(
    private readonly server: Server,
    readonly pageSize: number,
  ) {}

  static async start(opts: { pageSize?: number } = {}): Promise<FakeRoute53> {
    let fake: FakeRoute53 | undefined = undefined;
    const server = createServer((req, res) => {
      fake?.handle(req, res).catch(() => res.destroy());
    });
    fake = new FakeRoute53(server, opts.pageSize ?? 100);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    return fake;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  addZone(id: string): void {
    this.zones.set(id, []);
  }
  records(id: string): RecordSet[] {
    return structuredClone(this.zones.get(id) ?? []);
  }
  seed(id: string, records: readonly RecordSet[]): void {
    this.zones.set(id, [...(this.zones.get(id) ?? []), ...structuredClone(records)]);
  }
  throttleNext(n: number): void {
    this.throttle = n;
  }
  priorRequestNotCompleteNext(n: number): void {
    this.prior = n;
  }
  stop(): Promise<void> {
    return new Promise((r) => {
      this.server.closeAllConnections();
      this.server.close(() => r());
    });
  }

  /** A real Route53Client pointed at this double; SDK retries off, so the adapter's backoff is what runs. */
  client(): Route53Client {
    return new Route53Client({
      region: 'us-east-1',
      endpoint: this.endpoint,
      credentials: { accessKeyId: 'AKIDFAKE', secretAccessKey: 'fake' },
      maxAttempts: 1,
    });
  }

  private error(res: ServerResponse, status: number, code: string, message: string): void {
    res.writeHead(status, { 'content-type': 'text/xml' });
    res.end(
      `<?xml version="1.0"?>\n<ErrorResponse xmlns="${NS}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${esc(message)}</Message></Error><RequestId>req-${Date.now()}</RequestId></ErrorResponse>`,
    );
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? '/', 'http://x');
    const m = /^\/2013-04-01\/hostedzone\/([^/]+)\/rrset\/?$/.exec(url.pathname);
    const records = m ? this.zones.get(m[1] as string) : undefined;
    if (!m || !records) return this.error(res, 404, 'NoSuchHostedZone', `No hosted zone found with ID: ${m?.[1] ?? ''}`);
    if (this.throttle > 0) {
      this.throttle--;
      this.calls.throttled++;
      return this.error(res, 400, 'Throttling', 'Rate exceeded');
    }
    if (req.method === 'GET') return this.list(url, records, res);
    if (this.prior > 0) {
      this.prior--;
      this.calls.throttled++;
      return this.error(res, 400, 'PriorRequestNotComplete', 'The request was rejected because Route 53 was still processing a prior request.');
    }
    this.calls.changes++;
    const xml = Buffer.concat(chunks).toString('utf8');
    const batch: Route53Change[] = all(xml, 'Change').map((c) => ({
      action: tag(c, 'Action') as Route53Change['action'],
      recordSet: {
        name: unesc(tag(c, 'Name') ?? '').toLowerCase(),
        type: tag(c, 'Type') as RecordType,
        ttl: Number(tag(c, 'TTL') ?? 0),
        rrdatas: all(c, 'Value').map(unesc),
      },
    }));
    const values = batch.reduce((n, c) => n + c.recordSet.rrdatas.length * (c.action === 'UPSERT' ? 2 : 1), 0);
    const chars = batch.reduce((n, c) => n + c.recordSet.rrdatas.join('').length * (c.action === 'UPSERT' ? 2 : 1), 0);
    if (values > 1000) return this.error(res, 400, 'InvalidChangeBatch', `Number of records in the change batch (${values}) exceeds the limit of 1000`);
    if (chars > 32000) return this.error(res, 400, 'InvalidChangeBatch', `Number of characters in the record values (${chars}) exceeds the limit of 32000`);
    try {
      // Route 53: the changes of one batch in order, all or nothing.
      this.zones.set(
        m[1] as string,
        applySteps(
          records as never,
          batch.map((c) => ({ op: STEP[c.action], set: { ...c.recordSet, rrdatas: [...c.recordSet.rrdatas] } })),
        ) as never,
      );
    } catch (e) {
      if (!(e instanceof ZoneRuleError)) throw e;
      const [name, type] = e.key.split('|');
      const why =
        e.rule === 'exists'
          ? `Tried to create resource record set [name='${name}', type='${type}'] but it already exists`
          : e.rule === 'missing'
            ? `Tried to delete resource record set [name='${name}', type='${type}'] but it was not found`
            : e.rule === 'cname'
              ? `RRSet of type CNAME with DNS name ${name} is not permitted as it conflicts with other records with the same DNS name in zone`
              : `Tried to delete resource record set [name='${name}', type='${type}'] but the values provided do not match the current values`;
      return this.error(res, 400, 'InvalidChangeBatch', `[${why}]`);
    }
    this.applied.push(batch);
    res.writeHead(200, { 'content-type': 'text/xml' });
    res.end(
      `<?xml version="1.0"?>\n<ChangeResourceRecordSetsResponse xmlns="${NS}"><ChangeInfo><Id>/change/C${this.calls.changes}</Id><Status>PENDING</Status><SubmittedAt>${new Date().toISOString()}</SubmittedAt></ChangeInfo></ChangeResourceRecordSetsResponse>`,
    );
  }

  private list(url: URL, records: RecordSet[], res: ServerResponse): void {
    this.calls.lists++;
    const sorted = [...records].sort((a, b) => (order(a) < order(b) ? -1 : 1));
    const max = Math.min(Number(url.searchParams.get('maxitems') ?? this.pageSize), this.pageSize);
    const startName = url.searchParams.get('name');
    const startType = url.searchParams.get('type');
    let i = 0;
    if (startName) {
      const from = order({ name: startName.endsWith('.') ? startName : `${startName}.`, type: (startType ?? '') as RecordType, ttl: 0, rrdatas: [] });
      i = sorted.findIndex((r) => order(r) >= from);
      if (i < 0) i = sorted.length;
    }
    const page = sorted.slice(i, i + max);
    const next = sorted[i + max];
    const sets = page
      .map(
        (r) =>
          `<ResourceRecordSet><Name>${esc(r.name)}</Name><Type>${r.type}</Type><TTL>${r.ttl}</TTL><ResourceRecords>${r.rrdatas.map((v) => `<ResourceRecord><Value>${esc(v)}</Value></ResourceRecord>`).join('')}</ResourceRecords></ResourceRecordSet>`,
      )
      .join('');
    res.writeHead(200, { 'content-type': 'text/xml' });
    res.end(
      `<?xml version="1.0"?>\n<ListResourceRecordSetsResponse xmlns="${NS}"><ResourceRecordSets>${sets}</ResourceRecordSets><IsTruncated>${next ? 'true' : 'false'}</IsTruncated>${next ? `<NextRecordName>${esc(next.name)}</NextRecordName><NextRecordType>${next.type}</NextRecordType>` : ''}<MaxItems>${max}</MaxItems></ListResourceRecordSetsResponse>`,
    );
  }
}
