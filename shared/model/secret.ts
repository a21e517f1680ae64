/**
 * Credentials Secrets (core v1 Secret). Data is write-only: it is sealed on write (shared/crypto) and
 * never returned; reads show the Secret with `data` removed and the key names and sizes in an
 * annotation, so `kubectl get secret` still tells what is there.
 */
import { kubeconfigProblems } from '../k8s/kubeconfig';
import { FieldErrors, dns1123Subdomain } from '../k8s/validation';
import { configKey, validateMeta } from './common';
import { KubeObject } from './meta';

/**
 * Largest total of a Secret's data. Kubernetes allows 1 MiB, but skyfed stores the sealed data
 * base64-encoded in one Firestore document (1 MiB at most), so 512 KiB is what fits with room to spare.
 */
export const MAX_SECRET_BYTES = 512 * 1024;
export const DATA_KEYS_ANNOTATION = 'skyfed.io/data-keys';
/** kubectl's client-side apply state (`kubectl apply`, `create --save-config`): a JSON copy of the applied object. */
export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';
/** What a data value reads as wherever a copy of the Secret would otherwise carry it. Not base64, so never a real value. */
export const REDACTED_VALUE = '<redacted>';
/** The key of a credentials Secret that holds the member kubeconfig. */
export const KUBECONFIG_KEY = 'kubeconfig';

export interface Secret extends KubeObject {
  type?: string;
  immutable?: boolean;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Validates and returns the decoded data (stringData wins over data, as in Kubernetes). */
export function validateSecret(s: Secret): { errs: FieldErrors; data: Record<string, Buffer> } {
  const errs = new FieldErrors();
  validateMeta(s.metadata, errs, dns1123Subdomain, true);
  const data: Record<string, Buffer> = {};
  let total = 0;
  for (const [k, v] of Object.entries(s.data ?? {})) {
    errs.check(`data[${k}]`, k, configKey(k));
    if (typeof v !== 'string' || !BASE64.test(v)) {
      errs.check(`data[${k}]`, '<value>', ['must be base64-encoded']);
      continue;
    }
    data[k] = Buffer.from(v, 'base64');
  }
  for (const [k, v] of Object.entries(s.stringData ?? {})) {
    errs.check(`stringData[${k}]`, k, configKey(k));
    data[k] = Buffer.from(v, 'utf8');
  }
  for (const v of Object.values(data)) total += v.length;
  // Member credentials are data, never instructions: only inline kubeconfig material is stored.
  const kubeconfig = data[KUBECONFIG_KEY];
  if (kubeconfig && total <= MAX_SECRET_BYTES) {
    const field = s.stringData?.[KUBECONFIG_KEY] !== undefined ? `stringData[${KUBECONFIG_KEY}]` : `data[${KUBECONFIG_KEY}]`;
    for (const p of kubeconfigProblems(kubeconfig.toString('utf8'))) {
      errs.forbidden(field, p.path ? `${p.path}: ${p.message}` : p.message);
    }
  }
  if (total > MAX_SECRET_BYTES) errs.check('data', '<total>', [`Too long: must have at most ${MAX_SECRET_BYTES} bytes`]);
  return { errs, data };
}

/** The stored/returned view: no data, key names with sizes in an annotation, apply state without values. */
export function redactSecret(s: Secret, data: Record<string, Buffer>): Secret {
  const { data: _d, stringData: _s, ...rest } = s;
  const keys = Object.entries(data)
    .map(([k, v]) => `${k}:${v.length}`)
    .sort()
    .join(',');
  return withoutDataValues({ ...rest, metadata: { ...rest.metadata, annotations: { ...(rest.metadata.annotations ?? {}), [DATA_KEYS_ANNOTATION]: keys } } });
}

/** `{k: value}` → `{k: "<redacted>"}`: the key names stay (so apply can tell a removed key), values go. */
function redactValues(v: unknown): unknown {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return REDACTED_VALUE;
  return Object.fromEntries(Object.keys(v).map((k) => [k, REDACTED_VALUE]));
}

/**
 * Any copy of a Secret (an applied configuration, a parsed last-applied annotation) with the values
 * of `data` and `stringData` replaced by REDACTED_VALUE. Other fields are kept as they are.
 */
export function redactSecretCopy(copy: unknown): unknown {
  if (copy === null || typeof copy !== 'object' || Array.isArray(copy)) return copy;
  const out: Record<string, unknown> = { ...(copy as Record<string, unknown>) };
  for (const f of ['data', 'stringData']) if (f in out) out[f] = redactValues(out[f]);
  return out;
}

/**
 * The Secret with kubectl's last-applied annotation holding no data values. The annotation is kept
 * (with key names) rather than dropped: `kubectl apply` reads it to find keys removed from the file,
 * and sends the full data anyway, because a read never shows data. An annotation that is not JSON
 * cannot be told apart from data and is dropped.
 */
export function withoutDataValues(s: Secret): Secret {
  const raw = s.metadata.annotations?.[LAST_APPLIED_ANNOTATION];
  if (raw === undefined) return s;
  const annotations = { ...(s.metadata.annotations ?? {}) };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw) as unknown;
  } catch {
    parsed = undefined;
  }
  if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) annotations[LAST_APPLIED_ANNOTATION] = JSON.stringify(redactSecretCopy(parsed));
  else delete annotations[LAST_APPLIED_ANNOTATION];
  return { ...s, metadata: { ...s.metadata, annotations } };
}

/**
 * A stored Secret record as it may rest in the store: no `data`/`stringData` on the object, no data
 * values in its annotations, and none in any server-side state kept beside it (server-side apply
 * keeps each manager's applied configuration), except the sealed data itself.
 */
export function secretAtRest<R extends { object: Secret; internal?: Readonly<Record<string, unknown>> }>(rec: R): R {
  const { data: _d, stringData: _s, ...object } = rec.object;
  const out = { ...rec, object: withoutDataValues(object as Secret) };
  if (!rec.internal) return out;
  const internal: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(rec.internal)) {
    if (k === 'sealed') internal[k] = v;
    else internal[k] = scrub(v);
  }
  return { ...out, internal };
}

/** Redacts data values in every object nested under `v` that has `data`/`stringData` fields. */
function scrub(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(scrub);
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = k === 'data' || k === 'stringData' ? redactValues(x) : scrub(x);
  if (out['metadata'] && typeof out['metadata'] === 'object') {
    const meta = out['metadata'] as { annotations?: Record<string, string> };
    if (meta.annotations?.[LAST_APPLIED_ANNOTATION] !== undefined) {
      out['metadata'] = withoutDataValues({ apiVersion: 'v1', kind: 'Secret', metadata: meta }).metadata;
    }
  }
  return out;
}

export function secretKeyCount(s: Secret): number {
  const keys = s.metadata.annotations?.[DATA_KEYS_ANNOTATION] ?? '';
  return keys ? keys.split(',').length : 0;
}
