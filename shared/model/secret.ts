/**
 * Credentials Secrets (core v1 Secret). Data is write-only: it is sealed on write (shared/crypto) and
 * never returned; reads show the Secret with `data` removed and the key names and sizes in an
 * annotation, so `kubectl get secret` still tells what is there.
 */
import { kubeconfigProblems } from '../k8s/kubeconfig';
import { FieldErrors, dns1123Subdomain } from '../k8s/validation';
import { configKey, validateMeta } from './common';
import { KubeObject } from './meta';

export const MAX_SECRET_BYTES = 1024 * 1024;
export const DATA_KEYS_ANNOTATION = 'skyfed.io/data-keys';
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

/** The stored/returned view: no data, key names with sizes in an annotation. */
export function redactSecret(s: Secret, data: Record<string, Buffer>): Secret {
  const { data: _d, stringData: _s, ...rest } = s;
  const keys = Object.entries(data).map(([k, v]) => `${k}:${v.length}`).sort().join(',');
  return { ...rest, metadata: { ...rest.metadata, annotations: { ...(rest.metadata.annotations ?? {}), [DATA_KEYS_ANNOTATION]: keys } } };
}

export function secretKeyCount(s: Secret): number {
  const keys = s.metadata.annotations?.[DATA_KEYS_ANNOTATION] ?? '';
  return keys ? keys.split(',').length : 0;
}
