/**
 * Decides how an opencode run ended. opencode can exit 0 on failure, so the exit code is the last thing read: first
 * the structured `error` events of the run (and, when there is none, the error recorded on the last assistant message
 * of the session export, or the model API failure Convo's relay saw), then the finish reason, then the exit and
 * stderr.
 *
 * Source: the failure shapes of opencode 1.18.33 recorded in `test/fixtures/opencode` (`npm run
 * record-opencode-fixtures`) and shared CLI-FACTS. opencode's API errors come from the AI SDK (`APIError` with
 * `statusCode`, `isRetryable`, `responseHeaders`, `responseBody`), its own errors are named (`ProviderAuthError`,
 * `MessageOutputLengthError`, `ContextOverflowError`, `MessageAbortedError`, `UnknownError`). HTTP statuses map as
 * for every backend (`../http-status.ts`), except a 429's `retry-after`, which makes it a usage limit.
 */
import { stripVTControlCharacters } from 'node:util';
import type { Classification } from '../backend.js';
import { errorTypeOfStatus, retryableStatus } from '../http-status.js';
import type { ChildExit } from '../../turn/process.js';
import type { OpencodeError, EventSummary } from './events.js';
import type { RelayedFailure } from './relay.js';

/** A model API failure, from opencode's error or from the relay: what classification needs of it. */
export interface ApiFailure {
  /** opencode's error name (`APIError`, …); `RelayedResponse` for what the relay saw. */
  name: string;
  /** The API's (or opencode's) own message. */
  message: string;
  /** HTTP status, when there was a response. */
  status?: number;
  /** Lower-cased response headers (`retry-after`, `retry-after-ms`, …). */
  headers: Record<string, string>;
  /** The response body, when known (error type names such as `billing_error`, `insufficient_quota` are read there). */
  body?: string;
  /** Whether the failure is worth retrying as the CLI saw it (AI SDK: 408, 409, 429, 5xx, network errors). */
  retryable?: boolean;
}

/** The {@link ApiFailure} of an opencode error object. */
export function apiFailureOf(error: OpencodeError): ApiFailure {
  const data = error.data ?? {};
  return {
    name: error.name,
    message: data.message?.trim() || error.name,
    status: data.statusCode,
    headers: lowerCaseKeys(data.responseHeaders ?? {}),
    body: data.responseBody,
    retryable: data.isRetryable,
  };
}

/** The {@link ApiFailure} of a failure the relay saw. */
export function apiFailureOfRelayed(f: RelayedFailure): ApiFailure {
  return {
    name: 'RelayedResponse',
    message: f.message,
    status: f.unreachable ? undefined : f.status,
    headers: f.headers,
    body: f.body,
    retryable: f.unreachable || retryableStatus(f.status),
  };
}

/** A 400's message that says the prompt does not fit the context window (as opencode 1.18.33 tests it). */
const CONTEXT_OVERFLOW = /prompt is too long|prompt too long|context overflow|tokens[^\n]*maximum/i;

/** Whether a model API failure says the prompt does not fit the model's context window. */
export function isContextOverflow(failure: { status?: number; message: string }): boolean {
  return failure.status === 400 && CONTEXT_OVERFLOW.test(failure.message);
}

/**
 * Classifies an API failure.
 * - `ProviderAuthError`, 401, 403 → `Authentication`;
 * - 402, or a body naming a billing problem (`billing_error`, `insufficient_quota`, "credit balance") → `Billing`;
 * - 429 with `retry-after-ms` / `retry-after` (seconds or an HTTP date) → `UsageLimit` until then (the account waits
 *   on a durable timer); 429 without → `ServerError` (Temporal's backoff);
 * - `ContextOverflowError`, or a 400 saying the prompt is too long → `ContextOverflow`;
 * - other 4xx, "Model not found" → `InvalidRequest`;
 * - `MessageOutputLengthError` → `MaxOutputTokens`;
 * - 408, 409, 5xx (529 overloaded included), or retryable without a status (connection errors) → `ServerError`;
 * - anything else → `Unknown`.
 * @param now the worker's clock: a reset time is `now` + the delay the API asked for.
 */
