/**
 * The object store port. Every write is a transaction over one document: the callback sees the
 * current stored record (or undefined) and decides what to write, so read-modify-write can never
 * interleave. The store assigns `metadata.resourceVersion`.
 */
import { KubeObject } from '../model/meta';
import { ObjectKey, ResourceName } from './layout';

/** A stored record: the API object plus server-only fields that are never returned. */
export interface StoredRecord<T extends KubeObject = KubeObject> {
  readonly object: T;
  readonly internal?: Readonly<Record<string, unknown>>;
}

export type TransactResult<T extends KubeObject> = { readonly write: StoredRecord<T> } | { readonly delete: true } | { readonly none: true };

export interface ObjectStore {
  get<T extends KubeObject>(resource: ResourceName, key: ObjectKey): Promise<StoredRecord<T> | undefined>;
  /** All objects of a resource, in one namespace or (namespace undefined) all of them. */
  list<T extends KubeObject>(resource: ResourceName, namespace?: string): Promise<StoredRecord<T>[]>;
  /**
   * One page of a list in key order: up to `limit` records after the key `after` (a `key` of an
   * earlier page), each with its key, and whether more follow.
   */
  listPage<T extends KubeObject>(
    resource: ResourceName,
    namespace: string | undefined,
    page: { limit: number; after?: string },
  ): Promise<{ records: { key: string; record: StoredRecord<T> }[]; more: boolean }>;
  /** How many records follow the key `after` (all of them without it). */
  countAfter(resource: ResourceName, namespace: string | undefined, after?: string): Promise<number>;
  /**
   * Runs `decide` on the current record inside a transaction and applies its result. `decide` may
   * throw (e.g. an ApiError): nothing is written. Returns the record as written, or as it was.
   */
  transact<T extends KubeObject>(
    resource: ResourceName,
    key: ObjectKey,
    decide: (current: StoredRecord<T> | undefined) => TransactResult<T> | Promise<TransactResult<T>>,
  ): Promise<StoredRecord<T> | undefined>;
  /** Objects deleted recently (kept a few minutes), so a watch that starts late still sees DELETED. */
  deletedSince<T extends KubeObject>(resource: ResourceName, resourceVersion: number): Promise<T[]>;
}

/** Next resourceVersion: strictly greater than the last, and time-based so it never repeats after a delete/re-create. */
export function nextResourceVersion(previous: string | undefined, nowMicros: number): string {
  const prev = previous && /^[0-9]+$/.test(previous) ? Number(previous) : 0;
  return String(Math.max(prev + 1, nowMicros));
}
