/**
 * The Service catalog: what the sweep needs of every federated Service (identity, type, ports, the
 * skyfed annotations, whether it is being deleted), kept in a sharded map (`serviceCatalog/{n}`) so
 * a sweep reads a fixed number of documents instead of every Service.
 *
 * Propagation keeps it: each Service event re-reads the Service and, when its entry differs (status
 * and finalizer writes do not change it), writes the entry (a field-path merge, so writers of other
 * Services are untouched), then reads the Service again and writes once more if it moved on
 * meanwhile — whichever handler writes last has read the newest Service after its write, so
 * reordered or duplicated events converge. The periodic reconcile repairs whatever is left.
 */
import pLimit from 'p-limit';
import { KubeObject, keyOf, namespacedKey, splitKey } from '../model/meta';
import { Service } from '../model/service';
import { ObjectStore } from './port';
import { ShardedMap } from './sharded-map';

export const CATALOG_COLLECTION = 'serviceCatalog';
export const CATALOG_SHARDS = 16;

/** The part of a Service the sweep uses; everything else (selector, labels, status) stays out. */
export function catalogEntry(s: Service): Service {
  const m = s.metadata;
  const annotations = Object.fromEntries(
    Object.entries(m.annotations ?? {}).filter(([k]) => k.startsWith('skyfed.io/') || k.startsWith('federation.alpha.kubernetes.io/')),
  );
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: m.name as string,
      namespace: m.namespace as string,
      ...(m.uid ? { uid: m.uid } : {}),
      ...(m.generation ? { generation: m.generation } : {}),
      ...(m.deletionTimestamp ? { deletionTimestamp: m.deletionTimestamp } : {}),
      ...(Object.keys(annotations).length ? { annotations } : {}),
    },
    spec: {
      ...(s.spec.type ? { type: s.spec.type } : {}),
      ports: (s.spec.ports ?? []).map((p) => ({ port: p.port, ...(p.protocol ? { protocol: p.protocol } : {}) })),
    },
  } as Service;
}

export class ServiceCatalog {
  constructor(private readonly map: ShardedMap) {}

  /** Every catalogued Service, and how many documents that took. */
  async readAll(): Promise<{ services: Service[]; documents: number }> {
    const { values, documents } = await this.map.read();
    const services: Service[] = [];
    for (const v of values.values()) {
      try {
        services.push(JSON.parse(v) as Service);
      } catch {
        // A damaged entry is skipped; the next event or reconcile for that Service rewrites it.
      }
    }
    services.sort((a, b) => keyOf(a).localeCompare(keyOf(b)));
    return { services, documents };
  }

  /** Brings one Service's entry in step with the store (level-triggered; see the file comment). */
  async sync(store: ObjectStore, namespace: string, name: string, attempts = 3): Promise<void> {
    const k = namespacedKey(namespace, name);
    const [rec, stored] = await Promise.all([store.get<Service>('services', { namespace, name }), this.map.get(k)]);
    let value = rec ? JSON.stringify(catalogEntry(rec.object)) : undefined;
    if (value === stored) return;
    for (let i = 0; i < attempts; i++) {
      await this.map.put(k, value);
      const now = await store.get<Service>('services', { namespace, name });
      const after = now ? JSON.stringify(catalogEntry(now.object)) : undefined;
      if (after === value) return;
      value = after;
    }
  }

  /**
   * Repairs the catalog against a list of every Service (the periodic reconcile): each entry that
   * differs is synced on its own (re-read, field-path write), so a listing older than a concurrent
   * event never overwrites what that event wrote. Returns how many entries were repaired.
   */
  async resync(store: ObjectStore, services: readonly KubeObject[]): Promise<number> {
    const { values: before } = await this.map.read();
    const next = new Map(services.map((s) => [keyOf(s), JSON.stringify(catalogEntry(s as Service))]));
    const changed = [...new Set([...before.keys(), ...next.keys()])].filter((k) => before.get(k) !== next.get(k));
    const limit = pLimit(16);
    await Promise.all(
      changed.map((k) =>
        limit(() => {
          const [namespace, name] = splitKey(k);
          return this.sync(store, namespace, name);
        }),
      ),
    );
    return changed.length;
  }
}
