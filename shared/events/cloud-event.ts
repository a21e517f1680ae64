/**
 * The CloudEvent side of a Firestore trigger: the attributes functions-framework parsed from the
 * binary-mode `ce-*` headers, and the decoded document event in one call.
 */
import type { CloudEvent } from '@google-cloud/functions-framework';
import { DocumentEvent, DocumentEventDecodeError, decodeDocumentEvent } from './document-event';

export interface FirestoreEventAttributes {
  readonly id: string;
  /** e.g. `google.cloud.firestore.document.v1.written`. */
  readonly type: string;
  readonly source: string;
  /** `documents/namespaces/x/services/y`. */
  readonly subject?: string;
  /** Firestore extension attribute: `namespaces/x/services/y`. */
  readonly document?: string;
  readonly database?: string;
  readonly namespace?: string;
  readonly project?: string;
  readonly location?: string;
  readonly time?: string;
  readonly datacontenttype?: string;
}

const OPTIONAL = ['subject', 'document', 'database', 'namespace', 'project', 'location', 'time', 'datacontenttype'] as const;

export function firestoreEventAttributes(ce: CloudEvent<unknown>): FirestoreEventAttributes {
  const out: Record<string, string> = { id: String(ce.id), type: String(ce.type), source: String(ce.source) };
  const bag = ce as unknown as Record<string, unknown>;
  for (const k of OPTIONAL) {
    const v = bag[k];
    if (typeof v === 'string') out[k] = v;
  }
  return out as unknown as FirestoreEventAttributes;
}

/** Decodes the CloudEvent a Firestore trigger delivered (functions-framework hands `data` over as a Buffer). */
export function decodeFirestoreCloudEvent(ce: CloudEvent<unknown>): DocumentEvent & { readonly attributes: FirestoreEventAttributes } {
  const attributes = firestoreEventAttributes(ce);
  const data = ce.data;
  if (!(typeof data === 'string' || data instanceof Uint8Array)) {
    throw new DocumentEventDecodeError(`event ${attributes.id} has no protobuf data (got ${data === null ? 'null' : typeof data})`);
  }
  return { ...decodeDocumentEvent(data, attributes as unknown as Record<string, unknown>), attributes };
}
