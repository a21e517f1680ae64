/**
 * What can go wrong in the store, as classes callers branch on (the API turns each into a Status):
 * the store not answering (503), the deadline passing (504), too many writers on one object (429),
 * and an object too large to store (422). Firestore's gRPC errors are classified here, once.
 */
import { SkyfedError, StoreErrorReason } from '../errors';

export abstract class StoreError extends SkyfedError<StoreErrorReason> {
  override readonly name: string = 'StoreError';
}

/** The store refused the connection or answered UNAVAILABLE: nothing was written. */
export class StoreUnavailableError extends StoreError {
  override readonly name = 'StoreUnavailableError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('StoreUnavailable', message, options);
  }
}

/** The store did not answer in time. A write that timed out during its commit may or may not have landed. */
export class StoreTimeoutError extends StoreError {
  override readonly name = 'StoreTimeoutError';
  constructor(
    message: string,
    readonly duringCommit = false,
    options?: { cause?: unknown },
  ) {
    super('StoreTimeout', message, options);
  }
}

/** Concurrent writes to one object kept aborting each other past the retry budget: nothing was written. */
export class StoreContentionError extends StoreError {
  override readonly name = 'StoreContentionError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('StoreContention', message, options);
  }
}

/** The stored document would exceed the store's size limit: nothing was written. */
export class DocumentTooLargeError extends StoreError {
  override readonly name = 'DocumentTooLargeError';
  constructor(
    readonly resource: string,
    readonly objectName: string,
    readonly bytes: number,
    readonly limit: number,
  ) {
    super('DocumentTooLarge', `the stored ${resource} "${objectName}" would take about ${bytes} bytes; the limit is ${limit} bytes`);
  }
}

/** gRPC status codes the Firestore client reports in `error.code`. */
const GRPC = { DEADLINE_EXCEEDED: 4, RESOURCE_EXHAUSTED: 8, ABORTED: 10, UNAVAILABLE: 14, CANCELLED: 1 } as const;

export type StoreFailure = 'contention' | 'unavailable' | 'timeout' | 'other';

export function classify(e: unknown): StoreFailure {
  const code = (e as { code?: unknown } | null)?.code;
  if (code === GRPC.ABORTED || code === GRPC.RESOURCE_EXHAUSTED || code === 409) return 'contention';
  if (code === GRPC.UNAVAILABLE || code === GRPC.CANCELLED) return 'unavailable';
  if (code === GRPC.DEADLINE_EXCEEDED) return 'timeout';
  return 'other';
}

/** The store-level error for a client-library failure, or the failure itself when it is none of ours. */
export function storeErrorOf(e: unknown, what: string): unknown {
  if (e instanceof StoreError) return e;
  switch (classify(e)) {
    case 'contention':
      return new StoreContentionError(`${what}: too many concurrent writers`, { cause: e });
    case 'unavailable':
      return new StoreUnavailableError(`${what}: the store is not reachable`, { cause: e });
    case 'timeout':
      return new StoreTimeoutError(`${what}: the store did not answer in time`, false, { cause: e });
    default:
      return e;
  }
}
