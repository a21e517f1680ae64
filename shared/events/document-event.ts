/**
 * Decodes a Firestore document event (`google.cloud.firestore.document.v1.*`, data content type
 * `application/protobuf`) into plain JavaScript.
 *
 * Production Eventarc delivers the DocumentEventData as raw protobuf bytes; the Firestore emulator
 * delivers the same message as base64 text. Both are accepted. The event says *what* changed;
 * handlers re-read current state (level-triggered), so nothing here depends on `update_mask`, which the
 * emulator always leaves empty.
 */
import { documentEventDataType } from './document-event-schema';
import { InputErrorReason, SkyfedError } from '../errors';

/** A Firestore geo point (kept distinct from a map that happens to have these two keys). */
export class GeoPoint {
  constructor(
    readonly latitude: number,
    readonly longitude: number,
  ) {}
}

/**
 * A Firestore value as JavaScript: integers are numbers when safe, else bigint; timestamps are
 * RFC 3339 strings (`2024-01-02T03:04:05.123Z`, 6 or 9 fraction digits when the value has them);
 * bytes are Buffers; document references are their resource-name strings.
 */
export type FieldValue = null | boolean | number | bigint | string | Buffer | GeoPoint | FieldValue[] | FieldMap;
export interface FieldMap {
  [field: string]: FieldValue;
}

export interface EventDocument {
  /** Full resource name: `projects/{p}/databases/{d}/documents/{path}`. */
  readonly name: string;
  readonly fields: FieldMap;
  readonly createTime?: string;
  readonly updateTime?: string;
}

export type DocumentChangeKind = 'create' | 'update' | 'delete';

export interface DocumentEvent {
  readonly kind: DocumentChangeKind;
  /** Path below `documents/`, e.g. `namespaces/x/services/y`. */
  readonly documentPath: string;
  readonly value?: EventDocument;
  readonly oldValue?: EventDocument;
}

/**
 * CloudEvent attributes, either as attribute names (`document`, `subject`, `datacontenttype`) or
 * as binary-mode HTTP headers (`ce-document`, `ce-subject`, `content-type`). All optional: the
 * document path falls back to the documents' own names.
 */
export type EventAttributesLike = Readonly<Record<string, unknown>>;

export class DocumentEventDecodeError extends SkyfedError<InputErrorReason> {
  override readonly name = 'DocumentEventDecodeError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('BadEvent', message, options);
  }
}

const BASE64_TEXT = /^[A-Za-z0-9+/\-_]+={0,2}$/;

function attr(attrs: EventAttributesLike | undefined, name: string): string | undefined {
  const v = attrs?.[name] ?? attrs?.[`ce-${name}`];
  return typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : undefined;
}

/** The candidate payloads, most likely first: base64 text (emulator) before raw bytes (Eventarc). */
function candidatePayloads(body: Buffer | string | Uint8Array): Buffer[] {
  if (typeof body === 'string') {
    const text = body.trim();
    if (!BASE64_TEXT.test(text) && text !== '') throw new DocumentEventDecodeError('event data is a string but not base64 text');
    return [Buffer.from(text, 'base64')];
  }
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  // A raw DocumentEventData starts with a field tag (0x0a, 0x12 or 0x1a), none of which is a base64
  // character, so a body made only of base64 characters is base64 text. Raw bytes stay a fallback.
  const text = bytes.toString('latin1').trimEnd();
  if (text !== '' && BASE64_TEXT.test(text)) return [Buffer.from(text, 'base64'), bytes];
  return [bytes];
}

type ProtoObject = Record<string, unknown>;

function decodeMessage(body: Buffer | string | Uint8Array): ProtoObject {
  const type = documentEventDataType();
  let firstError: unknown;
  for (const payload of candidatePayloads(body)) {
    try {
      const msg = type.decode(payload);
      return type.toObject(msg, { longs: String, enums: Number, defaults: false, oneofs: true }) as ProtoObject;
    } catch (e) {
      firstError ??= e;
    }
  }
  throw new DocumentEventDecodeError(`event data is not a DocumentEventData: ${String((firstError as Error)?.message ?? firstError)}`, { cause: firstError });
}

