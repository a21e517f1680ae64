/**
 * `skyfed status`: the federation at a glance from its API — clusters, federated Services and each
 * shard's health — as plain-text tables (the same data `kubectl get clusters` and
 * `kubectl get svc -o yaml` show).
 */
import { Kube } from './kube';
import { Manifest } from './member-objects';

interface ClusterView extends Manifest {
  spec?: { region?: string; zones?: string[] };
  status?: { conditions?: { type: string; status: string; message?: string }[]; version?: string; region?: string; zones?: string[] };
}

interface Shard {
  cluster: string;
  present: boolean;
  ingress?: { ip?: string; hostname?: string }[];
  readyEndpoints?: number;
  healthy?: boolean;
  health?: string;
  error?: string;
  conflict?: string;
}
interface ServiceView extends Manifest {
  spec?: { type?: string; ports?: { port: number; protocol?: string }[] };
  status?: { federation?: { placed?: number; shards?: Shard[]; dns?: { lastChange?: string } } };
}

export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  return [header, ...rows]
    .map((r) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
        .join('   ')
        .trimEnd(),
    )
    .join('\n');
}

function age(ts: string | undefined, now = Date.now()): string {
  if (!ts) return '<unknown>';
  const s = Math.max(0, Math.floor((now - Date.parse(ts)) / 1000));
  return s < 120 ? `${s}s` : s < 7200 ? `${Math.floor(s / 60)}m` : s < 172_800 ? `${Math.floor(s / 3600)}h` : `${Math.floor(s / 86_400)}d`;
}

function statusWord(c: ClusterView): string {
  const conds = c.status?.conditions ?? [];
  if (conds.some((x) => x.type === 'Offline' && x.status === 'True')) return 'Offline';
  const ready = conds.find((x) => x.type === 'Ready');
  return !ready ? 'Unknown' : ready.status === 'True' ? 'Ready' : 'NotReady';
}

export function clusterTable(clusters: readonly Manifest[]): string {
  return table(
    ['NAME', 'STATUS', 'VERSION', 'REGION', 'ZONES', 'AGE'],
    clusters.map((m) => {
      const c = m as ClusterView;
      return [
        c.metadata.name,
        statusWord(c),
        c.status?.version ?? '',
        c.spec?.region ?? c.status?.region ?? '',
        (c.spec?.zones?.length ? c.spec.zones : (c.status?.zones ?? [])).join(',') || '<none>',
        age((c.metadata as { creationTimestamp?: string }).creationTimestamp),
      ];
    }),
  );
}

export function serviceTable(services: readonly Manifest[]): string {
  return table(
    ['NAMESPACE', 'NAME', 'TYPE', 'PORTS', 'SHARDS HEALTHY', 'LAST DNS CHANGE'],
    services.map((m) => {
      const s = m as ServiceView;
      const shards = s.status?.federation?.shards ?? [];
      const last = s.status?.federation?.dns?.lastChange;
      return [
        s.metadata.namespace ?? '',
        s.metadata.name,
        s.spec?.type ?? 'ClusterIP',
        (s.spec?.ports ?? []).map((p) => `${p.port}/${p.protocol ?? 'TCP'}`).join(',') || '<none>',
        `${shards.filter((x) => x.healthy === true).length}/${s.status?.federation?.placed ?? shards.length}`,
        last ? `${age(last)} ago` : '-',
      ];
    }),
  );
}

export function shardTable(services: readonly Manifest[]): string {
  const rows: string[][] = [];
  for (const m of services) {
    const s = m as ServiceView;
    for (const sh of s.status?.federation?.shards ?? []) {
      const addr = (sh.ingress ?? []).map((i) => i.ip ?? i.hostname ?? '').join(',') || '<none>';
      const health = sh.healthy === undefined ? 'Unknown' : sh.healthy ? 'Healthy' : 'Unhealthy';
      const why = sh.conflict ?? sh.error ?? sh.health ?? '';
      rows.push([
        `${s.metadata.namespace ?? ''}/${s.metadata.name}`,
        sh.cluster,
        sh.present ? 'yes' : 'no',
        health,
        String(sh.readyEndpoints ?? '-'),
        addr,
        why,
      ]);
    }
  }
  return table(['SERVICE', 'CLUSTER', 'PRESENT', 'HEALTH', 'READY', 'ADDRESS', 'WHY'], rows);
}

export async function status(fed: Kube, say: (line: string) => void): Promise<void> {
  const [clusters, listed] = await Promise.all([fed.list('federation/v1beta1', 'Cluster'), fed.list('v1', 'Service')]);
  // Per-shard detail (status.federation) is read as raw JSON: the typed client would drop it.
  const services = await Promise.all(
    listed.map(
      async (s) =>
        (await fed.getJson(`/api/v1/namespaces/${encodeURIComponent(s.metadata.namespace ?? '')}/services/${encodeURIComponent(s.metadata.name)}`)) as Manifest,
    ),
  );
  const byName = (a: Manifest, b: Manifest): number =>
    `${a.metadata.namespace ?? ''}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace ?? ''}/${b.metadata.name}`);
  say(`CLUSTERS (${clusters.length})`);
  say(clusters.length ? clusterTable([...clusters].sort(byName)) : '  none: skyfed join <name> --context <member-context>');
  say('');
  say(`SERVICES (${services.length})`);
  say(services.length ? serviceTable([...services].sort(byName)) : '  none');
  if (services.some((s) => ((s as ServiceView).status?.federation?.shards ?? []).length > 0)) {
    say('');
    say('SHARDS');
    say(shardTable([...services].sort(byName)));
  }
}
