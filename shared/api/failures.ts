/**
 * Every failure a request can meet, as the Status a client gets. Store conditions are the client's
 * to retry (429/503/504 with Retry-After, which client-go honours), an object too large to store is
 * the client's to fix (422); only what nobody foresaw is a 500, and its text stays in the log.
 */
import { ApiError, errors } from '../k8s/status';
import { DocumentTooLargeError, StoreContentionError, StoreError, StoreTimeoutError, StoreUnavailableError } from '../store/errors';

export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof DocumentTooLargeError) {
    return new ApiError(422, 'Invalid', `${err.resource} "${err.objectName}" is invalid: ${err.message}`, {
      name: err.objectName,
      kind: err.resource,
      causes: [{ reason: 'FieldValueTooLong', message: err.message }],
    });
  }
  if (err instanceof StoreContentionError) return errors.tooManyRequests(`${err.message}; retry shortly`, 1);
  if (err instanceof StoreUnavailableError) return errors.unavailable(`the store is unavailable (${err.message}); nothing was written`, 2);
  if (err instanceof StoreTimeoutError) {
    return errors.timeout(err.duringCommit ? `${err.message}` : `${err.message}; nothing was written`, 2);
  }
  return errors.internal('an internal error occurred; see the server log');
}

/** Whether the failure is one we answer for on purpose (not logged as unhandled). */
export function isExpected(err: unknown): boolean {
  return err instanceof ApiError || err instanceof StoreError;
}
