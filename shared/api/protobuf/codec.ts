/**
 * Kubernetes protobuf (`application/vnd.kubernetes.protobuf`): the 4 bytes `k8s\0`, then a
 * `runtime.Unknown` whose `typeMeta` names the apiVersion/kind and whose `raw` holds the typed
 * message (schema: k8s-proto.ts). Converts between those bytes and the JSON form the rest of the API
 * works on, field by field over the schema, with the JSON rules of the Go types: timestamps as
 * RFC 3339 strings, IntOrString as a number or a string, bytes as base64, empty non-pointer fields
 * left out.
 */
import * as protobuf from 'protobufjs';
import { errors } from '../../k8s/status';
import { K8S_PROTO_FILES, MESSAGE_OF_ANY_VERSION, MESSAGE_OF_KIND } from './k8s-proto';

export const PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf';
const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);
const META = 'k8s.io.apimachinery.pkg.apis.meta.v1';
const TIME_TYPES = new Set([`${META}.Time`, `${META}.MicroTime`]);
const INT_OR_STRING = 'k8s.io.apimachinery.pkg.util.intstr.IntOrString';
const FIELDS_V1 = `${META}.FieldsV1`;

type Json = Record<string, unknown>;
let cached: protobuf.Root | undefined;

function root(): protobuf.Root {
  if (cached) return cached;
  const r = new protobuf.Root();
  for (const text of K8S_PROTO_FILES) protobuf.parse(text, r, { keepCase: true });
  r.resolveAll();
  cached = r;
  return r;
}

/** The message type of a kind, or undefined when that kind is served as JSON only. */
export function messageTypeOf(apiVersion: unknown, kind: unknown): protobuf.Type | undefined {
  if (typeof kind !== 'string') return undefined;
  const name = MESSAGE_OF_KIND[`${String(apiVersion)}/${kind}`] ?? MESSAGE_OF_ANY_VERSION[kind];
  return name ? root().lookupType(name) : undefined;
}

export function hasProtobuf(apiVersion: unknown, kind: unknown): boolean {
  return messageTypeOf(apiVersion, kind) !== undefined;
}

function rfc3339(seconds: number, nanos: number, micro: boolean): string {
  const iso = new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, '');
  return micro ? `${iso}.${String(Math.floor(nanos / 1000)).padStart(6, '0')}Z` : `${iso}Z`;
}

function toNumber(v: unknown): number {
  return typeof v === 'number' ? v : Number(String(v));
}

function isZero(v: unknown): boolean {
  return v === '' || v === false || v === 0 || (typeof v === 'object' && v !== null && 'low' in v && toNumber(v) === 0);
}

function scalarToJson(field: protobuf.Field, v: unknown): unknown {
  if (field.type === 'bytes') return Buffer.from(v as Uint8Array).toString('base64');
  if (['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64'].includes(field.type)) return toNumber(v);
  return v;
}

function valueToJson(field: protobuf.Field, v: unknown): unknown {
  const t = field.resolvedType;
  if (!(t instanceof protobuf.Type)) return scalarToJson(field, v);
  const m = v as Json;
  if (TIME_TYPES.has(t.fullName.slice(1))) {
    const seconds = toNumber(m['seconds'] ?? 0);
    const nanos = toNumber(m['nanos'] ?? 0);
    return seconds === 0 && nanos === 0 ? undefined : rfc3339(seconds, nanos, t.name === 'MicroTime');
  }
  if (t.fullName.slice(1) === INT_OR_STRING) return toNumber(m['type'] ?? 0) === 1 ? (m['strVal'] ?? '') : (m['intVal'] ?? 0);
  if (t.fullName.slice(1) === FIELDS_V1) return m['Raw'] ? (JSON.parse(Buffer.from(m['Raw'] as Uint8Array).toString('utf8')) as unknown) : {};
  return messageToJson(t, m);
}

/** A decoded message as the JSON kube-apiserver would render for the same Go value. */
export function messageToJson(type: protobuf.Type, message: Json): Json {
  const out: Json = {};
  for (const field of type.fieldsArray) {
    if (!Object.prototype.hasOwnProperty.call(message, field.name)) continue;
    const v = message[field.name];
    if (field.map) {
      const entries = Object.entries(v as Json).map(([k, x]) => [k, valueToJson(field, x)] as const);
      if (entries.length > 0) out[field.name] = Object.fromEntries(entries);
    } else if (field.repeated) {
      const items = (v as unknown[]).map((x) => valueToJson(field, x));
      if (items.length > 0) out[field.name] = items;
    } else {
      const pointer = field.options?.['(pointer)'] === true;
      if (!(field.resolvedType instanceof protobuf.Type) && !pointer && isZero(v)) continue;
      const j = valueToJson(field, v);
      if (j !== undefined) out[field.name] = j;
    }
  }
  return out;
}

