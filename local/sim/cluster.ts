/**
 * A simulated member cluster: an HTTPS Kubernetes API with its own CA and bearer token (a wrong
 * token is 401), the state and rules in state.ts, a load-balancer simulator that assigns each
 * LoadBalancer Service a distinct loopback address after a delay and (by default) really listens
 * on it, and fault modes: refused, hang, slow, 5xx, expiredToken, plus added latency.
 */
import { randomBytes } from 'node:crypto';
import { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, Server } from 'node:https';
import { AddressInfo, Server as NetServer, Socket, createServer as createTcpServer } from 'node:net';
import { generateTls } from '../tls';
import { MemberService } from '../../shared/propagation/member';
import { discovery, serviceRows } from './discovery';
import { ClusterState, KubeError, Obj, matchesSelector } from './state';

export type FaultMode = 'none' | 'refused' | 'hang' | 'slow' | '5xx' | 'expiredToken';

export interface FakeClusterOptions {
  readonly name: string;
  readonly region?: string;
  readonly zones?: readonly string[];
  /** Node labels: `topology` (default), `legacy` (failure-domain.beta.*), or `none`. */
  readonly topologyLabels?: 'topology' | 'legacy' | 'none';
  readonly version?: string;
  readonly latencyMs?: number;
  readonly lbDelayMs?: number;
  /** Open a real TCP listener on each load-balancer address (default true). */
  readonly lbListen?: boolean;
  readonly lbHostname?: boolean;
  readonly readyEndpoints?: number;
}

export class FakeCluster {
  readonly token = randomBytes(16).toString('hex');
  readonly state: ClusterState;
  readonly requests = new Map<string, number>();
  /** Requests received, answered or not (a hanging cluster receives but never answers), and when the last came. */
  received = { count: 0, lastAt: 0 };
  private server!: Server;
  private port = 0;
  private fault: { mode: FaultMode; delayMs: number } = { mode: 'none', delayMs: 0 };
  private readonly sockets = new Set<Socket>();
  /** TCP connections accepted so far (a guard test checks that none was made). */
  connectionCount = 0;
  private readonly lbs = new Map<string, { ip: string; listeners: NetServer[]; answering: boolean }>();
  private readonly tls = generateTls(['127.0.0.1', 'localhost']);
  private lbCounter = 0;

  constructor(readonly index: number, readonly opts: FakeClusterOptions) {
    this.state = new ClusterState(index, opts.readyEndpoints ?? 2);
  }

  get name(): string { return this.opts.name; }
  get url(): string { return `https://127.0.0.1:${this.port}`; }
  get caPem(): string { return this.tls.caPem; }

  async start(): Promise<void> {
    // A client that gives up mid-request (time-outs do) aborts the body read: drop that request quietly.
    this.server = createServer({ cert: this.tls.certPem, key: this.tls.keyPem, keepAlive: true }, (req, res) => { this.handle(req, res).catch(() => res.destroy()); });
    this.server.on('connection', (s: Socket) => { this.connectionCount++; this.sockets.add(s); s.on('close', () => this.sockets.delete(s)); });
    await this.listen(0);
  }