export function classifyApiFailure(failure: ApiFailure, now: Date): Classification {
  const { name, status, headers } = failure;
  const message = status !== undefined ? `API Error: ${status} ${failure.message}` : failure.message;
  const text = `${failure.message}\n${failure.body ?? ''}`;
  const byStatus = status === undefined ? undefined : errorTypeOfStatus(status);
  if (
    name === 'ProviderAuthError' ||
    byStatus === 'Authentication' ||
    /authentication_error|permission_error/.test(failure.body ?? '')
  ) {
    return { type: 'Authentication', message };
  }
  if (byStatus === 'Billing' || /billing_error|insufficient_quota|credit balance is too low/i.test(text))
    return { type: 'Billing', message };
  if (status === 429) {
    const delayMs = retryAfterMs(headers, now);
    if (delayMs !== undefined) {
      return { type: 'UsageLimit', message, resetsAt: new Date(now.getTime() + delayMs), resetSource: 'retry-after' };
    }
    return { type: 'ServerError', message };
  }
  // opencode's own test for a context overflow (1.18.33: a 400 whose message says "prompt is too long", "prompt too
  // long", "context overflow", or "tokens" and "maximum"); it compacts and retries by itself first unless
  // compaction.auto is false. Before the status, which calls it InvalidRequest.
  if (name === 'ContextOverflowError' || isContextOverflow({ status, message: text })) {
    return { type: 'ContextOverflow', message };
  }
  if (name === 'MessageOutputLengthError') return { type: 'MaxOutputTokens', message };
  if (/model not found/i.test(failure.message)) return { type: 'InvalidRequest', message };
  if (byStatus === 'InvalidRequest') return { type: 'InvalidRequest', message };
  if (byStatus === 'ServerError' || (status === undefined && failure.retryable)) {
    return { type: 'ServerError', message, retryAfterMs: retryAfterMs(headers, now) };
  }
  return { type: 'Unknown', message };
}

/**
 * The delay a response asks for: `retry-after-ms` (ms), else `retry-after` as seconds or as an HTTP date. Rounded up
 * to whole ms; never negative.
 * @returns undefined when neither header is there or parses.
 */
export function retryAfterMs(headers: Record<string, string>, now: Date): number | undefined {
  const ms = Number.parseFloat(headers['retry-after-ms'] ?? '');
  if (Number.isFinite(ms)) return Math.max(0, Math.ceil(ms));
  const value = headers['retry-after']?.trim();
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds * 1000));
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now.getTime());
}

/**
 * Classifies a finished run. Returns undefined when it succeeded: no error, exit code 0, at least one model call and
 * a last finish reason other than `length` and `unknown`.
 * @param exportError the error on the last assistant message of the session export, when the run printed none.
 * @param relayed the last model API failure the relay saw on the main loop, when the run printed no error.
 */
export function classifyRun(
  summary: EventSummary,
  exit: ChildExit,
  now: Date,
  exportError?: OpencodeError,
  relayed?: ApiFailure,
): Classification | undefined {
  const error = summary.errors[0] ?? exportError;
  if (error) return classifyApiFailure(apiFailureOf(error), now);
  if (relayed) return classifyApiFailure(relayed, now);

  const stderr = stripAnsi(exit.stderrTail);
  if (/Session not found/i.test(stderr))
    return { type: 'SessionNotFound', message: firstLine(stderr) ?? 'Session not found' };
  if (exit.signal) return { type: 'Unknown', message: `opencode was killed by ${exit.signal} before it finished` };
  if (exit.exitCode !== 0) {
    return {
      type: 'Unknown',
      message: firstLine([...summary.textLines, stderr].join('\n')) ?? `opencode exited with code ${exit.exitCode}`,
    };
  }
  if (summary.steps === 0) {
    return {
      type: 'Unknown',
      message: firstLine([...summary.textLines, stderr].join('\n')) ?? 'opencode exited without calling the model',
    };
  }
  if (summary.lastFinishReason === 'length') {
    return {
      type: 'MaxOutputTokens',
      message: 'the reply stopped at the output token maximum (opencode finish reason "length")',
    };
  }
  if (summary.lastFinishReason === 'unknown') {
    return { type: 'Unknown', message: 'the model reply could not be read (opencode finish reason "unknown")' };
  }
  return undefined;
}

/** The text without ANSI colour codes (opencode colours its stderr): Node's own `stripVTControlCharacters`. */
export const stripAnsi = stripVTControlCharacters;

function firstLine(text: string): string | undefined {
  return text
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l !== '');
}

function lowerCaseKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}