function valueFromJson(field: protobuf.Field, v: unknown): unknown {
  const t = field.resolvedType;
  if (!(t instanceof protobuf.Type)) return v;
  const name = t.fullName.slice(1);
  if (TIME_TYPES.has(name)) {
    const ms = Date.parse(String(v));
    if (Number.isNaN(ms)) return {};
    const frac = /\.(\d+)Z?$/i.exec(String(v))?.[1] ?? '';
    return { seconds: Math.floor(ms / 1000), nanos: name.endsWith('MicroTime') ? Number(frac.padEnd(9, '0').slice(0, 9)) : 0 };
  }
  if (name === INT_OR_STRING) return typeof v === 'string' ? { type: 1, strVal: v } : { type: 0, intVal: v };
  if (name === FIELDS_V1) return { Raw: Buffer.from(JSON.stringify(v ?? {})) };
  return v !== null && typeof v === 'object' ? messageFromJson(t, v as Json) : {};
}

/** JSON (as the API stores and renders it) to a plain object protobufjs can encode; unknown keys are dropped. */
export function messageFromJson(type: protobuf.Type, json: Json): Json {
  const out: Json = {};
  for (const field of type.fieldsArray) {
    const v = json[field.name];
    if (v === undefined || v === null) continue;
    if (field.map) out[field.name] = Object.fromEntries(Object.entries(v as Json).map(([k, x]) => [k, valueFromJson(field, x)]));
    else if (field.repeated) out[field.name] = (Array.isArray(v) ? v : []).map((x) => valueFromJson(field, x));
    else out[field.name] = valueFromJson(field, v);
  }
  return out;
}

function unknownType(): protobuf.Type {
  return root().lookupType('k8s.io.apimachinery.pkg.runtime.Unknown');
}

/** Encodes an API object (JSON form) as a protobuf body, or undefined when its kind is JSON only. */
export function encodeObject(object: Json): Buffer | undefined {
  const type = messageTypeOf(object['apiVersion'], object['kind']);
  if (!type) return undefined;
  const raw = type.encode(type.fromObject(messageFromJson(type, object))).finish();
  const envelope = unknownType();
  const unknown = envelope
    .encode(
      envelope.fromObject({
        typeMeta: { apiVersion: object['apiVersion'], kind: object['kind'] },
        raw,
        contentEncoding: '',
        contentType: '',
      }),
    )
    .finish();
  return Buffer.concat([MAGIC, unknown]);
}

/**
 * Decodes a protobuf request body to its JSON form (with apiVersion and kind from the envelope).
 * Bytes that are not a Kubernetes protobuf object, or a kind skyfed does not speak in protobuf, are
 * the client's error: 400 and 415, as kube-apiserver answers them.
 */
export function decodeObject(body: Buffer, accepted: readonly string[]): Json {
  if (body.length < MAGIC.length || !body.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw errors.badRequest('provided object is not a Kubernetes protobuf object (the k8s\\0 prefix is missing)');
  }
  let unknown: Json;
  try {
    unknown = unknownType().toObject(unknownType().decode(body.subarray(MAGIC.length)), { defaults: false }) as Json;
  } catch (e) {
    throw errors.badRequest(`error decoding protobuf: ${(e as Error).message}`);
  }
  const typeMeta = (unknown['typeMeta'] ?? {}) as { apiVersion?: string; kind?: string };
  const type = messageTypeOf(typeMeta.apiVersion, typeMeta.kind);
  if (!type) throw errors.unsupportedMediaType(PROTOBUF_MEDIA_TYPE, accepted);
  let message: Json;
  try {
    message = type.decode((unknown['raw'] as Uint8Array | undefined) ?? new Uint8Array()) as unknown as Json;
  } catch (e) {
    throw errors.badRequest(`error decoding ${String(typeMeta.kind)} from protobuf: ${(e as Error).message}`);
  }
  const json = messageToJson(type, message);
  return { apiVersion: typeMeta.apiVersion, kind: typeMeta.kind, ...json };
}