  private listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => { this.port = (this.server.address() as AddressInfo).port; resolve(); });
    });
  }

  kubeconfig(): string {
    const ca = Buffer.from(this.caPem).toString('base64');
    return `apiVersion: v1\nkind: Config\nclusters:\n- name: ${this.name}\n  cluster:\n    server: ${this.url}\n    certificate-authority-data: ${ca}\ncontexts:\n- name: ${this.name}\n  context:\n    cluster: ${this.name}\n    user: ${this.name}-admin\ncurrent-context: ${this.name}\nusers:\n- name: ${this.name}-admin\n  user:\n    token: ${this.token}\n`;
  }

  async setFault(f: { mode: FaultMode; delayMs?: number }): Promise<void> {
    const was = this.fault.mode;
    this.fault = { mode: f.mode, delayMs: f.delayMs ?? 0 };
    if (f.mode === 'refused' && was !== 'refused') {
      await new Promise<void>((r) => { this.server.close(() => r()); for (const s of this.sockets) s.destroy(); });
    }
    if (was === 'refused' && f.mode !== 'refused') await this.listen(this.port);
  }

  getService(ns: string, name: string): MemberService | undefined {
    const s = this.state.services.get(`${ns}/${name}`);
    return s ? (structuredClone(s) as unknown as MemberService) : undefined;
  }
  deleteServiceByHand(ns: string, name: string): void { this.state.remove(ns, name); this.closeLb(`${ns}/${name}`); }
  createServiceByHand(ns: string, body: Obj): Obj { this.state.namespaces.add(ns); return this.state.create(ns, body); }
  setReadyEndpoints(ns: string, name: string, n: number): void { this.state.ready.set(`${ns}/${name}`, n); }
  /** Member writes (create/update/delete of Services and namespaces) received so far. */
  writeCount(): number {
    return [...this.requests].filter(([k]) => /^(POST|PUT|PATCH|DELETE) /.test(k)).reduce((n, [, v]) => n + v, 0);
  }

  async setLoadBalancerAnswering(ns: string, name: string, answering: boolean): Promise<void> {
    const lb = this.lbs.get(`${ns}/${name}`);
    if (!lb || lb.answering === answering) return;
    lb.answering = answering;
    if (!answering) await Promise.all(lb.listeners.map((l) => new Promise<void>((r) => l.close(() => r()))));
    else lb.listeners = await this.openListeners(lb.ip, this.state.services.get(`${ns}/${name}`));
  }

  private async openListeners(ip: string, svc: Obj | undefined): Promise<NetServer[]> {
    if (this.opts.lbListen === false || !svc) return [];
    const ports = ((svc.spec?.['ports'] as { port: number; protocol?: string }[] | undefined) ?? []).filter((p) => (p.protocol ?? 'TCP') === 'TCP');
    return Promise.all(ports.map((p) => new Promise<NetServer>((resolve) => {
      const l = createTcpServer((s) => s.end());
      l.on('error', () => resolve(l));
      l.listen(p.port, ip, () => resolve(l));
    })));
  }

  private closeLb(key: string): void {
    const lb = this.lbs.get(key);
    if (!lb) return;
    for (const l of lb.listeners) l.close();
    this.lbs.delete(key);
  }

  /** Assigns ingress to LoadBalancer Services after the configured delay (and withdraws it from others). */
  private provision(o: Obj): void {
    const key = `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;
    if (o.spec?.['type'] !== 'LoadBalancer') { this.closeLb(key); return; }
    if (this.lbs.has(key)) return;
    const n = ++this.lbCounter;
    const ip = `127.${20 + this.index}.${(n >> 8) & 255}.${n & 255}`;
    const lb = { ip, listeners: [] as NetServer[], answering: true };
    this.lbs.set(key, lb);
    setTimeout(() => {
      void this.openListeners(ip, this.state.services.get(key)).then((ls) => {
        lb.listeners = ls;
        const svc = this.state.services.get(key);
        if (!svc || !this.lbs.has(key)) { ls.forEach((l) => l.close()); return; }
        svc.status = { loadBalancer: { ingress: [this.opts.lbHostname ? { hostname: `lb-${n}.${this.name}.elb.fake` } : { ip, ipMode: 'VIP' }] } };
        svc.metadata.resourceVersion = this.state.bump();
      });
    }, this.opts.lbDelayMs ?? 20).unref();
  }

  private count(key: string): void { this.requests.set(key, (this.requests.get(key) ?? 0) + 1); }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const f = this.fault;
    this.received = { count: this.received.count + 1, lastAt: Date.now() };
    if (f.mode === 'hang') return; // accept, never answer
    const delay = (this.opts.latencyMs ?? 0) + (f.mode === 'slow' ? f.delayMs : 0);
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const send = (code: number, body: unknown): void => { res.writeHead(code, { 'content-type': 'application/json' }); res.end(JSON.stringify(body)); };
    try {
      if (f.mode === '5xx') throw new KubeError(503, 'ServiceUnavailable', 'the server is currently unable to handle the request');
      const url = new URL(req.url ?? '/', 'https://x');
      if (url.pathname === '/readyz' || url.pathname === '/healthz' || url.pathname === '/livez') { res.writeHead(200); res.end('ok'); return; }
      if (f.mode === 'expiredToken' || req.headers.authorization !== `Bearer ${this.token}`) throw new KubeError(401, 'Unauthorized', 'Unauthorized');
      const body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Obj) : undefined;
      const disco = req.method === 'GET' ? discovery(url.pathname) : undefined;
      if (disco) return send(200, disco);
      let result = this.route(req.method ?? 'GET', url, body);
      const wantsTable = (req.headers.accept ?? '').includes('as=Table');
      if (wantsTable && result.kind === 'services' && req.method === 'GET') result = { ...result, body: serviceRows([result.body as Obj], '1') };
      if (wantsTable && result.kind === 'ServiceList') result = { ...result, body: serviceRows((result.body as { items: Obj[] }).items, '1') };
      this.count(`${req.method ?? 'GET'} ${result.kind}`);
      send(result.code, result.body);
    } catch (e) {
      const err = e instanceof KubeError ? e : new KubeError(500, 'InternalError', (e as Error).message);
      send(err.code, err.status());
    }
  }

  private route(method: string, url: URL, body: Obj | undefined): { code: number; body: unknown; kind: string } {
    const p = url.pathname.split('/').filter(Boolean);
    const sel = url.searchParams.get('labelSelector') ?? undefined;
    const list = (kind: string, items: Obj[]) => ({ code: 200, body: { kind, apiVersion: kind === 'EndpointSliceList' ? 'discovery.k8s.io/v1' : 'v1', metadata: { resourceVersion: this.state.bump() }, items }, kind });
    if (method === 'GET' && url.pathname === '/version') {
      const v = this.opts.version ?? 'v1.30.2';
      return { code: 200, body: { major: '1', minor: v.split('.')[1], gitVersion: v, platform: 'linux/amd64' }, kind: 'version' };
    }
    if (method === 'GET' && url.pathname === '/api/v1/nodes') {
      const zones = this.opts.zones ?? [];
      const lbl = this.opts.topologyLabels ?? 'topology';
      const pre = lbl === 'legacy' ? 'failure-domain.beta.kubernetes.io' : 'topology.kubernetes.io';
      const items = (zones.length ? zones : ['']).map((z, i) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name: `node-${i}`, labels: lbl === 'none' ? {} : { ...(z ? { [`${pre}/zone`]: z } : {}), ...(this.opts.region ? { [`${pre}/region`]: this.opts.region } : {}) } } }));
      return list('NodeList', items as Obj[]);
    }
    if (p[0] === 'api' && p[1] === 'v1' && p[2] === 'services' && method === 'GET') {
      return list('ServiceList', [...this.state.services.values()].filter((s) => matchesSelector(sel, s.metadata.labels)));
    }
    if (p[0] === 'api' && p[1] === 'v1' && p[2] === 'namespaces' && p.length === 4 && method === 'GET') {
      const name = p[3] as string;
      if (!this.state.namespaces.has(name)) throw new KubeError(404, 'NotFound', `namespaces "${name}" not found`, { name, kind: 'namespaces' });
      return { code: 200, body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name }, status: { phase: 'Active' } }, kind: 'namespaces' };
    }
    if (p[0] === 'api' && p[1] === 'v1' && p[2] === 'namespaces' && p.length === 3 && method === 'POST' && body) {
      const name = body.metadata.name ?? '';
      if (this.state.namespaces.has(name)) throw new KubeError(409, 'AlreadyExists', `namespaces "${name}" already exists`);
      this.state.namespaces.add(name);
      return { code: 201, body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, kind: 'namespaces' };
    }
    if (p[0] === 'apis' && p[1] === 'discovery.k8s.io' && method === 'GET') {
      const ns = p[3] === 'namespaces' ? p[4] : undefined;
      const svc = sel?.match(/kubernetes\.io\/service-name=([^,]+)/)?.[1];
      return list('EndpointSliceList', this.state.endpointSlices(ns, svc));
    }
    if (p[0] === 'api' && p[1] === 'v1' && p[2] === 'namespaces' && p[4] === 'services') {
      const ns = p[3] as string;
      const name = p[5];
      if (!name && method === 'GET') return list('ServiceList', [...this.state.services.values()].filter((s) => s.metadata.namespace === ns && matchesSelector(sel, s.metadata.labels)));
      if (!name && method === 'POST' && body) { const o = this.state.create(ns, body); this.provision(o); return { code: 201, body: o, kind: 'services' }; }
      if (name && method === 'GET') {
        const o = this.state.services.get(`${ns}/${name}`);
        if (!o) throw new KubeError(404, 'NotFound', `services "${name}" not found`, { name, kind: 'services' });
        return { code: 200, body: o, kind: 'services' };
      }
      if (name && method === 'PUT' && body) { const o = this.state.replace(ns, name, body); this.provision(o); return { code: 200, body: o, kind: 'services' }; }
      if (name && method === 'DELETE') {
        const pre = (body as unknown as { preconditions?: { resourceVersion?: string } } | undefined)?.preconditions?.resourceVersion;
        const o = this.state.remove(ns, name, pre);
        this.closeLb(`${ns}/${name}`);
        return { code: 200, body: o, kind: 'services' };
      }
    }
    throw new KubeError(404, 'NotFound', 'the server could not find the requested resource');
  }

  async stop(): Promise<void> {
    for (const key of [...this.lbs.keys()]) this.closeLb(key);
    for (const s of this.sockets) s.destroy();
    if (this.fault.mode !== 'refused') await new Promise<void>((r) => this.server.close(() => r()));
  }
}
