/**
 * MemberClient: @kubernetes/client-node for the kubeconfig and the rarer calls, plain JSON calls
 * (rest.ts) for the hot path. Credentials come from the cluster's Secret (a kubeconfig); the
 * server address comes from the Cluster registration. TLS verification stays on unless the
 * kubeconfig itself says insecure-skip-tls-verify. Every call has a time-out (AbortSignal) and
 * transient failures are retried with backoff.
 */
import { ApiException, AppsV1Api, CoreV1Api, DiscoveryV1Api, Health, KubeConfig, Observable } from '@kubernetes/client-node';
import { Agent, AgentOptions } from 'node:https';
import type { Deployment } from '../incluster/coredns-mount';
import type { ConfigMap } from '../incluster/plan';
import { KubeconfigRejected, MemberCredentials, parseMemberKubeconfig } from '../k8s/kubeconfig';
import { AddressGuard } from '../net/address-guard';
import { DIAL_REFUSED, DialRefusedError, GuardedHttpsAgent } from '../net/guarded-dial';
import { MemberService } from '../propagation/member';
import { RetryPolicy, withRetry } from '../util/retry';
import { MemberClient, MemberError, Topology, isTransientMemberError } from './port';
import { MemberRest, answerError } from './rest';

export interface KubeClientOptions {
  readonly cluster: string;
  readonly server: string;
  readonly kubeconfig: string;
  readonly timeoutMs: number;
  readonly retry?: RetryPolicy;
  /** Every dial to the member passes this guard (shared/net/address-guard.ts). */
  readonly guard: AddressGuard;
}

const ZONE_LABELS = ['topology.kubernetes.io/zone', 'failure-domain.beta.kubernetes.io/zone'];
const REGION_LABELS = ['topology.kubernetes.io/region', 'failure-domain.beta.kubernetes.io/region'];

/** Turns whatever the client library threw into a MemberError with a short, credential-free message. */
export function toMemberError(cluster: string, e: unknown, timeoutMs: number, refusal?: string): MemberError {
  if (e instanceof MemberError) return e;
  if (e instanceof ApiException) {
    return answerError(cluster, Number(e.code), typeof e.body === 'string' ? safeJson(e.body) : e.body, e);
  }
  const code0 = (e as { code?: string })?.code ?? (e as { cause?: { code?: string } })?.cause?.code;
  if (e instanceof DialRefusedError || code0 === DIAL_REFUSED) {
    return new MemberError(cluster, 'Forbidden', `dial refused: ${e instanceof DialRefusedError ? e.message : (refusal ?? 'address not allowed')}`, undefined, {
      cause: e,
    });
  }
  const err = e as { name?: string; code?: string; message?: string; type?: string };
  if (err?.name === 'AbortError' || err?.name === 'TimeoutError' || err?.type === 'aborted') {
    return new MemberError(cluster, 'Timeout', `no answer within ${timeoutMs} ms`, undefined, { cause: e });
  }
  const code = err?.code ?? (e as { cause?: { code?: string } })?.cause?.code;
  if (code && /ECONNREFUSED|ECONNRESET|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|EPIPE|ETIMEDOUT/.test(code)) {
    return new MemberError(cluster, 'Unreachable', `cannot reach the API server (${code})`, undefined, { cause: e });
  }
  if (code && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(code)) {
    return new MemberError(cluster, 'BadCredentials', `TLS verification failed (${code})`, undefined, { cause: e });
  }
  return new MemberError(cluster, 'Other', 'the request failed', undefined, { cause: e });
}

const seg = (s: string): string => encodeURIComponent(s);
const servicePath = (ns: string, name?: string): string => `/api/v1/namespaces/${seg(ns)}/services${name === undefined ? '' : `/${seg(name)}`}`;
const configMapPath = (ns: string, name?: string): string => `/api/v1/namespaces/${seg(ns)}/configmaps${name === undefined ? '' : `/${seg(name)}`}`;

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}

