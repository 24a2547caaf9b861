/**
 * The conversation workflow: one per conversation, workflow id = conversation id. It owns the session id and the
 * session transcript, and runs turns one at a time, in arrival order, each as a `runTurn` activity on whichever
 * worker picks it up.
 */
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  log,
  proxyActivities,
  setHandler,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import {
  ConversationOptions,
  promptProblem,
  type ConversationOptionsInput,
  type ConversationState,
  type TurnRecord,
  type TurnReply,
} from '../common/conversation.js';
import { NON_RETRYABLE_ERROR_TYPES, isTurnErrorType, type TurnError } from '../common/errors.js';
import { utf8ByteLength } from '../common/text.js';
import { askUpdate, closeSignal, sendTurnSignal, stateQuery, transcriptQuery } from './messages.js';

// A turn is an agent run that may take many minutes, so the start-to-close bound is generous; the activity
// heartbeats every few seconds, so a dead worker is noticed after 30 s and the turn moves to another worker.
// Retries are Temporal's (the CLI's own are turned off): backoff from 5 s to 5 min, and only for error types that
// a retry can heal.
const { runTurn } = proxyActivities<Activities>({
  startToCloseTimeout: '2 hours',
  heartbeatTimeout: '30 seconds',
  retry: {
    initialInterval: '5 seconds',
    backoffCoefficient: 2,
    maximumInterval: '5 minutes',
    maximumAttempts: 6,
    nonRetryableErrorTypes: [...NON_RETRYABLE_ERROR_TYPES],
  },
});

/**
 * Runs a conversation until it is closed.
 * @param rawOptions the conversation's set-up; validated here (a bad one fails the workflow with `InvalidOptions`).
 * @returns the final state, with status `closed`.
 */
export async function conversationWorkflow(rawOptions: ConversationOptionsInput): Promise<ConversationState> {
  const parsed = ConversationOptions.safeParse(rawOptions);
  if (!parsed.success) {
    throw ApplicationFailure.nonRetryable(`invalid conversation options: ${parsed.error.message}`, 'InvalidOptions');
  }
  const options = parsed.data;
  const id = workflowInfo().workflowId;
  const sessionId = uuid4();
  const turns: TurnRecord[] = [];
  const queue: TurnRecord[] = [];
  let transcript = '';
  let transcriptBytes = 0;
  let closing = false;
  let finished = false;

  const state = (): ConversationState => ({
    id,
    status: finished ? 'closed' : queue.length > 0 || turns.some((t) => t.status === 'running') ? 'running' : 'idle',
    backend: options.backend,
    cwd: options.cwd,
    title: options.title,
    model: options.model,
    sessionId,
    closing,
    turns,
    transcriptBytes,
  });

  const enqueue = (prompt: string): TurnRecord => {
    const turn: TurnRecord = { index: turns.length, prompt, status: 'queued', queuedAt: new Date().toISOString() };
    turns.push(turn);
    queue.push(turn);
    return turn;
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

  const runOne = async (turn: TurnRecord): Promise<void> => {
    turn.status = 'running';
    turn.startedAt = new Date().toISOString();
    try {
      const result = await runTurn({ conversationId: id, turnIndex: turn.index, sessionId, prompt: turn.prompt, options, transcript });
      transcript = result.transcript.mode === 'append' ? transcript + result.transcript.data : result.transcript.data;
      transcriptBytes = utf8ByteLength(transcript);
      Object.assign(turn, {
        status: 'completed',
        reply: result.reply,
        costUsd: result.costUsd,
        usage: result.usage,
        durationMs: result.durationMs,
      });
    } catch (err) {
      turn.status = 'failed';
      turn.error = turnError(err);
      log.warn('turn failed', { turn: turn.index, ...turn.error });
    } finally {
      turn.endedAt = new Date().toISOString();
    }
  };

  for (;;) {
    await condition(() => queue.length > 0 || closing);
    const turn = queue.shift();
    if (!turn) break;
    await runOne(turn);
  }
  finished = true;
  await condition(allHandlersFinished);
  return state();
}

/**
 * The turn error carried by an activity failure: its `ApplicationFailure` type and message when it has one.
 * Matches on `type` and `name`, not `instanceof`, as failures are rebuilt across the sandbox boundary.
 */
function turnError(err: unknown): TurnError {
  const cause = (err as { cause?: unknown } | undefined)?.cause ?? err;
  const failure = cause as { type?: unknown; name?: unknown; message?: unknown; timeoutType?: unknown };
  const message = typeof failure?.message === 'string' ? failure.message : String(cause);
  if (isTurnErrorType(failure?.type)) return { type: failure.type, message };
  if (failure?.name === 'TimeoutFailure') {
    return { type: 'Unknown', message: `turn timed out (${String(failure.timeoutType)}): the worker running it stopped answering` };
  }
  return { type: 'Unknown', message };
}
