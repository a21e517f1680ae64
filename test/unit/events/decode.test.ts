import { documentEventDataType } from '../../../shared/events/document-event-schema';
import { DocumentEventDecodeError, GeoPoint, decodeDocumentEvent, timestampToIso } from '../../../shared/events/document-event';
import { decodeFirestoreCloudEvent, firestoreEventAttributes } from '../../../shared/events/cloud-event';
import type { CloudEvent } from '@google-cloud/functions-framework';

const NAME = 'projects/p1/databases/(default)/documents/namespaces/ns1/services/web';
const T0 = { seconds: 1_700_000_000, nanos: 123_000_000 }; // 2023-11-14T22:13:20.123Z
const T1 = { seconds: 1_700_000_060, nanos: 456_789_000 };

/** Builds the wire bytes with protobufjs itself, from the proto3 JSON-ish object form. */
function encode(data: Record<string, unknown>): Buffer {
  const type = documentEventDataType();
  const msg = type.fromObject(data);
  const err = type.verify(msg);
  if (err) throw new Error(err);
  return Buffer.from(type.encode(msg).finish());
}

const richFields = {
  name: { stringValue: 'web' },
  replicas: { integerValue: '3' },
  big: { integerValue: '9007199254740993' },
  negative: { integerValue: '-42' },
  ratio: { doubleValue: 0.25 },
  on: { booleanValue: true },
  off: { booleanValue: false },
  nothing: { nullValue: 0 },
  empty: { stringValue: '' },
  zero: { integerValue: '0' },
  at: { timestampValue: T0 },
  raw: { bytesValue: Buffer.from([0, 1, 254, 255]) },
  where: { geoPointValue: { latitude: 52.5, longitude: 13.4 } },
  ref: { referenceValue: 'projects/p1/databases/(default)/documents/clusters/a' },
  spec: {
    mapValue: {
      fields: {
        ports: {
          arrayValue: {
            values: [
              { mapValue: { fields: { port: { integerValue: '80' }, protocol: { stringValue: 'TCP' } } } },
              { mapValue: { fields: { port: { integerValue: '443' }, name: { nullValue: 0 } } } },
            ],
          },
        },
        selector: { mapValue: { fields: { app: { stringValue: 'web' } } } },
        emptyMap: { mapValue: {} },
        emptyList: { arrayValue: {} },
        mixed: { arrayValue: { values: [{ stringValue: 'a' }, { doubleValue: 1.5 }, { booleanValue: false }, { timestampValue: T1 }] } },
      },
    },
  },
};

const expectedRich = {
  name: 'web',
  replicas: 3,
  big: 9007199254740993n,
  negative: -42,
  ratio: 0.25,
  on: true,
  off: false,
  nothing: null,
  empty: '',
  zero: 0,
  at: '2023-11-14T22:13:20.123Z',
  raw: Buffer.from([0, 1, 254, 255]),
  where: new GeoPoint(52.5, 13.4),
  ref: 'projects/p1/databases/(default)/documents/clusters/a',
  spec: {
    ports: [
      { port: 80, protocol: 'TCP' },
      { port: 443, name: null },
    ],
    selector: { app: 'web' },
    emptyMap: {},
    emptyList: [],
    mixed: ['a', 1.5, false, '2023-11-14T22:14:20.456789Z'],
  },
};

const doc = (fields: Record<string, unknown>, create = T0, update = T0): Record<string, unknown> => ({
  name: NAME,
  fields,
  createTime: create,
  updateTime: update,
});

const shapes = {
  create: { value: doc(richFields) },
  update: { value: doc({ ...richFields, replicas: { integerValue: '5' } }, T0, T1), oldValue: doc(richFields), updateMask: {} },
  delete: { oldValue: doc(richFields, T0, T1) },
};

