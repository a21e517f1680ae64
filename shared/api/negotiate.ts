/**
 * Content negotiation as kube-apiserver does it: the response media type comes from the Accept
 * clauses in order of preference (q, then order); protobuf only for kinds that have a protobuf
 * message (built-in types; custom-resource-like kinds such as Cluster are JSON/YAML only); nothing
 * acceptable is 406 NotAcceptable. Request bodies in protobuf are decoded for the same kinds, else 415.
 */
import { errors } from '../k8s/status';
import { BodyFormat, bodyFormat, parseBody } from './body';
import { PROTOBUF_MEDIA_TYPE, decodeObject } from './protobuf/codec';

export type ResponseFormat = 'json' | 'yaml' | 'protobuf';

interface Clause {
  readonly type: string;
  readonly q: number;
  readonly index: number;
}

function clauses(accept: string): Clause[] {
  return accept
    .split(',')
    .map((raw, index) => {
      const [type = '', ...params] = raw.split(';').map((p) => p.trim());
      const qParam = params.find((p) => /^q=/i.test(p));
      const q = qParam === undefined ? 1 : Number(qParam.slice(2));
      return { type: type.toLowerCase(), q: Number.isNaN(q) ? 0 : q, index };
    })
    .filter((c) => c.type !== '' && c.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
}

function acceptedTypes(protobuf: boolean): string[] {
  return ['application/json', 'application/yaml', ...(protobuf ? [PROTOBUF_MEDIA_TYPE] : [])];
}

/** The media type to answer with, or undefined when no Accept clause can be served. */
export function pickFormat(accept: string | undefined, protobuf: boolean): ResponseFormat | undefined {
  if (accept === undefined || accept.trim() === '') return 'json';
  for (const c of clauses(accept)) {
    switch (c.type) {
      case 'application/json':
      case 'application/*':
      case '*/*':
        return 'json';
      case 'application/yaml':
      case 'application/x-yaml':
        return 'yaml';
      case PROTOBUF_MEDIA_TYPE:
        if (protobuf) return 'protobuf';
        break;
      default:
        break;
    }
  }
  return undefined;
}

/** Like pickFormat, but nothing acceptable is the client's error (406), as kube-apiserver answers it. */
export function negotiateFormat(accept: string | undefined, protobuf: boolean): ResponseFormat {
  const f = pickFormat(accept, protobuf);
  if (!f) throw errors.notAcceptable(`only the following media types are accepted: ${acceptedTypes(protobuf).join(', ')}`);
  return f;
}

export function isProtobuf(contentType: string | undefined): boolean {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() === PROTOBUF_MEDIA_TYPE;
}

/**
 * A create/update body in any media type the kind accepts. Patches are never protobuf (their media
 * types are the patch formats), so they keep to body.ts.
 */
export function readObjectBody(raw: Buffer | undefined, contentType: string | undefined, protobuf: boolean): { body: unknown; format: BodyFormat } {
  if (isProtobuf(contentType)) {
    if (!protobuf) throw errors.unsupportedMediaType(PROTOBUF_MEDIA_TYPE, acceptedTypes(false));
    if (!raw || raw.length === 0) throw errors.badRequest('the request body is empty');
    return { body: decodeObject(raw, acceptedTypes(true)), format: 'json' };
  }
  const format = bodyFormat(contentType);
  return { body: parseBody(raw, format), format };
}
