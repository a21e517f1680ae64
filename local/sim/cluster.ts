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
import { TlsMaterial, generateTls } from '../tls';
import { MemberService } from '../../shared/propagation/member';
import { ConfigObjects } from './configmaps';
import { discovery, serviceRows } from './discovery';
import { ClusterState, KubeError, Obj, matchesSelector } from './state';
import { ObjectTable, decodeSegment } from './objects';
import { attributesOf, authenticate, authorize } from './rbac';
import { LbMode, Nodes, SliceEdits, endpointsOf, lbModeOf } from './knobs';
import { BlackHole, openBlackHole } from './blackhole';
import { SimContext, routeExtra } from './routes';

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
  /** The cluster's DNS domain (default cluster.local). */
  readonly clusterDomain?: string;
  /** Second octet of load-balancer addresses is lbNet + index (default 20): 127.<lbNet+index>.x.y. */
  readonly lbNet?: number;
  /** Keep a previous run's address, token and TLS material (local/sim/persist.ts). */
  readonly identity?: { readonly port: number; readonly token: string; readonly tls: TlsMaterial };
  /** Called after anything changes (persistence). */
  readonly onChange?: () => void;
}

export class FakeCluster {
  readonly token: string;
  readonly state: ClusterState;
  /** ConfigMaps and Deployments (configmaps.ts). */
  readonly configs: ConfigObjects;
  readonly objects: ObjectTable;
  readonly nodes: Nodes;
  readonly slices = new SliceEdits();
  readonly requests = new Map<string, number>();
  /** Requests received, answered or not (a hanging cluster receives but never answers), and when the last came. */
  received = { count: 0, lastAt: 0 };
  private server!: Server;
  private port = 0;
  private fault: { mode: FaultMode; delayMs: number } = { mode: 'none', delayMs: 0 };
  private readonly sockets = new Set<Socket>();
  /** TCP connections accepted so far (a guard test checks that none was made). */
  connectionCount = 0;
  readonly lbs = new Map<string, { ip: string; listeners: NetServer[]; answering: boolean; mode: LbMode; hole?: BlackHole }>();
  readonly tls: TlsMaterial;
  lbCounter = 0;

  constructor(
    readonly index: number,
    readonly opts: FakeClusterOptions,
  ) {
    this.state = new ClusterState(index, opts.readyEndpoints ?? 2);
    this.configs = new ConfigObjects(() => this.state.bump(), this.state.namespaces);
    this.token = opts.identity?.token ?? randomBytes(16).toString('hex');
    this.tls = opts.identity?.tls ?? generateTls(['127.0.0.1', 'localhost']);
    this.objects = new ObjectTable(
      () => this.state.bump(),
      (ns) => this.state.namespaces.has(ns),
      () => this.tls.caPem,
    );
    this.nodes = new Nodes(opts, () => String(this.state.rv));
  }

  get name(): string {
    return this.opts.name;
  }
  get url(): string {
    return `https://127.0.0.1:${this.port}`;
  }
  get caPem(): string {
    return this.tls.caPem;
  }