/**
 * A KubeConfig whose every connection (API calls and health checks alike) goes through the address
 * guard on one keep-alive agent, made from the member's inline TLS material only.
 */
class GuardedKubeConfig extends KubeConfig {
  agent!: GuardedHttpsAgent;
  token: string | undefined;
}

/**
 * The client-node configuration for one member: the registration's server address, and nothing
 * from the kubeconfig but its inline material (shared/k8s/kubeconfig.ts refuses the rest).
 */
export function kubeConfigFor(opts: Pick<KubeClientOptions, 'cluster' | 'server' | 'kubeconfig' | 'guard'>): GuardedKubeConfig {
  let creds: MemberCredentials;
  try {
    creds = parseMemberKubeconfig(opts.kubeconfig);
  } catch (e) {
    const fields = e instanceof KubeconfigRejected ? e.problems.map((p) => p.path || 'kubeconfig').join(', ') : 'kubeconfig';
    throw new MemberError(opts.cluster, 'BadCredentials', `the credentials Secret's kubeconfig is not accepted (${fields}); only inline credentials are used`);
  }
  const kc = new GuardedKubeConfig();
  kc.loadFromOptions({
    clusters: [
      {
        name: 'member',
        server: opts.server,
        skipTLSVerify: false,
        ...(creds.caData ? { caData: creds.caData.toString('base64') } : {}),
        ...(creds.tlsServerName ? { tlsServerName: creds.tlsServerName } : {}),
      },
    ],
    users: [
      {
        name: 'member',
        ...(creds.token ? { token: creds.token } : {}),
        ...(creds.certData ? { certData: creds.certData.toString('base64') } : {}),
        ...(creds.keyData ? { keyData: creds.keyData.toString('base64') } : {}),
      },
    ],
    contexts: [{ name: 'member', cluster: 'member', user: 'member' }],
    currentContext: 'member',
  });
  // client-node builds a fresh https.Agent (with proxy support) for every request: replace it with
  // one guarded, pooled agent per member, built from the same inline TLS material, which the
  // plain JSON calls (rest.ts) share.
  kc.agent = new GuardedHttpsAgent(
    {
      keepAlive: true,
      maxSockets: 32,
      rejectUnauthorized: true,
      ...(creds.caData ? { ca: creds.caData } : {}),
      ...(creds.certData ? { cert: creds.certData } : {}),
      ...(creds.keyData ? { key: creds.keyData } : {}),
      ...(creds.tlsServerName ? { servername: creds.tlsServerName } : {}),
    },
    opts.guard,
  );
  kc.token = creds.token;
  (kc as unknown as { createAgent: (cluster: unknown, options: AgentOptions) => Agent }).createAgent = () => kc.agent;
  return kc;
}

export class KubeMemberClient implements MemberClient {
  /** Closes pooled connections (a replaced client should not keep sockets open). */
  close(): void {
    this.kc.agent.destroy();
  }

  readonly cluster: string;
  private readonly core: CoreV1Api;
  private readonly discovery: DiscoveryV1Api;
  private readonly apps: AppsV1Api;
  private readonly health: Health;
  private readonly kc: GuardedKubeConfig;
  private readonly rest: MemberRest;

  constructor(private readonly opts: KubeClientOptions) {
    this.cluster = opts.cluster;
    this.kc = kubeConfigFor(opts);
    const agent = this.kc.agent;
    this.rest = new MemberRest({
      cluster: opts.cluster,
      server: opts.server,
      timeoutMs: opts.timeoutMs,
      agent,
      ...(this.kc.token ? { token: this.kc.token } : {}),
      transportError: (e) => toMemberError(opts.cluster, e, opts.timeoutMs, agent.lastRefusal),
    });
    this.core = this.kc.makeApiClient(CoreV1Api);
    this.discovery = this.kc.makeApiClient(DiscoveryV1Api);
    this.apps = this.kc.makeApiClient(AppsV1Api);
    this.health = new Health(this.kc);
  }

