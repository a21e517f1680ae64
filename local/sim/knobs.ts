/**
 * "Watch it fail over": what a user changes with kubectl alone to break and heal a demo member.
 *   Service annotation `demo.skyfed.io/lb=blackhole|refuse|ok`  the load balancer drops SYNs, refuses, or answers
 *   Service annotation `demo.skyfed.io/endpoints=<n>`           n ready endpoints (a fresh EndpointSlice)
 *   deleting or patching the Service's EndpointSlice            what the sweep then reads
 *   Node annotation `demo.skyfed.io/api=down|up`                the member API stops answering (except kubectl's
 *                                                                own discovery and node calls with the admin token,
 *                                                                so the same kubectl can heal it)
 * Also the merge patch the simulator applies to Services, EndpointSlices and Nodes.
 */
import { KubeError, Obj } from './state';
import { ann } from './objects';

export const LB_ANNOTATION = 'demo.skyfed.io/lb';
export const ENDPOINTS_ANNOTATION = 'demo.skyfed.io/endpoints';
export const API_ANNOTATION = 'demo.skyfed.io/api';
export type LbMode = 'ok' | 'refuse' | 'blackhole';

/** RFC 7386 JSON merge patch (kubectl's strategic merge patch reduces to it for the fields the knobs use). */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return structuredClone(patch);
  const out: Record<string, unknown> = target && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch as Record<string, unknown>)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** Parses a PATCH body by content type; JSON Patch (RFC 6902) is not served here. */
export function patchBody(contentType: string | undefined, raw: string): Record<string, unknown> {
  const ct = (contentType ?? '').split(';')[0]?.trim();
  if (ct !== 'application/merge-patch+json' && ct !== 'application/strategic-merge-patch+json') {
    throw new KubeError(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: application/merge-patch+json, application/strategic-merge-patch+json`,
    );
  }
  let p: unknown;
  try {
    p = JSON.parse(raw);
  } catch {
    throw new KubeError(400, 'BadRequest', 'error decoding patch: invalid JSON');
  }
  if (!p || typeof p !== 'object' || Array.isArray(p)) throw new KubeError(400, 'BadRequest', 'a merge patch must be a JSON object');
  return p as Record<string, unknown>;
}

/** The LB mode a Service's annotation asks for, undefined when it asks nothing; a bad value is 422. */
export function lbModeOf(o: Obj): LbMode | undefined {
  const v = ann(o)[LB_ANNOTATION];
  if (v === undefined) return undefined;
  if (v === 'ok' || v === 'refuse' || v === 'blackhole') return v;
  throw new KubeError(
    422,
    'Invalid',
    `Service "${o.metadata.name ?? ''}" is invalid: metadata.annotations[${LB_ANNOTATION}]: Unsupported value: "${v}": supported values: "ok", "refuse", "blackhole"`,
  );
}

/** The ready-endpoint count a Service's annotation asks for, or undefined; a bad value is 422. */
export function endpointsOf(o: Obj): number | undefined {
  const v = ann(o)[ENDPOINTS_ANNOTATION];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^\d+$/.test(v) || n > 1000)
    throw new KubeError(
      422,
      'Invalid',
      `Service "${o.metadata.name ?? ''}" is invalid: metadata.annotations[${ENDPOINTS_ANNOTATION}]: Invalid value: "${v}": a whole number from 0 to 1000`,
    );
  return n;
}

/** Nodes of a simulated cluster: one per zone, topology labels as configured, annotations the user set. */
export class Nodes {
  /** name → annotations and extra labels the user set. */
  readonly meta = new Map<string, { annotations: Record<string, string>; labels: Record<string, string> }>();

  constructor(
    private readonly opts: { zones?: readonly string[]; region?: string; topologyLabels?: 'topology' | 'legacy' | 'none' },
    private readonly rv: () => string,
  ) {}

  list(): Obj[] {
    const zones = this.opts.zones ?? [];
    const lbl = this.opts.topologyLabels ?? 'topology';
    const pre = lbl === 'legacy' ? 'failure-domain.beta.kubernetes.io' : 'topology.kubernetes.io';
    return (zones.length ? zones : ['']).map((z, i) => {
      const name = `node-${i}`;
      const extra = this.meta.get(name);
      const topo = lbl === 'none' ? {} : { ...(z ? { [`${pre}/zone`]: z } : {}), ...(this.opts.region ? { [`${pre}/region`]: this.opts.region } : {}) };
      return {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: {
          name,
          labels: { 'kubernetes.io/hostname': name, ...(extra?.labels ?? {}), ...topo },
          annotations: { ...(extra?.annotations ?? {}) },
          resourceVersion: this.rv(),
        },
        status: { conditions: [{ type: 'Ready', status: 'True' }] },
      } as Obj;
    });
  }

  get(name: string): Obj {
    const n = this.list().find((x) => x.metadata.name === name);
    if (!n) throw new KubeError(404, 'NotFound', `nodes "${name}" not found`, { name, kind: 'nodes' });
    return n;
  }

  patch(name: string, p: Record<string, unknown>): Obj {
    const merged = mergePatch(this.get(name), p) as Obj;
    const annotations = (merged.metadata['annotations'] as Record<string, string> | undefined) ?? {};
    const api = annotations[API_ANNOTATION];
    if (api !== undefined && api !== 'up' && api !== 'down')
      throw new KubeError(
        422,
        'Invalid',
        `Node "${name}" is invalid: metadata.annotations[${API_ANNOTATION}]: Unsupported value: "${api}": supported values: "down", "up"`,
      );
    const labels = { ...(merged.metadata.labels ?? {}) };
    this.meta.set(name, { annotations, labels });
    return this.get(name);
  }

  /** True while any Node says `demo.skyfed.io/api=down`. */
  apiDown(): boolean {
    return [...this.meta.values()].some((m) => m.annotations[API_ANNOTATION] === 'down');
  }
}

/** EndpointSlices a user deleted or patched, keyed by `namespace/service`; a fresh count resets both. */
export class SliceEdits {
  readonly deleted = new Set<string>();
  readonly patched = new Map<string, Obj>();

  reset(key: string): void {
    this.deleted.delete(key);
    this.patched.delete(key);
  }

  /** Applies the edits to the slices the ready counts produce. */
  apply(generated: Obj[]): Obj[] {
    return generated.flatMap((s) => {
      const key = `${s.metadata.namespace ?? ''}/${s.metadata.labels?.['kubernetes.io/service-name'] ?? ''}`;
      if (this.deleted.has(key)) return [];
      return [this.patched.get(key) ?? s];
    });
  }
}
