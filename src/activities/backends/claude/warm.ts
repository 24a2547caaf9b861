/**
 * Claude Code on a live process (warm sessions): `claude --print --input-format stream-json` started with the turn's
 * usual arguments keeps reading user messages from stdin, one JSON line each, and answers each with the events of one
 * run (`system` `init` … `result`), appending to the same transcript file.
 *
 * Observed with Claude Code 2.1.330 against the scripted model server: a message sent 1.5 s after the previous
 * `result` was answered in 40-55 ms (a fresh `--print --resume` spawn: 600-900 ms); the transcript file holds every
 * record of a run when its `result` event is printed and does not change while the process waits; `result` fields
 * are per run (`usage`, `num_turns`, `duration_ms`, `permission_denials`) except `total_cost_usd`, which adds up the
 * whole session (as it does on a `--resume`, from the transcript's cost records): the run's own cost is
 * `model_usage_since_last_result`; `/compact` works as a message too; closing stdin ends the process (exit 0) within
 * about 100 ms.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { z } from 'zod';
import type { McpServers } from '../../../common/agent-options.js';
import type { RunInput, TranscriptSegment } from '../../../common/conversation.js';
import type { HeldTranscript } from '../../warm/pool.js';
import type { RanToolCall } from '../backend.js';
import { needsHook } from './approvals.js';
import { parseEventLine, type ResultEvent } from './events.js';

/** The flag that keeps the CLI reading messages from stdin. */
export const LIVE_ARGS = ['--input-format', 'stream-json'];

/**
 * The fingerprint a live process must have for `input`'s turn to run on it: everything its arguments, files and
 * environment come from (the options with the cwd this worker resolved, the expanded MCP servers, the session, the
 * CLI's retries). Undefined when the turn does not fit a live process, and runs as a fresh `--print` process:
 * - a compaction, or a run that continues a paused turn (no new prompt: the CLI re-announces the paused call);
 * - a conversation with approval rules or decisions (the hook defers a call by ending the run);
 * - a turn with a budget cap (`--max-budget-usd` counts from the process's start), `--max-turns` or `--json-schema`
 *   (their bounds are the run's, not yet checked on a live process);
 * - a repo conversation (its checkout is made anew per turn);
 * - a prompt that starts with `/` (a slash command, run by `--print` as it always was).
 */
export function warmKey(
  input: RunInput,
  ran: readonly RanToolCall[],
  mcpServers: McpServers,
  cliMaxRetries: number,
): string | undefined {
  const { options } = input;
  if (input.kind === 'compact' || input.continues || needsHook(input, ran)) return undefined;
  if (input.remainingBudgetUsd !== undefined || options.maxTurns || options.jsonSchema || options.repo)
    return undefined;
  if (input.prompt.trimStart().startsWith('/')) return undefined;
  return createHash('sha256')
    .update(JSON.stringify([input.sessionId, options, mcpServers, cliMaxRetries]))
    .digest('hex');
}

/** `prompt` as the stdin line of a user message (`--input-format stream-json`). */
export function userMessage(prompt: string): string {
  return `${JSON.stringify({ type: 'user', message: { role: 'user', content: prompt } })}\n`;
}

/** Whether a stdout line is a run's `result` event: the end of a turn on a live process. */
export function isResultLine(line: string): boolean {
  return line.includes('"result"') && parseEventLine(line)?.type === 'result';
}

/**
 * The transcript at `path` when it is exactly the conversation's, else undefined. At once when the file is as the
 * last turn left it (`held`: size and modification time) and the conversation's segments are the ones that turn ended
 * with (stored segments are named by their SHA-256, inline ones hold their bytes); else by reading the conversation's
 * transcript (`read`: from history and the store, checked) and comparing sizes, then bytes.
 */
export async function sameTranscript(
  path: string,
  held: HeldTranscript | undefined,
  segments: TranscriptSegment[],
  read: () => Promise<Buffer>,
): Promise<Buffer | undefined> {
  const info = await stat(path).catch(() => undefined);
  if (!info) return undefined;
  const unchanged = held && held.bytes === info.size && held.mtimeMs === info.mtimeMs;
  if (unchanged && held.segments === JSON.stringify(segments)) {
    const file = await readFile(path);
    return file.length === held.bytes ? file : undefined;
  }
  const expected = await read();
  if (info.size !== expected.length) return undefined;
  const file = await readFile(path);
  return file.equals(expected) ? file : undefined;
}

/** What {@link sameTranscript} checks next time: the file at `path` now, and the conversation's `segments`. */
export async function heldTranscript(path: string, segments: TranscriptSegment[]): Promise<HeldTranscript | undefined> {
  const info = await stat(path).catch(() => undefined);
  return info && { segments: JSON.stringify(segments), bytes: info.size, mtimeMs: info.mtimeMs };
}

const SinceLastResult = z.record(z.string(), z.object({ costUSD: z.number() }).passthrough());

/**
 * What a run cost, US dollars: the sum of `model_usage_since_last_result` (the run's own, per model), else
 * `total_cost_usd` (which adds up every run of the session the CLI has seen).
 */
export function runCost(result: ResultEvent): number | undefined {
  const since = SinceLastResult.safeParse((result as Record<string, unknown>).model_usage_since_last_result);
  if (since.success && Object.keys(since.data).length > 0) {
    return Object.values(since.data).reduce((sum, m) => sum + m.costUSD, 0);
  }
  return result.total_cost_usd;
}