  /**
   * Options that give one call its own time-out. The object-parameter API hands options to the
   * observable layer unwrapped, so the middleware returns the library's Observable.
   */
  private callOptions(): {
    middleware: { pre: (ctx: { setSignal(s: AbortSignal): void }) => Observable<unknown>; post: (r: unknown) => Observable<unknown> }[];
    middlewareMergeStrategy: 'append';
  } {
    const ms = this.opts.timeoutMs;
    return {
      middleware: [
        {
          pre: (ctx) => {
            ctx.setSignal(AbortSignal.timeout(ms));
            return new Observable(Promise.resolve(ctx));
          },
          post: (r) => new Observable(Promise.resolve(r)),
        },
      ],
      middlewareMergeStrategy: 'append',
    };
  }

  /** Runs one API call with a time-out and retries; results come back as plain JSON objects (the library returns class instances). */
  private async call<T>(fn: (options: ReturnType<KubeMemberClient['callOptions']>) => Promise<T>): Promise<T> {
    return withRetry(
      async () => {
        try {
          const result = await fn(this.callOptions());
          return (result === undefined || typeof result !== 'object' ? result : JSON.parse(JSON.stringify(result))) as T;
        } catch (e) {
          throw toMemberError(this.cluster, e, this.opts.timeoutMs, this.kc.agent.lastRefusal);
        }
      },
      isTransientMemberError,
      this.opts.retry,
    );
  }

