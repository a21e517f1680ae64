/** A federation in memory for propagation tables: the store adapters, fake members, a movable clock. */
import { silentLogger } from '../../../shared/log';
import { Cluster } from '../../../shared/model/cluster';
import { Service } from '../../../shared/model/service';
import { ControllerDeps } from '../../../shared/propagation/controller';
import { MemoryBreakerStore, MemoryObjectStore, MemoryShardStore } from '../../../shared/store/memory';
import { FakeMember } from './fake-member';

export interface Federation {
  readonly store: MemoryObjectStore;
  readonly shards: MemoryShardStore;
  readonly breakers: MemoryBreakerStore;
  readonly members: Map<string, FakeMember>;
  /** A function instance: its own deps over the shared stores (instances share nothing else). */
  instance(): ControllerDeps;
  /** Moves the clock the breaker sees. */
  advance(ms: number): void;
  addService(name: string, ns?: string): Promise<void>;
}

export async function federation(
  names: readonly string[],
  opts: { latencyMs?: number; timeoutMs?: number; failures?: number; coolDownMs?: number } = {},
): Promise<Federation> {
  const timeoutMs = opts.timeoutMs ?? 400;
  const store = new MemoryObjectStore();
  const shards = new MemoryShardStore();
  const breakers = new MemoryBreakerStore();
  const members = new Map(names.map((n) => [n, new FakeMember(n, { latencyMs: opts.latencyMs ?? 10, timeoutMs })]));
  let offset = 0;
  for (const name of names) {
    await store.transact<Cluster>('clusters', { name }, () => ({
      write: {
        object: {
          apiVersion: 'federation/v1beta1',
          kind: 'Cluster',
          metadata: { name, uid: `uid-${name}` },
          spec: { serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: `https://${name}.example` }], secretRef: { name } },
        },
      },
    }));
  }
  const instance = (): ControllerDeps => ({
    store,
    shards,
    breakers,
    log: silentLogger,
    concurrency: 64,
    clientFor: async (c) => members.get(c.metadata.name ?? '') as FakeMember,
    now: () => new Date(Date.now() + offset),
    breaker: { failures: opts.failures ?? 2, coolDownMs: opts.coolDownMs ?? 10_000, maxCoolDownMs: 60_000, probeLeaseMs: 6 * timeoutMs },
  });
  return {
    store,
    shards,
    breakers,
    members,
    instance,
    advance: (ms) => {
      offset += ms;
    },
    addService: async (name, ns = 'web') => {
      await store.transact<Service>('services', { namespace: ns, name }, () => ({
        write: {
          object: {
            apiVersion: 'v1',
            kind: 'Service',
            metadata: { name, namespace: ns, uid: `uid-${name}`, generation: 1 },
            spec: { type: 'LoadBalancer', selector: { app: name }, ports: [{ port: 80, protocol: 'TCP' }] },
          },
        },
      }));
    },
  };
}
