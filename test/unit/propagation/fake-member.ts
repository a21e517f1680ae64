/**
 * An in-memory member cluster behind the MemberClient port, with the member API's rules as the
 * port reports them: creating in a missing namespace is 404 NotFound, creating an existing Service
 * is 409 AlreadyExists, replacing with a stale resourceVersion is 409 Conflict, a Service gets a
 * uid, a resourceVersion and a clusterIP. Every call takes `latencyMs`; a hanging member answers
 * nothing, so each call ends as the real client's does after its time-out: MemberError Timeout.
 */
import type { Deployment } from '../../../shared/incluster/coredns-mount';
import type { ConfigMap } from '../../../shared/incluster/plan';
import { MemberClient, MemberError, Topology } from '../../../shared/members/port';
import { MemberService } from '../../../shared/propagation/member';

export class FakeMember implements MemberClient {
  readonly services = new Map<string, MemberService>();
  readonly namespaces = new Set<string>(['default']);
  /** Calls received (hanging or not). */
  calls = 0;
  hanging = false;
  private rv = 100;
  private ip = 10;

  constructor(
    readonly cluster: string,
    private readonly opts: { latencyMs: number; timeoutMs: number },
  ) {}

  private async answer<T>(fn: () => T): Promise<T> {
    this.calls++;
    if (this.hanging) {
      await sleep(this.opts.timeoutMs);
      throw new MemberError(this.cluster, 'Timeout', `no answer within ${this.opts.timeoutMs} ms`);
    }
    await sleep(this.opts.latencyMs);
    return fn();
  }

  private err(status: number, reason: 'NotFound' | 'AlreadyExists' | 'Conflict', what: string): MemberError {
    return new MemberError(this.cluster, reason, `${status} ${reason}: ${what}`, status);
  }

  listServices(): Promise<MemberService[]> {
    return this.answer(() => [...this.services.values()].map((s) => structuredClone(s)));
  }

  getService(ns: string, name: string): Promise<MemberService | undefined> {
    return this.answer(() => structuredClone(this.services.get(`${ns}/${name}`)));
  }

  createService(ns: string, body: MemberService): Promise<MemberService> {
    return this.answer(() => {
      const name = body.metadata.name ?? '';
      if (!this.namespaces.has(ns)) throw this.err(404, 'NotFound', `namespaces "${ns}" not found`);
      if (this.services.has(`${ns}/${name}`)) throw this.err(409, 'AlreadyExists', `services "${name}" already exists`);
      const s: MemberService = {
        ...structuredClone(body),
        metadata: { ...structuredClone(body.metadata), namespace: ns, uid: `${this.cluster}-${name}`, resourceVersion: String(++this.rv) },
        spec: { ...structuredClone(body.spec), clusterIP: `10.96.0.${++this.ip}` },
      };
      this.services.set(`${ns}/${name}`, s);
      return structuredClone(s);
    });
  }

  replaceService(ns: string, name: string, body: MemberService): Promise<MemberService> {
    return this.answer(() => {
      const old = this.services.get(`${ns}/${name}`);
      if (!old) throw this.err(404, 'NotFound', `services "${name}" not found`);
      if (body.metadata.resourceVersion && body.metadata.resourceVersion !== old.metadata.resourceVersion)
        throw this.err(409, 'Conflict', 'the object has been modified');
      const s: MemberService = {
        ...structuredClone(body),
        metadata: { ...structuredClone(body.metadata), uid: old.metadata.uid, resourceVersion: String(++this.rv) },
        spec: { ...structuredClone(body.spec), clusterIP: old.spec.clusterIP },
      };
      this.services.set(`${ns}/${name}`, s);
      return structuredClone(s);
    });
  }

  deleteService(ns: string, name: string, resourceVersion?: string): Promise<void> {
    return this.answer(() => {
      const old = this.services.get(`${ns}/${name}`);
      if (old && resourceVersion && old.metadata.resourceVersion !== resourceVersion) throw this.err(409, 'Conflict', 'precondition failed');
      this.services.delete(`${ns}/${name}`);
    });
  }

  createNamespace(ns: string): Promise<void> {
    return this.answer(() => {
      this.namespaces.add(ns);
    });
  }

  ready(): Promise<boolean> {
    return this.answer(() => true);
  }
  version(): Promise<string> {
    return this.answer(() => 'v1.30.2');
  }
  topology(): Promise<Topology> {
    return this.answer(() => ({ zones: ['z1'], region: 'r1' }));
  }
  readyEndpoints(): Promise<number> {
    return this.answer(() => 1);
  }
  readyEndpointsAll(): Promise<Map<string, number>> {
    return this.answer(() => new Map([...this.services.keys()].map((k) => [k, 1])));
  }
  // In-cluster discovery objects: this member has none (propagation tests do not use them).
  getConfigMap(): Promise<undefined> {
    return this.answer(() => undefined);
  }
  createConfigMap(_ns: string, body: ConfigMap): Promise<ConfigMap> {
    return this.answer(() => body);
  }
  replaceConfigMap(_ns: string, _n: string, body: ConfigMap): Promise<ConfigMap> {
    return this.answer(() => body);
  }
  deleteConfigMap(): Promise<void> {
    return this.answer(() => undefined);
  }
  getDeployment(): Promise<undefined> {
    return this.answer(() => undefined);
  }
  replaceDeployment(_ns: string, _n: string, body: Deployment): Promise<Deployment> {
    return this.answer(() => body);
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
