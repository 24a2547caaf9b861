/**
 * Decides how a Claude Code run ended: from the stream-json events first (`rate_limit_event`, the `result` event's
 * `is_error`, `api_error_status`, `api_error_type`, `errors`, `result`), then the exit code or signal, then text.
 *
 * Source: the failure shapes of Claude Code 2.1.330 recorded in shared CLI-FACTS and `test/fixtures/claude`.
 */
import type { ChildExit } from '../../turn/process.js';
import type { Classification } from '../backend.js';
import { errorTypeOfStatus } from '../http-status.js';
import type { EventSummary } from './events.js';
import { parseUsageLimitReset } from './reset-time.js';

/**
 * Classifies a finished run: `UsageLimit`, `SessionNotFound`, `ContextOverflow`, then by the API's status and error
 * type (`Authentication`, `Billing`, `InvalidRequest`, `ServerError`), `MaxOutputTokens`, else `Unknown`. Returns undefined when the run succeeded (a `result` event with `is_error: false`).
 * @param now the worker's clock, for reset times given as a wall-clock time without a date.
 */
export function classifyRun(summary: EventSummary, exit: ChildExit, now: Date): Classification | undefined {
  const result = summary.result;
  if (result && !result.is_error && exit.exitCode === 0) return undefined;

  const errors = (result?.errors ?? []).map((e) => (typeof e === 'string' ? e : JSON.stringify(e)));
  const text = [result?.result, ...errors, ...summary.textLines, exit.stderrTail]
    .filter((t) => t && t.trim())
    .join('\n');
  const message = firstLine([result?.result, ...errors, ...summary.textLines, exit.stderrTail]) ?? describeExit(exit);

  const limit = summary.rateLimit;
  if (limit?.status === 'rejected') {
    if (limit.resetsAt !== undefined) {
      return {
        type: 'UsageLimit',
        message,
        resetsAt: new Date(limit.resetsAt * 1000),
        resetSource: 'rate_limit_event',
      };
    }
    const fromText = parseUsageLimitReset(text, now);
    return { type: 'UsageLimit', message, resetsAt: fromText, resetSource: fromText ? 'text' : undefined };
  }
  const resetFromText = parseUsageLimitReset(text, now);
  if (resetFromText) return { type: 'UsageLimit', message, resetsAt: resetFromText, resetSource: 'text' };

  if (/No conversation found with session ID/i.test(text)) return { type: 'SessionNotFound', message };

  // A 400 "prompt is too long" that the CLI's own compaction could not cure (Claude Code 2.1.330 compacts and retries
  // once by itself; it gives up with terminal_reason "prompt_too_long" and "Prompt is too long · …"). Before the
  // status, which calls it InvalidRequest.
  if (result?.terminal_reason === 'prompt_too_long' || /prompt is too long/i.test(text)) {
    return { type: 'ContextOverflow', message };
  }

  const status = result?.api_error_status ?? undefined;
  const apiType = result?.api_error_type ?? undefined;
  const byStatus = status === undefined ? undefined : errorTypeOfStatus(status);
  if (byStatus === 'Authentication' || apiType === 'authentication_error' || apiType === 'permission_error') {
    return { type: 'Authentication', message };
  }
  if (byStatus === 'Billing' || apiType === 'billing_error' || /credit balance is too low|billing/i.test(text)) {
    return { type: 'Billing', message };
  }
  if (/Invalid API key|Please run \/login|OAuth token (has )?(expired|revoked)|Not logged in/i.test(text)) {
    return { type: 'Authentication', message };
  }
  if (byStatus === 'InvalidRequest' || apiType === 'invalid_request_error') return { type: 'InvalidRequest', message };
  if (/output token maximum|max_output_tokens|exceeded the \d+ output token/i.test(text)) {
    return { type: 'MaxOutputTokens', message };
  }
  if (
    byStatus === 'ServerError' ||
    apiType === 'overloaded_error' ||
    apiType === 'api_error' ||
    apiType === 'rate_limit_error' ||
    /ECONNREFUSED|ECONNRESET|ETIMEDOUT|Connection refused|connection error|socket hang up|overloaded/i.test(text)
  ) {
    return { type: 'ServerError', message, retryAfterMs: summary.apiRetries.at(-1)?.retry_delay_ms };
  }
  return { type: 'Unknown', message };
}

function firstLine(candidates: Array<string | undefined>): string | undefined {
  for (const candidate of candidates) {
    const line = candidate?.trim();
    if (line) return line;
  }
  return undefined;
}

function describeExit(exit: ChildExit): string {
  if (exit.signal) return `claude was killed by ${exit.signal} before it reported a result`;
  if (exit.exitCode === 0) return 'claude exited without a result event';
  return `claude exited with code ${exit.exitCode} without a result event`;
}
