/**
 * Reading one Claude Code run, spawned or on a live process: its stream-json events (progress, live items, approved
 * calls that ran), how it ended, and its result and transcript once it succeeded.
 */
import { homedir } from 'node:os';
import { ApplicationFailure } from '@temporalio/activity';
import type { RunInput, TurnResult } from '../../../common/conversation.js';
import { toolInputLine } from '../../turn/tool-input.js';
import { progressOf, type BackendTurn, type RanToolCall } from '../backend.js';
import { pendingOf, ranTracker } from './approvals.js';
import { classifyRun } from './classify.js';
import { emptySummary, LiveReader, summarize, type ResultEvent } from './events.js';
import { readTranscript } from './transcript.js';
import { runCost } from './warm.js';

/** Result subtypes of a run the conversation's own limits stopped (`--max-turns`, `--max-budget-usd`). */
const LIMIT_STOPS = new Set(['error_max_turns', 'error_max_budget_usd']);

/** What reads a run and its transcript, however the CLI runs: everything of a {@link BackendTurn} but the run. */
export type RunReader = Omit<BackendTurn, 'plan' | 'run' | 'close'>;

/**
 * Reading one run of `input`'s turn: its events, how it ended, and its transcript at `path`.
 * @param ran approved calls an earlier attempt of the turn ran (none on a live process).
 */
export function runReader(input: RunInput, path: string, env: NodeJS.ProcessEnv, ran: RanToolCall[]): RunReader {
  const summary = emptySummary();
  const tracker = ranTracker(input.decisions ?? [], ran);
  const live = new LiveReader();
  return {
    stream: {
      // Every line counts as progress: Claude Code prints nothing while it waits on the model or a tool.
      push: (line) => {
        const event = summarize(summary, line);
        tracker.see(event);
        live.read(event);
        return true;
      },
      takeLive: () => live.take(),
      progress: () => ({ ...progressOf(summary), ...(tracker.calls.length && { ran: tracker.calls }) }),
    },
    // A run its own limits stopped ended as asked: the turn completes, with its session, so the work is kept.
    classify: async (exit, now) =>
      summary.result && LIMIT_STOPS.has(summary.result.subtype) ? undefined : classifyRun(summary, exit, now),
    failureDetails: () => ({
      resultSubtype: summary.result?.subtype,
      apiErrorStatus: summary.result?.api_error_status,
    }),
    hungMessage: (ms) => `claude printed no event for ${ms / 1000} s and was killed`,
    async capture() {
      const transcript = await readTranscript(path);
      if (!transcript) {
        throw ApplicationFailure.create({
          type: 'Unknown',
          message: `claude reported success but wrote no transcript at ${path}`,
        });
      }
      const result = summary.result!;
      const turnResult: Omit<TurnResult, 'transcript'> = {
        reply: result.result || (LIMIT_STOPS.has(result.subtype) ? limitMessage(result) : ''),
        costUsd: runCost(result),
        usage: result.usage && {
          inputTokens: result.usage.input_tokens,
          outputTokens: result.usage.output_tokens,
          cacheCreationInputTokens: result.usage.cache_creation_input_tokens,
          cacheReadInputTokens: result.usage.cache_read_input_tokens,
        },
        durationMs: result.duration_ms,
        numTurns: result.num_turns,
        ...(result.permission_denials?.length && { denials: denialsOf(result) }),
        ...(result.structured_output != null && { structured: result.structured_output }),
      };
      const pending = pendingOf(result, input.options, env.HOME ?? homedir());
      if (pending) turnResult.pending = pending;
      return { transcript, result: turnResult };
    },
  };
}

/** The tool calls a run's `result` event says the CLI refused, each input on one line (not yet redacted). */
function denialsOf(result: ResultEvent): NonNullable<TurnResult['denials']> {
  return (result.permission_denials ?? []).map((d) => ({
    tool: d.tool_name,
    input: toolInputLine(d.tool_input) ?? '',
  }));
}

/** The CLI's own words for a limit stop, e.g. `Reached maximum number of turns (3)`. */
function limitMessage(result: ResultEvent): string {
  const errors = (result.errors ?? []).filter((e): e is string => typeof e === 'string');
  return errors.join('\n') || `stopped: ${result.subtype}`;
}
