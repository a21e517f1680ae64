/** `meta.k8s.io/v1` Table rendering (what `kubectl get` prints) and kubectl's human-readable ages. */
import { KubeObject } from '../model/meta';

export interface Column {
  readonly name: string;
  readonly type: 'string' | 'integer' | 'date';
  readonly format?: 'name';
  readonly description: string;
  /** 1 = shown only with `-o wide`. */
  readonly priority: 0 | 1;
}

export interface TableSpec<T extends KubeObject> {
  readonly columns: readonly Column[];
  readonly cells: (obj: T, now: Date) => (string | number)[];
}

/** kubectl's HumanDuration: "45s", "3m12s", "5h", "2d3h", "400d", "3y12d". */
export function humanAge(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60 * 2) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  if (m < 60 * 3) return `${m}m`;
  const h = Math.floor(s / 3600);
  if (h < 8) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  if (h < 48) return `${h}h`;
  if (h < 24 * 8) return h % 24 === 0 ? `${Math.floor(h / 24)}d` : `${Math.floor(h / 24)}d${h % 24}h`;
  if (h < 24 * 365 * 2) return `${Math.floor(h / 24)}d`;
  const y = Math.floor(h / (24 * 365));
  if (y < 8) return `${y}y${Math.floor((h % (24 * 365)) / 24)}d`;
  return `${y}y`;
}

export function ageOf(obj: KubeObject, now: Date): string {
  const t = obj.metadata.creationTimestamp;
  return t ? humanAge((now.getTime() - Date.parse(t)) / 1000) : '<unknown>';
}

export function renderTable<T extends KubeObject>(
  spec: TableSpec<T>,
  items: readonly T[],
  now: Date,
  resourceVersion: string,
  includeObject: string | undefined,
): Record<string, unknown> {
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion },
    columnDefinitions: spec.columns.map((c) => ({ ...c, format: c.format ?? '' })),
    rows: items.map((o) => ({
      cells: spec.cells(o, now),
      object:
        includeObject === 'None'
          ? undefined
          : includeObject === 'Object'
            ? o
            : { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata },
    })),
  };
}

/** True when the Accept header asks for a Table (kubectl get's human output). */
export function wantsTable(accept: string | undefined): boolean {
  return (accept ?? '').split(',').some((part) => {
    const p = part.replace(/\s+/g, '');
    return p.includes('as=Table') && p.includes('g=meta.k8s.io');
  });
}

/**
 * Watch events under `as=Table` (kubectl get -w): each event's object is a one-row Table; only the
 * first carries column definitions, so kubectl prints its header once (as kube-apiserver does).
 */
export function tableEvents<T extends KubeObject>(
  spec: TableSpec<T>,
  clock: () => Date,
  includeObject: string | undefined,
): (obj: T, first: boolean) => unknown {
  return (obj, first) => {
    const t = renderTable(spec, [obj], clock(), obj.metadata.resourceVersion ?? '', includeObject);
    return first ? t : { ...t, columnDefinitions: [] };
  };
}