describe('decodeDocumentEvent', () => {
  const attrs = { document: 'namespaces/ns1/services/web', subject: 'documents/namespaces/ns1/services/web' };

  for (const encoding of ['raw bytes', 'base64 Buffer', 'base64 string', 'Uint8Array'] as const) {
    const wire = (data: Record<string, unknown>): Buffer | string | Uint8Array => {
      const bytes = encode(data);
      if (encoding === 'raw bytes') return bytes;
      if (encoding === 'base64 Buffer') return Buffer.from(bytes.toString('base64'));
      if (encoding === 'base64 string') return bytes.toString('base64');
      return new Uint8Array(bytes);
    };

    describe(`from ${encoding}`, () => {
      it('decodes a create: value only', () => {
        const ev = decodeDocumentEvent(wire(shapes.create), attrs);
        expect(ev.kind).toBe('create');
        expect(ev.documentPath).toBe('namespaces/ns1/services/web');
        expect(ev.oldValue).toBeUndefined();
        expect(ev.value).toStrictEqual({ name: NAME, fields: expectedRich, createTime: '2023-11-14T22:13:20.123Z', updateTime: '2023-11-14T22:13:20.123Z' });
        expect(Buffer.isBuffer(ev.value?.fields['raw'])).toBe(true);
        expect(ev.value?.fields['where']).toBeInstanceOf(GeoPoint);
      });

      it('decodes an update: value and old value', () => {
        const ev = decodeDocumentEvent(wire(shapes.update), attrs);
        expect(ev.kind).toBe('update');
        expect(ev.value?.fields['replicas']).toBe(5);
        expect(ev.oldValue?.fields['replicas']).toBe(3);
        expect(ev.value?.updateTime).toBe('2023-11-14T22:14:20.456789Z');
        expect(ev.oldValue?.fields).toStrictEqual(expectedRich);
      });

      it('decodes a delete: old value only', () => {
        const ev = decodeDocumentEvent(wire(shapes.delete), attrs);
        expect(ev.kind).toBe('delete');
        expect(ev.value).toBeUndefined();
        expect(ev.oldValue?.fields).toStrictEqual(expectedRich);
        expect(ev.oldValue?.updateTime).toBe('2023-11-14T22:14:20.456789Z');
      });
    });
  }

  it('takes the path from ce-* headers, the subject, or the document name', () => {
    const bytes = encode(shapes.create);
    expect(decodeDocumentEvent(bytes, { 'ce-document': 'namespaces/a/services/b' }).documentPath).toBe('namespaces/a/services/b');
    expect(decodeDocumentEvent(bytes, { subject: 'documents/clusters/c1' }).documentPath).toBe('clusters/c1');
    expect(decodeDocumentEvent(bytes).documentPath).toBe('namespaces/ns1/services/web');
  });

  it('decodes an empty document', () => {
    const ev = decodeDocumentEvent(encode({ value: { name: NAME } }));
    expect(ev.value).toEqual({ name: NAME, fields: {} });
  });

  it('tolerates a trailing newline after base64 text', () => {
    const text = encode(shapes.delete).toString('base64') + '\n';
    expect(decodeDocumentEvent(Buffer.from(text)).kind).toBe('delete');
  });

  it('rejects garbage, empty data and JSON content', () => {
    expect(() => decodeDocumentEvent(Buffer.from([0xff, 0xff, 0xff]))).toThrow(DocumentEventDecodeError);
    expect(() => decodeDocumentEvent(Buffer.alloc(0))).toThrow(/neither value nor old_value/);
    expect(() => decodeDocumentEvent('{"value":{}}')).toThrow(DocumentEventDecodeError);
    expect(() => decodeDocumentEvent(encode(shapes.create), { datacontenttype: 'application/json' })).toThrow(/application\/protobuf/);
  });

  it('formats timestamps with the precision they carry', () => {
    expect(timestampToIso({ seconds: '0' })).toBe('1970-01-01T00:00:00.000Z');
    expect(timestampToIso({ seconds: 1, nanos: 1 })).toBe('1970-01-01T00:00:01.000000001Z');
    expect(timestampToIso({ seconds: '253402300799', nanos: 999_999_000 })).toBe('9999-12-31T23:59:59.999999Z');
  });
});

describe('CloudEvent helpers', () => {
  const ce = {
    id: 'e1',
    specversion: '1.0',
    type: 'google.cloud.firestore.document.v1.written',
    source: '//firestore.googleapis.com/projects/p1/databases/(default)',
    subject: 'documents/namespaces/ns1/services/web',
    document: 'namespaces/ns1/services/web',
    database: '(default)',
    datacontenttype: 'application/protobuf',
    data: Buffer.from(encode(shapes.update).toString('base64')),
  } as CloudEvent<unknown>;

  it('reads the Firestore attributes', () => {
    expect(firestoreEventAttributes(ce)).toEqual({
      id: 'e1',
      type: 'google.cloud.firestore.document.v1.written',
      source: '//firestore.googleapis.com/projects/p1/databases/(default)',
      subject: 'documents/namespaces/ns1/services/web',
      document: 'namespaces/ns1/services/web',
      database: '(default)',
      datacontenttype: 'application/protobuf',
    });
  });

  it('decodes the event data', () => {
    const ev = decodeFirestoreCloudEvent(ce);
    expect(ev.kind).toBe('update');
    expect(ev.documentPath).toBe('namespaces/ns1/services/web');
    expect(ev.attributes.id).toBe('e1');
    expect(() => decodeFirestoreCloudEvent({ ...ce, data: { value: {} } } as CloudEvent<unknown>)).toThrow(/no protobuf data/);
  });
});