  /** A plain JSON call (rest.ts) with the same retries. */
  private json<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
    return withRetry(() => this.rest.call<T>(method, path, body), isTransientMemberError, this.opts.retry);
  }

  async listServices(labelSelector?: string): Promise<MemberService[]> {
    const list = await this.json<{ items?: MemberService[] }>(
      'GET',
      `/api/v1/services${labelSelector ? `?labelSelector=${encodeURIComponent(labelSelector)}` : ''}`,
    );
    return list.items ?? [];
  }

  async getService(namespace: string, name: string): Promise<MemberService | undefined> {
    try {
      return await this.json<MemberService>('GET', servicePath(namespace, name));
    } catch (e) {
      if (e instanceof MemberError && e.reason === 'NotFound') return undefined;
      throw e;
    }
  }

  createService(namespace: string, body: MemberService): Promise<MemberService> {
    return this.json<MemberService>('POST', `${servicePath(namespace)}?fieldManager=skyfed`, body);
  }

  replaceService(namespace: string, name: string, body: MemberService): Promise<MemberService> {
    return this.json<MemberService>('PUT', `${servicePath(namespace, name)}?fieldManager=skyfed`, body);
  }

  async deleteService(namespace: string, name: string, resourceVersion?: string): Promise<void> {
    try {
      await this.json('DELETE', servicePath(namespace, name), {
        propagationPolicy: 'Background',
        ...(resourceVersion ? { preconditions: { resourceVersion } } : {}),
      });
    } catch (e) {
      if (e instanceof MemberError && e.reason === 'NotFound') return;
      throw e;
    }
  }

  async createNamespace(namespace: string): Promise<void> {
    try {
      await this.json('POST', '/api/v1/namespaces?fieldManager=skyfed', {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: namespace, labels: { 'app.kubernetes.io/managed-by': 'skyfed' } },
      });
    } catch (e) {
      if (e instanceof MemberError && (e.reason === 'AlreadyExists' || e.reason === 'Conflict')) return;
      throw e;
    }
  }

  async ready(): Promise<boolean> {
    try {
      return await this.call(async () => this.health.readyz({ signal: AbortSignal.timeout(this.opts.timeoutMs) } as never));
    } catch (e) {
      if (e instanceof MemberError && e.reason === 'Timeout') throw e;
      // The health helper hides why it failed; /version tells an unreachable server from an unready one.
      await this.version();
      return false;
    }
  }

  async version(): Promise<string> {
    const info = await this.json<{ gitVersion?: string }>('GET', '/version');
    return info.gitVersion ?? '';
  }

  async topology(): Promise<Topology> {
    const nodes = await this.call((o) => this.core.listNode({}, o as never));
    const zones = new Set<string>();
    const regions = new Set<string>();
    for (const n of nodes.items) {
      const l = n.metadata?.labels ?? {};
      const z = ZONE_LABELS.map((k) => l[k]).find(Boolean);
      const r = REGION_LABELS.map((k) => l[k]).find(Boolean);
      if (z) zones.add(z);
      if (r) regions.add(r);
    }
    const region = [...regions].sort()[0];
    return { zones: [...zones].sort(), ...(region ? { region } : {}) };
  }

  async readyEndpointsAll(): Promise<Map<string, number>> {
    const slices = await this.call((o) => this.discovery.listEndpointSliceForAllNamespaces({}, o as never));
    const ready = new Map<string, Set<string>>();
    for (const s of slices.items) {
      const svc = s.metadata?.labels?.['kubernetes.io/service-name'];
      if (!svc) continue;
      const key = `${s.metadata?.namespace ?? ''}/${svc}`;
      const set = ready.get(key) ?? new Set<string>();
      for (const ep of s.endpoints ?? []) if (ep.conditions?.ready !== false) for (const a of ep.addresses ?? []) set.add(a);
      ready.set(key, set);
    }
    return new Map([...ready].map(([k, v]) => [k, v.size]));
  }

  async readyEndpoints(namespace: string, name: string): Promise<number> {
    try {
      const slices = await this.call((o) =>
        this.discovery.listNamespacedEndpointSlice({ namespace, labelSelector: `kubernetes.io/service-name=${name}` }, o as never),
      );
      const ready = new Set<string>();
      for (const s of slices.items) {
        for (const ep of s.endpoints ?? []) if (ep.conditions?.ready !== false) for (const a of ep.addresses ?? []) ready.add(a);
      }
      return ready.size;
    } catch (e) {
      if (!(e instanceof MemberError && e.reason === 'NotFound')) throw e;
    }
    try {
      const ep = await this.call((o) => this.core.readNamespacedEndpoints({ namespace, name }, o as never));
      return (ep.subsets ?? []).reduce((n, s) => n + (s.addresses ?? []).length, 0);
    } catch (e) {
      if (e instanceof MemberError && e.reason === 'NotFound') return 0;
      throw e;
    }
  }

  /** Reads that answer undefined for NotFound. */
  private async orUndefined<T>(fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof MemberError && e.reason === 'NotFound') return undefined;
      throw e;
    }
  }

  async getConfigMap(namespace: string, name: string): Promise<ConfigMap | undefined> {
    return this.orUndefined(() => this.json<ConfigMap>('GET', configMapPath(namespace, name)));
  }

  async createConfigMap(namespace: string, body: ConfigMap): Promise<ConfigMap> {
    return this.json<ConfigMap>('POST', `${configMapPath(namespace)}?fieldManager=skyfed`, body);
  }

  async replaceConfigMap(namespace: string, name: string, body: ConfigMap): Promise<ConfigMap> {
    return this.json<ConfigMap>('PUT', `${configMapPath(namespace, name)}?fieldManager=skyfed`, body);
  }

  async deleteConfigMap(namespace: string, name: string, resourceVersion?: string): Promise<void> {
    await this.orUndefined(() => this.json('DELETE', configMapPath(namespace, name), resourceVersion ? { preconditions: { resourceVersion } } : {}));
  }

  async getDeployment(namespace: string, name: string): Promise<Deployment | undefined> {
    return this.orUndefined(() => this.call((o) => this.apps.readNamespacedDeployment({ namespace, name }, o as never))) as Promise<Deployment | undefined>;
  }

  async replaceDeployment(namespace: string, name: string, body: Deployment): Promise<Deployment> {
    return (await this.call((o) =>
      this.apps.replaceNamespacedDeployment({ namespace, name, body: body as never, fieldManager: 'skyfed' }, o as never),
    )) as unknown as Deployment;
  }
}
