/**
 * The conversation workflow: one per conversation, workflow id = conversation id. It owns the session id and the
 * session transcript, and runs turns one at a time, in arrival order, each as a `runTurn` activity on whichever
 * worker picks it up. How a failed turn is handled:
 * - `UsageLimit`: the account pauses until the reset time (a durable timer), then the same turn runs again;
 * - `Authentication`, `Billing`: the conversation waits for `resume` (run the turn again) or `skip` (fail it);
 * - anything else that Temporal's retries did not heal: the turn fails; the conversation goes on.
 */
import {
  ActivityCancellationType,
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  CancellationScope,
  isCancellation,
  log,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  sleep,
  upsertSearchAttributes,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import {
  ConversationOptions,
  promptProblem,
  segmentBytes,
  type ConversationOptionsInput,
  type TranscriptSegment,
  type ConversationState,
  type TurnRecord,
  type TurnReply,
} from '../common/conversation.js';
import {
  ConversationAccountKey,
  ConversationBackendKey,
  ConversationStatusKey,
  RateLimitedUntilKey,
  TurnCountKey,
} from '../common/search-attributes.js';
import { excerpt, firstLines, roughDuration, utcTime } from '../common/text.js';
import { NON_RETRYABLE_ERROR_TYPES, isTurnErrorType, type TurnError, type TurnFailureDetails } from '../common/errors.js';
import {
  accountPausedSignal,
  accountWorkflowId,
  askUpdate,
  cancelTurnUpdate,
  closeSignal,
  leaveAccountSignal,
  resumeSignal,
  sendTurnSignal,
  skipSignal,
  stateQuery,
  transcriptQuery,
  usageLimitSignal,
  type AccountPause,
} from './messages.js';

// A turn is an agent run that may take many minutes, so the start-to-close bound is generous; the activity
// heartbeats every few seconds, so a dead worker is noticed after 30 s and the turn moves to another worker.
// Retries are Temporal's (the CLI's own are turned off): backoff from 5 s to 5 min, and only for error types that
// a retry can heal.
// `convo cancel` waits until the CLI is really killed (the activity sees the cancellation on its next heartbeat).
const { runTurn } = proxyActivities<Activities>({
  startToCloseTimeout: '2 hours',
  heartbeatTimeout: '30 seconds',
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  retry: {
    initialInterval: '5 seconds',
    backoffCoefficient: 2,
    maximumInterval: '5 minutes',
    maximumAttempts: 6,
    nonRetryableErrorTypes: [...NON_RETRYABLE_ERROR_TYPES],
  },
});

// Joining the account is one signal-with-start against the Temporal frontend: seconds at most.
const { joinAccount } = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds' });

/** What a conversation carries into its next run when it continues as new. */
export interface ConversationCarry {
  sessionId: string;
  turns: TurnRecord[];
  transcript: TranscriptSegment[];
  closing: boolean;
  pause?: AccountPause;
}

/**
 * Only the latest turns keep their whole prompt and reply in workflow state; older ones keep an excerpt, so that the
 * `state` query and the state carried across continue-as-new stay far below Temporal's 2 MiB payload limit.
 */
export const FULL_TURNS_KEPT = 20;
const EXCERPT_CHARS = 500;

/** Wait this long past a reset time before running the turn again: resets are announced to the minute. */
export const RESET_MARGIN_MS = 2_000;
/** A usage limit whose reset time could not be read pauses the account this long. */
export const UNKNOWN_RESET_PAUSE_MS = 15 * 60_000;

/**
 * Runs a conversation until it is closed.
 * @param rawOptions the conversation's set-up; validated here (a bad one fails the workflow with `InvalidOptions`).
 * @param carried the state of the previous run, when this run continues one as new.
 * @returns the final state, with status `closed`.
 */
export async function conversationWorkflow(
  rawOptions: ConversationOptionsInput,
  carried?: ConversationCarry,
): Promise<ConversationState> {
  const parsed = ConversationOptions.safeParse(rawOptions);
  if (!parsed.success) {
    throw ApplicationFailure.nonRetryable(`invalid conversation options: ${parsed.error.message}`, 'InvalidOptions');
  }
  const options = parsed.data;
  const id = workflowInfo().workflowId;
  const sessionId = carried?.sessionId ?? uuid4();
  const turns: TurnRecord[] = carried?.turns ?? [];
  // Turns carried as running were interrupted by nothing (runs only end between turns): they are queued ones.
  const queue: TurnRecord[] = turns.filter((t) => t.status === 'queued' || t.status === 'running');
  let transcript: TranscriptSegment[] = carried?.transcript ?? [];
  let closing = carried?.closing ?? false;
  let finished = false;
  let pause: AccountPause | undefined = carried?.pause;
  // Turns an `ask` update is waiting on; continue-as-new waits until none is queued.
  const awaited = new Set<TurnRecord>();
  let waitingOnPause = false;
  let attention: TurnError | undefined;
  let decision: 'resume' | 'skip' | undefined;
  // The turn being worked on (running, waiting out a usage limit, or waiting for attention) and its scope.
  let current: { turn: TurnRecord; scope: CancellationScope } | undefined;

  const paused = (): boolean => pause !== undefined && Date.parse(pause.until) > Date.now();
  const status = (): ConversationState['status'] => {
    if (finished) return 'closed';
    if (attention) return 'needs_attention';
    if (waitingOnPause) return 'rate_limited';
    return queue.length > 0 || turns.some((t) => t.status === 'running') ? 'running' : 'idle';
  };
  const state = (): ConversationState => ({
    id,
    status: status(),
    backend: options.backend,
    account: options.account,
    cwd: options.cwd,
    title: options.title,
    model: options.model,
    sessionId,
    closing,
    turns,
    transcriptBytes: transcript.reduce((n, s) => n + segmentBytes(s), 0),
    rateLimitedUntil: paused() ? pause!.until : undefined,
    rateLimitMessage: paused() ? pause!.message : undefined,
    attention,
  });

  const enqueue = (prompt: string): TurnRecord => {
    const turn: TurnRecord = { index: turns.length, prompt, status: 'queued', queuedAt: new Date().toISOString() };
    turns.push(turn);
    queue.push(turn);
    return turn;
  };
  const extendPause = (next: AccountPause): void => {
    if (!pause || Date.parse(next.until) > Date.parse(pause.until)) pause = next;
  };

  setHandler(stateQuery, state);
  setHandler(transcriptQuery, () => transcript);
  setHandler(sendTurnSignal, (prompt) => {
    // Signals cannot be refused; the client checks prompts before sending, so this only drops what bypassed it.
    const problem = closing ? 'conversation is closed' : promptProblem(prompt);
    if (problem) log.warn('sendTurn signal dropped', { problem });
    else enqueue(prompt);
  });
  setHandler(
    askUpdate,
    async (prompt): Promise<TurnReply> => {
      const turn = enqueue(prompt);
      awaited.add(turn);
      await condition(() => turn.status === 'completed' || turn.status === 'failed');
      if (turn.error) {
        throw ApplicationFailure.create({ type: turn.error.type, message: turn.error.message, nonRetryable: true });
      }
      return { index: turn.index, reply: turn.reply ?? '', costUsd: turn.costUsd, durationMs: turn.durationMs };
    },
    {
      validator: (prompt) => {
        const problem = closing ? 'conversation is closed' : promptProblem(prompt);
        if (problem) throw new Error(problem);
      },
    },
  );
  setHandler(closeSignal, () => {
    closing = true;
  });
  setHandler(accountPausedSignal, extendPause);
  setHandler(resumeSignal, () => {
    if (attention) decision = 'resume';
  });
  setHandler(skipSignal, () => {
    if (attention) decision = 'skip';
  });
  setHandler(
    cancelTurnUpdate,
    () => {
      current!.scope.cancel();
      return current!.turn.index;
    },
    {
      validator: () => {
        if (!current) throw new Error('no turn is running or waiting');
      },
    },
  );

  if (!carried) await joinAccount(options.account, id);

  /** Sleeps on durable timers until the account's pause is over (it may be extended while sleeping). */
  const waitOutPause = async (): Promise<void> => {
    while (paused()) {
      waitingOnPause = true;
      await sleep(Date.parse(pause!.until) - Date.now() + RESET_MARGIN_MS, {
        summary: `usage limit: until ${utcTime(pause!.until, new Date())}`,
      });
    }
    waitingOnPause = false;
  };

  /** Runs a turn until it completes, fails for good, or is skipped. */
  const runOne = async (turn: TurnRecord): Promise<void> => {
    for (;;) {
      await waitOutPause();
      turn.status = 'running';
      turn.startedAt = new Date().toISOString();
      try {
        const result = await runTurn.executeWithOptions({ summary: `turn ${turn.index + 1}: ${excerpt(turn.prompt, 60)}` }, [
          { conversationId: id, turnIndex: turn.index, sessionId, prompt: turn.prompt, options, transcript },
        ]);
        const { mode, segments } = result.transcript;
        transcript = mode === 'append' ? [...transcript, ...segments] : segments;
        Object.assign(turn, { status: 'completed', reply: result.reply, costUsd: result.costUsd, usage: result.usage, durationMs: result.durationMs });
        turn.endedAt = new Date().toISOString();
        return;
      } catch (err) {
        if (isCancellation(err)) throw err;
        const { error, details } = turnError(err);
        if (error.type === 'UsageLimit') {
          const until = details?.resetsAt ?? new Date(Date.now() + UNKNOWN_RESET_PAUSE_MS).toISOString();
          const refusal: AccountPause = { until, message: error.message, by: id };
          extendPause(refusal);
          log.warn('usage limit: pausing until the reset time', { turn: turn.index, until });
          await getExternalWorkflowHandle(accountWorkflowId(options.account))
            .signal(usageLimitSignal, refusal)
            .catch((e: unknown) => log.warn('could not tell the account about the usage limit', { error: String(e) }));
          turn.status = 'queued';
          continue;
        }
        if (error.type === 'Authentication' || error.type === 'Billing') {
          attention = error;
          turn.status = 'queued';
          log.warn('turn needs attention: waiting for resume or skip', { turn: turn.index, ...error });
          await condition(() => decision !== undefined);
          const skip = decision === 'skip';
          attention = undefined;
          decision = undefined;
          if (!skip) continue;
        }
        turn.status = 'failed';
        turn.error = error;
        turn.endedAt = new Date().toISOString();
        log.warn('turn failed', { turn: turn.index, ...error });
        return;
      }
    }
  };

  /** Runs a turn in a scope of its own, so that `cancelTurn` ends it (and its CLI) without touching the rest. */
  const runCancellable = async (turn: TurnRecord): Promise<void> => {
    const scope = new CancellationScope();
    current = { turn, scope };
    try {
      await scope.run(() => runOne(turn));
    } catch (err) {
      if (!isCancellation(err)) throw err;
      Object.assign(turn, { status: 'failed', error: { type: 'Cancelled', message: 'turn cancelled' }, endedAt: new Date().toISOString() });
      log.info('turn cancelled', { turn: turn.index });
    } finally {
      current = undefined;
      attention = undefined;
      decision = undefined;
      waitingOnPause = false;
    }
  };

  // What the Web UI shows: search attributes (indexed, for filtering) change only when the status, the turn count or
  // the reset time does, as each change is a history event; the current details are cheap (no event) and follow
  // every change of the state. Gated by a patch so that conversations started by an older Convo replay unchanged.
  const visible = patched('convo-visibility');
  // While a turn runs, a timer wakes the workflow every `detailsRefreshS` to refresh the elapsed time in the current
  // details (nothing else can: a query sees the time of the last workflow task). A patch of its own, as it adds timers.
  const refreshMs = visible && options.detailsRefreshS > 0 && patched('convo-elapsed') ? options.detailsRefreshS * 1000 : 0;
  // Search attributes are kept only on conversations started with them (as ConvoClient.start does), which proves the
  // namespace knows them: upserting an unknown one would fail every workflow task of the conversation.
  const indexed = workflowInfo().typedSearchAttributes.get(ConversationStatusKey) !== undefined;
  let published = '';
  const publish = (): void => {
    const s = state();
    const until = waitingOnPause && s.rateLimitedUntil ? new Date(s.rateLimitedUntil) : null;
    const key = JSON.stringify([s.status, turns.length, until]);
    if (indexed && key !== published) {
      published = key;
      upsertSearchAttributes([
        { key: ConversationStatusKey, value: s.status },
        { key: ConversationBackendKey, value: s.backend },
        { key: ConversationAccountKey, value: s.account },
        { key: TurnCountKey, value: turns.length },
        { key: RateLimitedUntilKey, value: until },
      ]);
    }
    setCurrentDetails(currentDetails(s, new Date()));
  };
  const changes = (): string =>
    JSON.stringify([status(), turns.length, pause?.until, waitingOnPause, current?.turn.index, current?.turn.status, attention?.type]);
  if (visible) {
    void (async () => {
      for (;;) {
        const seen = changes();
        publish();
        if (refreshMs > 0 && current?.turn.status === 'running') {
          await conditionOrTimer(() => changes() !== seen, refreshMs, `refresh current details: turn ${current.turn.index + 1} running`);
        } else await condition(() => changes() !== seen);
      }
    })();
  }

  // Continue as new only between turns and with no ask waiting on a queued turn, so that nothing is in flight:
  // queued turns travel in the carried state; signals and updates that arrive later go to the new run.
  let turnsThisRun = 0;
  const historyFull = (): boolean =>
    turnsThisRun > 0 && (workflowInfo().continueAsNewSuggested || workflowInfo().historySize > options.historyLimitBytes);
  const askQueued = (): boolean => awaited.size > 0;
  for (;;) {
    await condition(() => queue.length > 0 || closing || historyFull());
    if (historyFull() && !askQueued() && !(closing && queue.length === 0)) {
      // Let the handlers of asks whose turns just ended return their replies first.
      await condition(() => allHandlersFinished() || askQueued());
      if (!askQueued()) {
        await continueAsNew<typeof conversationWorkflow>(options, {
          sessionId,
          turns,
          transcript,
          closing,
          pause: paused() ? pause : undefined,
        });
      }
    }
    const turn = queue[0];
    if (!turn) break;
    await runCancellable(turn);
    awaited.delete(turn);
    const old = turns[turn.index - FULL_TURNS_KEPT];
    if (old) turns[old.index] = truncateTurn(old);
    queue.shift();
    turnsThisRun++;
  }
  finished = true;
  if (visible) publish();
  await getExternalWorkflowHandle(accountWorkflowId(options.account))
    .signal(leaveAccountSignal, id)
    .catch((err: unknown) => log.info('account already gone', { error: String(err) }));
  await condition(allHandlersFinished);
  return state();
}

/**
 * Waits until `fn` is true or `ms` have passed, on a timer named `summary` for the Web UI's timeline (which a
 * `condition` with a timeout cannot name); the timer is cancelled when `fn` comes first.
 */
async function conditionOrTimer(fn: () => boolean, ms: number, summary: string): Promise<void> {
  const scope = new CancellationScope();
  try {
    await scope.run(() => Promise.race([condition(fn), sleep(ms, { summary })]));
  } finally {
    scope.cancel();
  }
}

/**
 * The turn error carried by an activity failure: its `ApplicationFailure` type, message and details when it has
 * them. Matches on `type` and `name`, not `instanceof`, as failures are rebuilt across the sandbox boundary.
 */
function turnError(err: unknown): { error: TurnError; details?: TurnFailureDetails } {
  const cause = (err as { cause?: unknown } | undefined)?.cause ?? err;
  const failure = cause as { type?: unknown; name?: unknown; message?: unknown; timeoutType?: unknown; details?: unknown[] };
  const message = typeof failure?.message === 'string' ? failure.message : String(cause);
  if (isTurnErrorType(failure?.type)) {
    return { error: { type: failure.type, message }, details: failure.details?.[0] as TurnFailureDetails | undefined };
  }
  if (failure?.name === 'TimeoutFailure') {
    return { error: { type: 'Unknown', message: `turn timed out (${String(failure.timeoutType)}): the worker running it stopped answering` } };
  }
  return { error: { type: 'Unknown', message } };
}

/**
 * The current details the Web UI shows on a conversation's page (Markdown): status, the running turn's prompt,
 * elapsed time (as of `now`, the workflow's time) and start time, the last reply's first lines, the reset time while
 * rate-limited, the reason while it needs attention.
 */
export function currentDetails(s: ConversationState, now: Date): string {
  const lines = [`**${s.status}** · ${s.turns.length} turn${s.turns.length === 1 ? '' : 's'} · backend ${s.backend} · account ${s.account}`];
  if (s.title) lines.unshift(`### ${s.title}`);
  if (s.status === 'rate_limited' && s.rateLimitedUntil) {
    lines.push(`Usage limit: sleeping until **${utcTime(s.rateLimitedUntil, now)}** (${s.rateLimitedUntil}). ${s.rateLimitMessage ?? ''}`.trim());
  }
  if (s.attention) {
    lines.push(`Needs attention: **${s.attention.type}**: ${s.attention.message}`);
    lines.push(`Fix it, then \`convo resume ${s.id}\` (or \`convo skip ${s.id}\`).`);
  }
  const running = s.turns.find((t) => t.status === 'running');
  if (running) {
    const since = running.startedAt ?? running.queuedAt;
    const elapsedMs = now.getTime() - Date.parse(since);
    const took = elapsedMs >= 1000 ? ` for ${roughDuration(elapsedMs)}` : '';
    lines.push(`Running turn ${running.index + 1}${took} (since ${utcTime(since, now)}): ${excerpt(running.prompt, 200)}`);
  }
  const queued = s.turns.filter((t) => t.status === 'queued').length - (s.status === 'rate_limited' || s.attention ? 1 : 0);
  if (queued > 0) lines.push(`${queued} more turn${queued === 1 ? '' : 's'} queued`);
  const last = [...s.turns].reverse().find((t) => t.status === 'completed' || t.status === 'failed');
  if (last?.reply) lines.push(`Last reply (turn ${last.index + 1}):`, firstLines(last.reply, 3, 160).replace(/^/gm, '> '));
  else if (last?.error) lines.push(`Turn ${last.index + 1} failed: ${last.error.type}: ${excerpt(last.error.message, 200)}`);
  // One paragraph per line in the Web UI's Markdown.
  return lines.join('\n\n');
}

/** An old turn with its prompt and reply cut to an excerpt, so that carried state stays far below 2 MiB. */
function truncateTurn(turn: TurnRecord): TurnRecord {
  const cut = (text: string | undefined) => (text && text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS)}…` : text);
  const prompt = cut(turn.prompt)!;
  const reply = cut(turn.reply);
  return prompt === turn.prompt && reply === turn.reply ? turn : { ...turn, prompt, reply, truncated: true };
}
