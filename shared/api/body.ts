/**
 * Request bodies: JSON, YAML, merge/strategic-merge patches and apply patches. Read from the wire
 * only after the caller is authenticated (functions/api/body-gate.ts), size-limited while streaming
 * like kube-apiserver (3 MiB, 413), nesting-limited (400), and never quoted back in errors: a body
 * may carry Secret data.
 */
import type { IncomingMessage } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { errors } from '../k8s/status';

export const MAX_BODY_BYTES = 3 * 1024 * 1024;
/** Deeper than any object skyfed stores; deep enough JSON would overflow recursive code. */
export const MAX_NESTING = 100;

export type BodyFormat = 'json' | 'yaml' | 'merge-patch' | 'strategic-merge-patch' | 'apply-patch' | 'json-patch';

export function bodyFormat(contentType: string | undefined): BodyFormat {
  const t = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  switch (t) {
    case 'application/json':
      return 'json';
    case 'application/yaml':
    case 'application/x-yaml':
    case 'text/yaml':
      return 'yaml';
    case 'application/merge-patch+json':
      return 'merge-patch';
    case 'application/strategic-merge-patch+json':
      return 'strategic-merge-patch';
    case 'application/apply-patch+yaml':
    case 'application/apply-patch+json':
      return 'apply-patch';
    case 'application/json-patch+json':
      return 'json-patch';
    default:
      throw errors.unsupportedMediaType(t || '(none)');
  }
}

/**
 * Reads a request body, refusing it (413) as soon as it is known to be larger than `limit`: from
 * Content-Length before reading anything, else while the bytes arrive.
 */
export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(errors.tooLarge(limit));
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (encoding !== 'identity') return Promise.reject(errors.unsupportedMediaType(`content-encoding ${encoding}`));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (c: Buffer): void => {
      size += c.length;
      if (size > limit) {
        req.off('data', onData);
        req.pause();
        reject(errors.tooLarge(limit));
        return;
      }
      chunks.push(c);
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

/** The deepest nesting of `[`/`{` in JSON (or YAML flow) text, strings skipped; stops counting past `max`. */
export function nestingDepth(text: string, max = MAX_NESTING): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92)
        i++; // backslash escapes the next character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123) {
      depth++;
      if (depth > deepest) deepest = depth;
      if (deepest > max) return deepest;
    } else if (c === 93 || c === 125) depth--;
  }
  return deepest;
}

/** Depth of a parsed value, without recursion. */
function valueDepth(root: unknown, max: number): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[root, 1]];
  while (stack.length > 0) {
    const [v, d] = stack.pop() as [unknown, number];
    if (v === null || typeof v !== 'object') continue;
    if (d > deepest) deepest = d;
    if (deepest > max) return deepest;
    for (const x of Object.values(v)) stack.push([x, d + 1]);
  }
  return deepest;
}

const tooDeep = () => errors.badRequest(`the request body is nested deeper than ${MAX_NESTING} levels`);

/** Parses the raw body. JSON is parsed as JSON; YAML as a single YAML document (JSON is valid YAML). */
export function parseBody(raw: Buffer | undefined, format: BodyFormat): unknown {
  if (!raw || raw.length === 0) throw errors.badRequest('the request body is empty');
  if (raw.length > MAX_BODY_BYTES) throw errors.tooLarge(MAX_BODY_BYTES);
  const text = raw.toString('utf8');
  if (nestingDepth(text) > MAX_NESTING) throw tooDeep();
  let parsed: unknown;
  if (format === 'yaml' || format === 'apply-patch') {
    try {
      parsed = parseYaml(text, { uniqueKeys: true, maxAliasCount: 100, strict: true });
    } catch (e) {
      // The parser's first line names the problem and position; the lines after it quote the body.
      const first = (e as Error).message.split('\n')[0] ?? '';
      if (/call stack/i.test(first)) throw tooDeep();
      throw errors.badRequest(`error decoding YAML: ${first.replace(/:\s*$/, '')}`);
    }
  } else {
    try {
      parsed = JSON.parse(text) as unknown;
    } catch (e) {
      const at = /position (\d+)/.exec((e as Error).message);
      throw errors.badRequest(`error decoding JSON: invalid JSON${at ? ` at position ${at[1]}` : ''}`);
    }
  }
  if (valueDepth(parsed, MAX_NESTING) > MAX_NESTING) throw tooDeep();
  return parsed;
}
