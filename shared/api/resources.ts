/**
 * The API's resource types: one descriptor each, so the generic handlers (handlers.ts), discovery
 * and OpenAPI (discovery.ts) and table printing all come from one place.
 */
import { dns1035Label, dns1123Label, dns1123Subdomain } from '../k8s/validation';
import { Cluster, clusterStatusWord } from '../model/cluster';
import { KubeObject } from '../model/meta';
import { Schema, clusterSchema, secretSchema, serviceSchema } from '../model/schema';
import { Secret, secretKeyCount } from '../model/secret';
import { Service, formatPorts } from '../model/service';
import { ResourceName } from '../store/layout';
import { coreEventType, eventsV1Type } from './events-view';
import { SelectableFields } from './field-selector';
import { TableSpec, ageOf } from './table';

export interface ResourceType<T extends KubeObject = KubeObject> {
  readonly resource: ResourceName;
  readonly singular: string;
  readonly kind: string;
  readonly group: string;
  readonly version: string;
  readonly namespaced: boolean;
  readonly shortNames: readonly string[];
  readonly schema: Schema;
  readonly nameRule: (v: string) => string[];
  readonly table: TableSpec<T>;
  /** Whether `spec` changes bump metadata.generation (and status is owned by controllers). */
  readonly hasSpec: boolean;
  /** Fields a field selector may name beyond metadata.name/namespace (shared/api/field-selector.ts). */
  readonly fields?: SelectableFields;
}

export function apiVersionOf(t: ResourceType): string {
  return t.group ? `${t.group}/${t.version}` : t.version;
}

const nameColumn = { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace.', priority: 0 } as const;
const ageColumn = { name: 'Age', type: 'string', description: 'Time since the object was created.', priority: 0 } as const;

export const clusters: ResourceType<Cluster> = {
  resource: 'clusters',
  singular: 'cluster',
  kind: 'Cluster',
  group: 'federation',
  version: 'v1beta1',
  namespaced: false,
  shortNames: [],
  schema: clusterSchema,
  nameRule: dns1123Label,
  hasSpec: true,
  table: {
    columns: [
      nameColumn,
      { name: 'Status', type: 'string', description: 'Ready, NotReady, Offline or Unknown.', priority: 0 },
      { name: 'Version', type: 'string', description: 'The member API server version.', priority: 0 },
      ageColumn,
      { name: 'Region', type: 'string', description: 'Region of the cluster.', priority: 1 },
      { name: 'Zones', type: 'string', description: 'Zones of the cluster.', priority: 1 },
    ],
    cells: (c, now) => [
      c.metadata.name ?? '',
      clusterStatusWord(c),
      c.status?.version ?? '',
      ageOf(c, now),
      c.status?.region ?? c.spec.region ?? '<none>',
      (c.status?.zones ?? c.spec.zones ?? []).join(',') || '<none>',
    ],
  },
};

function externalIps(s: Service): string {
  const ingress = s.status?.loadBalancer?.ingress ?? [];
  const addrs = ingress.map((i) => i.ip ?? i.hostname ?? '').filter(Boolean);
  if (addrs.length > 0) return addrs.join(',');
  if (s.spec.type === 'LoadBalancer') return '<pending>';
  if (s.spec.type === 'ExternalName') return s.spec.externalName ?? '<none>';
  return '<none>';
}

/** CLUSTERS: shards that exist in member clusters, out of the clusters the Service is placed in. */
function clusterCount(s: Service): string {
  const fed = (s.status as { federation?: { placed?: number; shards?: { present?: boolean }[] } } | undefined)?.federation;
  if (!fed) return '<none>';
  const present = (fed.shards ?? []).filter((x) => x.present).length;
  return `${present}/${fed.placed ?? (fed.shards ?? []).length}`;
}

export const services: ResourceType<Service> = {
  resource: 'services',
  singular: 'service',
  kind: 'Service',
  group: '',
  version: 'v1',
  namespaced: true,
  shortNames: ['svc'],
  schema: serviceSchema,
  nameRule: dns1035Label,
  hasSpec: true,
  table: {
    columns: [
      nameColumn,
      { name: 'Type', type: 'string', description: 'The service type.', priority: 0 },
      { name: 'External-IP', type: 'string', description: 'Load-balancer addresses of all shards.', priority: 0 },
      { name: 'Port(s)', type: 'string', description: 'The service ports.', priority: 0 },
      { name: 'Clusters', type: 'string', description: 'Member clusters holding the Service / clusters it is placed in.', priority: 0 },
      ageColumn,
      { name: 'Selector', type: 'string', description: 'The pod selector.', priority: 1 },
    ],
    cells: (s, now) => [
      s.metadata.name ?? '',
      s.spec.type ?? 'ClusterIP',
      externalIps(s),
      formatPorts(s.spec),
      clusterCount(s),
      ageOf(s, now),
      Object.entries(s.spec.selector ?? {})
        .map(([k, v]) => `${k}=${v}`)
        .join(',') || '<none>',
    ],
  },
};

export const secrets: ResourceType<Secret> = {
  resource: 'secrets',
  singular: 'secret',
  kind: 'Secret',
  group: '',
  version: 'v1',
  namespaced: true,
  shortNames: [],
  schema: secretSchema,
  nameRule: dns1123Subdomain,
  hasSpec: false,
  table: {
    columns: [
      nameColumn,
      { name: 'Type', type: 'string', description: 'The secret type.', priority: 0 },
      { name: 'Data', type: 'string', description: 'Number of data keys (values are write-only).', priority: 0 },
      ageColumn,
    ],
    cells: (s, now) => [s.metadata.name ?? '', s.type ?? 'Opaque', secretKeyCount(s), ageOf(s, now)],
  },
};

export const RESOURCE_TYPES: readonly ResourceType[] = [
  clusters as unknown as ResourceType,
  services as unknown as ResourceType,
  secrets as unknown as ResourceType,
  coreEventType,
  eventsV1Type,
];