/** RFC 3339 UTC; keeps sub-millisecond precision when the timestamp has it. */
export function timestampToIso(ts: unknown): string {
  const t = (ts ?? {}) as { seconds?: string | number; nanos?: number };
  const seconds = Number(t.seconds ?? 0);
  const nanos = t.nanos ?? 0;
  const whole = new Date(seconds * 1000).toISOString().slice(0, -5); // drop ".000Z"
  const nine = String(nanos).padStart(9, '0');
  const fraction = nanos % 1_000_000 === 0 ? nine.slice(0, 3) : nanos % 1000 === 0 ? nine.slice(0, 6) : nine;
  return `${whole}.${fraction}Z`;
}

function integer(v: unknown): number | bigint {
  const big = BigInt(v as string | number);
  const n = Number(big);
  return Number.isSafeInteger(n) ? n : big;
}

function fieldMap(fields: unknown): FieldMap {
  const out: FieldMap = {};
  for (const [k, v] of Object.entries((fields ?? {}) as Record<string, ProtoObject>)) {
    Object.defineProperty(out, k, { value: fieldValue(v), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** One `google.events.cloud.firestore.v1.Value` (as protobufjs `toObject` with `oneofs`) → JavaScript. */
function fieldValue(v: ProtoObject): FieldValue {
  switch (v['valueType']) {
    case 'nullValue':
      return null;
    case 'booleanValue':
      return v['booleanValue'] as boolean;
    case 'integerValue':
      return integer(v['integerValue']);
    case 'doubleValue':
      return v['doubleValue'] as number;
    case 'timestampValue':
      return timestampToIso(v['timestampValue']);
    case 'stringValue':
      return v['stringValue'] as string;
    case 'bytesValue':
      return Buffer.from(v['bytesValue'] as Uint8Array);
    case 'referenceValue':
      return v['referenceValue'] as string;
    case 'geoPointValue': {
      const g = v['geoPointValue'] as { latitude?: number; longitude?: number };
      return new GeoPoint(g.latitude ?? 0, g.longitude ?? 0);
    }
    case 'arrayValue':
      return (((v['arrayValue'] as ProtoObject)['values'] ?? []) as ProtoObject[]).map(fieldValue);
    case 'mapValue':
      return fieldMap((v['mapValue'] as ProtoObject)['fields']);
    default:
      throw new DocumentEventDecodeError(`Firestore value has no known type: ${JSON.stringify(Object.keys(v))}`);
  }
}

function eventDocument(d: ProtoObject | undefined): EventDocument | undefined {
  if (!d) return undefined;
  return {
    name: (d['name'] as string | undefined) ?? '',
    fields: fieldMap(d['fields']),
    ...(d['createTime'] ? { createTime: timestampToIso(d['createTime']) } : {}),
    ...(d['updateTime'] ? { updateTime: timestampToIso(d['updateTime']) } : {}),
  };
}

/** `projects/p/databases/d/documents/a/b` or `documents/a/b` → `a/b`. */
export function pathBelowDocuments(name: string): string {
  const i = name.indexOf('documents/');
  return i >= 0 && (i === 0 || name[i - 1] === '/') ? name.slice(i + 'documents/'.length) : name;
}

/**
 * Decodes one Firestore document event. `attrs` are the CloudEvent attributes or the binary-mode
 * request headers; they give the document path (`document`, else `subject`).
 */
export function decodeDocumentEvent(body: Buffer | string | Uint8Array, attrs?: EventAttributesLike): DocumentEvent {
  const contentType = attr(attrs, 'datacontenttype') ?? attr(attrs, 'content-type');
  if (contentType && /json/i.test(contentType)) {
    throw new DocumentEventDecodeError(`unsupported event data content type ${contentType}: create the trigger with application/protobuf`);
  }
  const msg = decodeMessage(body);
  const value = eventDocument(msg['value'] as ProtoObject | undefined);
  const oldValue = eventDocument(msg['oldValue'] as ProtoObject | undefined);
  if (!value && !oldValue) throw new DocumentEventDecodeError('event data has neither value nor old_value');
  const kind: DocumentChangeKind = value && oldValue ? 'update' : value ? 'create' : 'delete';
  const subject = attr(attrs, 'subject');
  const documentPath = attr(attrs, 'document') ?? (subject ? pathBelowDocuments(subject) : pathBelowDocuments((value ?? oldValue)?.name ?? ''));
  return { kind, documentPath, ...(value ? { value } : {}), ...(oldValue ? { oldValue } : {}) };
}
