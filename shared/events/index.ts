/** Firestore document events delivered by Eventarc (or the emulator): decoding and CloudEvent attributes. */
export { decodeDocumentEvent, DocumentEventDecodeError, GeoPoint, pathBelowDocuments, timestampToIso } from './document-event';
export type { DocumentChangeKind, DocumentEvent, EventAttributesLike, EventDocument, FieldMap, FieldValue } from './document-event';
export { decodeFirestoreCloudEvent, firestoreEventAttributes } from './cloud-event';
export type { FirestoreEventAttributes } from './cloud-event';
