/**
 * The turn error type of a model API's HTTP status, the same for every backend (both classifiers read it; each checks
 * its CLI's own signals, such as error type names in the body or a 429's `retry-after`, around it).
 */
import type { TurnErrorType } from '../../common/errors.js';

/**
 * What an HTTP status of a failed model API call says about the turn:
 * - 401, 403 → `Authentication`;
 * - 402 → `Billing`;
 * - 408, 409, 429 and 5xx (529 overloaded included) → `ServerError` (worth retrying: the API is busy, limited, down);
 * - any other 4xx → `InvalidRequest` (the same request would fail again);
 * - anything else (1xx-3xx) → undefined: the status says nothing.
 */
export function errorTypeOfStatus(
  status: number,
): Extract<TurnErrorType, 'Authentication' | 'Billing' | 'InvalidRequest' | 'ServerError'> | undefined {
  if (status === 401 || status === 403) return 'Authentication';
  if (status === 402) return 'Billing';
  if (retryableStatus(status)) return 'ServerError';
  if (status >= 400 && status < 500) return 'InvalidRequest';
  return undefined;
}

/** Statuses worth retrying (the AI SDK's choice too, so opencode retries them itself): 408, 409, 429 and 5xx. */
export function retryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}
