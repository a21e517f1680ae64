/**
 * Request bodies: JSON, YAML, merge/strategic-merge patches and apply patches, from the raw bytes
 * (functions-framework keeps them as `rawBody`). Size-limited like kube-apiserver (3 MiB).
 */
import { parse as parseYaml } from 'yaml';
import { errors } from '../k8s/status';

export const MAX_BODY_BYTES = 3 * 1024 * 1024;

export type BodyFormat = 'json' | 'yaml' | 'merge-patch' | 'strategic-merge-patch' | 'apply-patch' | 'json-patch';

export function bodyFormat(contentType: string | undefined): BodyFormat {
  const t = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  switch (t) {
    case 'application/json': return 'json';
    case 'application/yaml': case 'application/x-yaml': case 'text/yaml': return 'yaml';
    case 'application/merge-patch+json': return 'merge-patch';
    case 'application/strategic-merge-patch+json': return 'strategic-merge-patch';
    case 'application/apply-patch+yaml': case 'application/apply-patch+json': return 'apply-patch';
    case 'application/json-patch+json': return 'json-patch';
    default: throw errors.unsupportedMediaType(t || '(none)');
  }
}

/** Parses the raw body. JSON is parsed as JSON; YAML as a single YAML document (JSON is valid YAML). */
export function parseBody(raw: Buffer | undefined, format: BodyFormat): unknown {
  if (!raw || raw.length === 0) throw errors.badRequest('the request body is empty');
  if (raw.length > MAX_BODY_BYTES) throw errors.tooLarge(MAX_BODY_BYTES);
  const text = raw.toString('utf8');
  if (format === 'yaml' || format === 'apply-patch') {
    try {
      return parseYaml(text, { uniqueKeys: true, maxAliasCount: 100, strict: true });
    } catch (e) {
      throw errors.badRequest(`error decoding YAML: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw errors.badRequest(`error decoding JSON: ${(e as Error).message}`);
  }
}
