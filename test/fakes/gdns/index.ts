/**
 * A wire-level Google Cloud DNS v1 double for the paths @google-cloud/dns uses (rrsets list with
 * paging, changes create). Rules as Cloud DNS enforces them: a change is validated whole and
 * applied atomically; a deletion must match the live set exactly (412 conditionNotMet); adding an
 * existing name+type is 409 alreadyExists; a CNAME beside other data is 400; over 1,000 additions
 * or deletions in one change is 403 quotaExceeded; names outside the zone are 400. Errors use
 * Google's JSON shape.
 */
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { DNS } from '@google-cloud/dns';
import { PassThroughClient } from 'google-auth-library';
import { ZoneRuleError, applySteps } from '../zone-rules';
import { RecordSet } from '../../../shared/dns/types';

interface Zone {
  dnsName: string;
  records: RecordSet[];
}

export class FakeCloudDns {
  readonly calls = { reads: 0, changes: 0, failed: 0 };
  private readonly zones = new Map<string, Zone>();
  private failures: { left: number; code: number } = { left: 0, code: 500 };
  private constructor(
    private readonly server: Server,
    readonly pageSize: number,
  ) {}

  static async start(opts: { pageSize?: number } = {}): Promise<FakeCloudDns> {
    let fake: FakeCloudDns | undefined = undefined;
    const server = createServer((req, res) => {
      fake?.handle(req, res).catch(() => res.destroy());
    });
    fake = new FakeCloudDns(server, opts.pageSize ?? 100);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    return fake;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/dns/v1`;
  }
  addZone(name: string, dnsName: string): void {
    this.zones.set(name, { dnsName, records: [] });
  }
  records(zone: string): RecordSet[] {
    return structuredClone(this.zones.get(zone)?.records ?? []);
  }
  seed(zone: string, records: readonly RecordSet[]): void {
    const z = this.zones.get(zone);
    if (z)
      z.records = applySteps(
        z.records as never,
        records.map((r) => ({ op: 'add' as const, set: { ...r, rrdatas: [...r.rrdatas] } })),
      ) as never;
  }
  failNext(n: number, code: number): void {
    this.failures = { left: n, code };
  }
  stop(): Promise<void> {
    return new Promise((r) => {
      this.server.closeAllConnections();
      this.server.close(() => r());
    });
  }

  /** A real @google-cloud/dns client pointed at this double (no Google credentials needed). */
  client(projectId = 'skyfed-test'): DNS {
    const dns = new DNS({ projectId, authClient: new PassThroughClient() } as never);
    (dns as unknown as { baseUrl: string }).baseUrl = this.baseUrl;
    return dns;
  }

  private error(res: ServerResponse, code: number, reason: string, message: string): void {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { code, message, errors: [{ domain: 'global', reason, message }] } }));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? '/', 'http://x');
    const m = /^\/dns\/v1\/projects\/[^/]+\/managedZones\/([^/]+)\/(rrsets|changes)$/.exec(url.pathname);
    const zone = m ? this.zones.get(m[1] as string) : undefined;
    if (!m || !zone) return this.error(res, 404, 'notFound', `The 'parameters.managedZone' resource named '${m?.[1] ?? ''}' does not exist.`);
    if (this.failures.left > 0) {
      this.failures.left--;
      this.calls.failed++;
      return this.error(res, this.failures.code, this.failures.code === 429 ? 'rateLimitExceeded' : 'backendError', 'injected failure');
    }
    if (m[2] === 'rrsets' && req.method === 'GET') {
      this.calls.reads++;
      const sorted = [...zone.records].sort((a, b) => (a.name + a.type < b.name + b.type ? -1 : 1));
      const start = Number(url.searchParams.get('pageToken') ?? 0);
      const size = Math.min(Number(url.searchParams.get('maxResults') ?? this.pageSize), this.pageSize);
      const page = sorted.slice(start, start + size);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          kind: 'dns#resourceRecordSetsListResponse',
          rrsets: page.map((r) => ({ kind: 'dns#resourceRecordSet', ...r })),
          ...(start + size < sorted.length ? { nextPageToken: String(start + size) } : {}),
        }),
      );
      return;
    }
    if (m[2] === 'changes' && req.method === 'POST') {
      this.calls.changes++;
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { additions?: RecordSet[]; deletions?: RecordSet[] };
      const additions = (body.additions ?? []).map((r) => ({ name: r.name.toLowerCase(), type: r.type, ttl: Number(r.ttl), rrdatas: r.rrdatas }));
      const deletions = (body.deletions ?? []).map((r) => ({ name: r.name.toLowerCase(), type: r.type, ttl: Number(r.ttl), rrdatas: r.rrdatas }));
      if (additions.length > 1000) return this.error(res, 403, 'quotaExceeded', 'The change would exceed quota for additions per change.');
      if (deletions.length > 1000) return this.error(res, 403, 'quotaExceeded', 'The change would exceed quota for deletions per change.');
      const outside = [...additions, ...deletions].find((r) => r.name !== zone.dnsName && !r.name.endsWith(`.${zone.dnsName}`));
      if (outside) return this.error(res, 400, 'invalidZoneApex', `The resource record set '${outside.name}' is not in the zone '${zone.dnsName}'.`);
      try {
        // Cloud DNS: every deletion, then every addition, as one atomic change.
        zone.records = applySteps(zone.records as never, [
          ...deletions.map((set) => ({ op: 'remove' as const, set: { ...set, rrdatas: [...set.rrdatas] } })),
          ...additions.map((set) => ({ op: 'add' as const, set: { ...set, rrdatas: [...set.rrdatas] } })),
        ]) as never;
      } catch (e) {
        if (!(e instanceof ZoneRuleError)) throw e;
        if (e.rule === 'exists') return this.error(res, 409, 'alreadyExists', `The resource 'entity.change.additions[${e.key}]' already exists`);
        if (e.rule === 'cname')
          return this.error(
            res,
            400,
            'cnameResourceRecordSetConflict',
            `The resource record set 'entity.change.additions[${e.key}]' is invalid because a CNAME set with the same name would coexist with another record set.`,
          );
        return this.error(res, 412, 'conditionNotMet', `Precondition not met for 'entity.change.deletions[${e.key}]'`);
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ kind: 'dns#change', id: String(this.calls.changes), status: 'done', additions, deletions, startTime: new Date().toISOString() }),
      );
      return;
    }
    this.error(res, 405, 'methodNotAllowed', 'method not allowed');
  }
}