  async start(): Promise<void> {
    // A client that gives up mid-request (time-outs do) aborts the body read: drop that request quietly.
    this.server = createServer({ cert: this.tls.certPem, key: this.tls.keyPem, keepAlive: true }, (req, res) => {
      this.handle(req, res).catch(() => res.destroy());
    });
    this.server.on('connection', (s: Socket) => {
      this.connectionCount++;
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await this.listen(this.opts.identity?.port ?? 0);
  }

  private listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.port = (this.server.address() as AddressInfo).port;
        resolve();
      });
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
      await new Promise<void>((r) => {
        this.server.close(() => r());
        for (const s of this.sockets) s.destroy();
      });
    }
    if (was === 'refused' && f.mode !== 'refused') await this.listen(this.port);
  }

  getService(ns: string, name: string): MemberService | undefined {
    const s = this.state.services.get(`${ns}/${name}`);
    return s ? (structuredClone(s) as unknown as MemberService) : undefined;
  }
  configMap(ns: string, name: string): (Obj & { data?: Record<string, string> }) | undefined {
    const o = this.configs.configMaps.get(`${ns}/${name}`);
    return o ? structuredClone(o) : undefined;
  }
  deleteServiceByHand(ns: string, name: string): void {
    this.state.remove(ns, name);
    this.closeLb(`${ns}/${name}`);
  }
  createServiceByHand(ns: string, body: Obj): Obj {
    this.state.namespaces.add(ns);
    return this.state.create(ns, body);
  }
  setReadyEndpoints(ns: string, name: string, n: number): void {
    this.state.ready.set(`${ns}/${name}`, n);
    this.slices.reset(`${ns}/${name}`);
  }
  /** Member writes (create/update/delete of Services and namespaces) received so far. */
  writeCount(): number {
    return [...this.requests].filter(([k]) => /^(POST|PUT|PATCH|DELETE) /.test(k)).reduce((n, [, v]) => n + v, 0);
  }

  async setLoadBalancerAnswering(ns: string, name: string, answering: boolean): Promise<void> {
    await this.setLoadBalancerMode(`${ns}/${name}`, answering ? 'ok' : 'refuse');
  }

  /** ok: listeners answer; refuse: nothing listens (connections refused); blackhole: SYNs dropped. */
  async setLoadBalancerMode(key: string, mode: LbMode): Promise<void> {
    const lb = this.lbs.get(key);
    if (!lb || lb.mode === mode) return;
    lb.mode = mode;
    lb.answering = mode === 'ok';
    await Promise.all(lb.listeners.map((l) => new Promise<void>((r) => l.close(() => r()))));
    lb.listeners = [];
    await lb.hole?.close();
    delete lb.hole;
    const svc = this.state.services.get(key);
    if (mode === 'ok') lb.listeners = await this.openListeners(lb.ip, svc);
    if (mode === 'blackhole' && this.opts.lbListen !== false) lb.hole = await openBlackHole(tcpPorts(svc).map((port) => ({ ip: lb.ip, port })));
    this.changed();
  }

  /** After a Service write: its load balancer, then what the demo annotations ask for. */
  private serviceWritten(o: Obj): void {
    this.provision(o);
    const key = `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;
    const mode = lbModeOf(o);
    if (mode) void this.setLoadBalancerMode(key, mode).catch(() => undefined);
    const n = endpointsOf(o);
    if (n !== undefined) this.setReadyEndpoints(o.metadata.namespace ?? '', o.metadata.name ?? '', n);
  }

  private changed(): void {
    this.opts.onChange?.();
  }

  private async openListeners(ip: string, svc: Obj | undefined): Promise<NetServer[]> {
    if (this.opts.lbListen === false || !svc) return [];
    return Promise.all(
      tcpPorts(svc).map(
        (port) =>
          new Promise<NetServer>((resolve) => {
            const l = createTcpServer((s) => s.end());
            l.on('error', () => resolve(l));
            l.listen(port, ip, () => resolve(l));
          }),
      ),
    );
  }

  private closeLb(key: string): void {
    const lb = this.lbs.get(key);
    if (!lb) return;
    for (const l of lb.listeners) l.close();
    void lb.hole?.close();
    this.lbs.delete(key);
  }

  /** Assigns ingress to LoadBalancer Services after the configured delay (and withdraws it from others). */
  private provision(o: Obj): void {
    const key = `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;
    if (o.spec?.['type'] !== 'LoadBalancer') {
      this.closeLb(key);
      return;
    }
    if (this.lbs.has(key)) return;
    const n = ++this.lbCounter;
    const ip = `127.${(this.opts.lbNet ?? 20) + this.index}.${(n >> 8) & 255}.${n & 255}`;
    this.openLb(key, ip, n, this.opts.lbDelayMs ?? 20);
  }

  /** Opens the load balancer `n` at `ip` for Service `key` after `delayMs` (a restored one: at once, ingress kept). */
  openLb(key: string, ip: string, n: number, delayMs: number, mode: LbMode = 'ok'): void {
    const lb: { ip: string; listeners: NetServer[]; answering: boolean; mode: LbMode; hole?: BlackHole } = { ip, listeners: [], answering: true, mode: 'ok' };
    this.lbs.set(key, lb);
    setTimeout(() => {
      void (lb.mode === 'ok' ? this.openListeners(ip, this.state.services.get(key)) : Promise.resolve([])).then(async (ls) => {
        lb.listeners = ls;
        const svc = this.state.services.get(key);
        if (!svc || this.lbs.get(key) !== lb) {
          ls.forEach((l) => l.close());
          return;
        }
        svc.status = { loadBalancer: { ingress: [this.opts.lbHostname ? { hostname: `lb-${n}.${this.name}.elb.fake` } : { ip, ipMode: 'VIP' }] } };
        svc.metadata.resourceVersion = this.state.bump();
        if (mode !== 'ok') await this.setLoadBalancerMode(key, mode);
        this.changed();
      });
    }, delayMs).unref();
  }

  private count(key: string): void {
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const f = this.fault;
    this.received = { count: this.received.count + 1, lastAt: Date.now() };
    if (f.mode === 'hang') return; // accept, never answer
    const url0 = new URL(req.url ?? '/', 'https://x');
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (this.nodes.apiDown() && !(bearer === this.token && kubectlWayBack(url0.pathname))) {
      // `demo.skyfed.io/api=down`: the API stops answering; only kubectl's way back (discovery, nodes, admin token) stays.
      req.socket.destroy();
      return;
    }
    const delay = (this.opts.latencyMs ?? 0) + (f.mode === 'slow' ? f.delayMs : 0);
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const send = (code: number, body: unknown): void => {
      res.writeHead(code, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    try {
      if (f.mode === '5xx') throw new KubeError(503, 'ServiceUnavailable', 'the server is currently unable to handle the request');
      const url = new URL(req.url ?? '/', 'https://x');
      if (url.pathname === '/readyz' || url.pathname === '/healthz' || url.pathname === '/livez') {
        res.writeHead(200);
        res.end('ok');
        return;
      }
      const caller = f.mode === 'expiredToken' ? undefined : authenticate(bearer, this.token, this.objects);
      if (!caller) throw new KubeError(401, 'Unauthorized', 'Unauthorized');
      authorize(caller, attributesOf(req.method ?? 'GET', url), this.objects);
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: Obj | undefined;
      try {
        body = raw && req.method !== 'PATCH' ? (JSON.parse(raw) as Obj) : undefined;
      } catch {
        throw new KubeError(400, 'BadRequest', 'the request body is not valid JSON');
      }
      const disco = req.method === 'GET' ? discovery(url.pathname) : undefined;
      if (disco) return send(200, disco);
      let result =
        routeExtra(this.simContext(), req.method ?? 'GET', url, body, raw, req.headers['content-type']) ?? this.route(req.method ?? 'GET', url, body);
      if (req.method !== 'GET') this.changed();
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
    const p = url.pathname.split('/').filter(Boolean).map(decodeSegment);
    const sel = url.searchParams.get('labelSelector') ?? undefined;
    const list = (kind: string, items: Obj[]) => ({
      code: 200,
      body: { kind, apiVersion: kind === 'EndpointSliceList' ? 'discovery.k8s.io/v1' : 'v1', metadata: { resourceVersion: this.state.bump() }, items },
      kind,
    });
    if (method === 'GET' && url.pathname === '/version') {
      const v = this.opts.version ?? 'v1.30.2';
      return { code: 200, body: { major: '1', minor: v.split('.')[1], gitVersion: v, platform: 'linux/amd64' }, kind: 'version' };
    }
    if (p[0] === 'api' && p[1] === 'v1' && p[2] === 'services' && method === 'GET') {
      return list(
        'ServiceList',
        [...this.state.services.values()].filter((s) => matchesSelector(sel, s.metadata.labels)),
      );
    }
    if (p[0] === 'apis' && p[1] === 'discovery.k8s.io' && method === 'GET') {
      const ns = p[3] === 'namespaces' ? p[4] : undefined;
      const svc = sel?.match(/kubernetes\.io\/service-name=([^,]+)/)?.[1];
      return list('EndpointSliceList', this.slices.apply(this.state.endpointSlices(ns, svc)));
    }
    if (p[0] === 'api' && p[1] === 'v1' && p[2] === 'namespaces' && p[4] === 'services') {
      const ns = p[3] as string;
      const name = p[5];
      if (!name && method === 'GET')
        return list(
          'ServiceList',
          [...this.state.services.values()].filter((s) => s.metadata.namespace === ns && matchesSelector(sel, s.metadata.labels)),
        );
      if (!name && method === 'POST' && body) {
        lbModeOf(body);
        endpointsOf(body);
        const o = this.state.create(ns, body);
        this.serviceWritten(o);
        return { code: 201, body: o, kind: 'services' };
      }
      if (name && method === 'GET') {
        const o = this.state.services.get(`${ns}/${name}`);
        if (!o) throw new KubeError(404, 'NotFound', `services "${name}" not found`, { name, kind: 'services' });
        return { code: 200, body: o, kind: 'services' };
      }
      if (name && method === 'PUT' && body) {
        lbModeOf(body);
        endpointsOf(body);
        const o = this.state.replace(ns, name, body);
        this.serviceWritten(o);
        return { code: 200, body: o, kind: 'services' };
      }
      if (name && method === 'DELETE') {
        const pre = (body as unknown as { preconditions?: { resourceVersion?: string } } | undefined)?.preconditions?.resourceVersion;
        const o = this.state.remove(ns, name, pre);
        this.closeLb(`${ns}/${name}`);
        return { code: 200, body: o, kind: 'services' };
      }
    }
    const other = this.configs.route(method, p, body);
    if (other) return other;
    throw new KubeError(404, 'NotFound', 'the server could not find the requested resource');
  }

  private simContext(): SimContext {
    return {
      state: this.state,
      objects: this.objects,
      nodes: this.nodes,
      slices: this.slices,
      serviceWritten: (o) => {
        lbModeOf(o);
        endpointsOf(o);
        this.serviceWritten(o);
      },
      namespaceDeleted: (ns) => {
        for (const key of [...this.lbs.keys()]) if (key.startsWith(`${ns}/`)) this.closeLb(key);
      },
    };
  }

  async stop(): Promise<void> {
    for (const key of [...this.lbs.keys()]) this.closeLb(key);
    for (const s of this.sockets) s.destroy();
    if (this.fault.mode !== 'refused') await new Promise<void>((r) => this.server.close(() => r()));
  }
}

function tcpPorts(svc: Obj | undefined): number[] {
  return ((svc?.spec?.['ports'] as { port: number; protocol?: string }[] | undefined) ?? []).filter((p) => (p.protocol ?? 'TCP') === 'TCP').map((p) => p.port);
}

/** While `demo.skyfed.io/api=down`: the paths kubectl needs to set it back (discovery, OpenAPI, nodes). */
function kubectlWayBack(path: string): boolean {
  return (
    /^\/(api|api\/v1|apis|apis\/[^/]+\/[^/]+)$/.test(path) || path.startsWith('/openapi/') || path === '/api/v1/nodes' || path.startsWith('/api/v1/nodes/')
  );
}
