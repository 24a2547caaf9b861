/**
 * The conversation workflow: one per conversation, workflow id = conversation id. It owns the session id and the
 * session transcript, and runs turns one at a time, in arrival order, each as a `runTurn` activity on whichever
 * worker picks it up. Here: the message handlers and the loop. The flows are in the files next to this one:
 * state.ts (the state), turn-loop.ts (a turn through its failures, compaction after a context overflow),
 * usage-limit-pause.ts, attention.ts (the wait for a person), approval.ts (the wait for a decision on a tool call),
 * budget.ts, configure.ts (the `configure` validator),
 * visibility.ts (the Web UI), continue-as-new.ts.
 */
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  setHandler,
} from '@temporalio/workflow';
import {
  ConversationOptions,
  omitsReply,
  type AskAnswer,
  type AskOptions,
  type ConversationOptionsInput,
  type ConversationState,
  type TurnRecord,
  type TurnReply,
} from '../../common/conversation.js';
import {
  accountPausedSignal,
  accountWorkflowId,
  answerSignal,
  answerUpdate,
  approveSignal,
  approveUpdate,
  askUpdate,
  cancelTurnUpdate,
  closeSignal,
  compactUpdate,
  configureUpdate,
  denySignal,
  denyUpdate,
  leaveAccountSignal,
  resumeSignal,
  resumeUpdate,
  sendTurnSignal,
  skipSignal,
  skipUpdate,
  stateQuery,
  transcriptQuery,
  turnQuery,
} from '../messages.js';
import { joinAccount } from './activities.js';
import { decideBySignal, decideCall, refuseUnlessDecidable } from './approval.js';
import { decide, refuseUnlessWaiting } from './attention.js';
import { parseConfiguration, refuseBadConfiguration } from './configure.js';
import { carry, historyFull, shouldContinueAsNew, type ConversationCarry } from './continue-as-new.js';
import { Conversation, type Refusal } from './state.js';
import { runCancellableTurn } from './turn-loop.js';
import { Visibility } from './visibility.js';

export { currentDetails } from './current-details.js';
export { FULL_TURNS_KEPT, type ConversationCarry } from './continue-as-new.js';
export { RESET_MARGIN_MS, UNKNOWN_RESET_PAUSE_MS } from './usage-limit-pause.js';

/**
 * Runs a conversation until it is closed.
 * @param rawOptions the conversation's set-up; validated here (a bad one fails the workflow with `InvalidOptions`).
 * @param carried the state of the previous run, when this run continues one as new; or, with `imported`, the session
 * an imported conversation starts from (its id and transcript).
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
  const c = new Conversation(parsed.data, carried);
  handleMessages(c);

  // An imported session is a first run too. (`imported` is new: recorded histories never carried it.)
  if (!carried || carried.imported) await joinAccount(c.options.account, c.id);
  // Here, after joining and before the loop, as in the recorded histories: its patch markers and first upsert.
  const visibility = Visibility.start(c);

  for (;;) {
    await condition(() => c.queue.length > 0 || c.closing || historyFull(c));
    if (shouldContinueAsNew(c)) {
      // Let the handlers of asks whose turns just ended return their replies first.
      await condition(() => allHandlersFinished() || c.askQueued());
      if (!c.askQueued()) await continueAsNew<typeof conversationWorkflow>(c.options, carry(c));
    }
    const turn = c.queue[0];
    if (!turn) break;
    await runCancellableTurn(c, turn);
    c.turnEnded(turn);
  }

  c.finished = true;
  visibility?.publish();
  await getExternalWorkflowHandle(accountWorkflowId(c.options.account))
    .signal(leaveAccountSignal, c.id)
    .catch((err: unknown) => log.info('account already gone', { error: String(err) }));
  await condition(allHandlersFinished);
  return c.state();
}

/** Registers every query, signal and update handler (before the workflow's first await, so none is missed). */
function handleMessages(c: Conversation): void {
  setHandler(stateQuery, () => c.state());
  setHandler(transcriptQuery, () => c.transcript);
  setHandler(turnQuery, (index) => c.turns[index]);

  setHandler(sendTurnSignal, (prompt) => {
    // Signals cannot be refused; the client checks prompts before sending, so this only drops what bypassed it.
    const refusal = c.refusal(prompt);
    if (refusal) log.warn('sendTurn signal dropped', { problem: refusal.message });
    else c.enqueue(prompt);
  });
  setHandler(askUpdate, (prompt, options) => answerOf(c, c.enqueue(prompt), options), {
    validator: (prompt, _options?: AskOptions) => refuse(c.refusal(prompt)),
  });
  setHandler(compactUpdate, () => replyOf(c, c.addCompaction(true)), {
    validator: () => refuse(c.refusal('/compact')),
  });
  setHandler(configureUpdate, (changes) => c.configure(parseConfiguration(changes)), {
    validator: (changes) => refuseBadConfiguration(c, changes),
  });
  setHandler(closeSignal, () => {
    c.closing = true;
  });

  setHandler(accountPausedSignal, (pause) => c.extendPause(pause));

  setHandler(resumeSignal, () => decide(c, 'resume'));
  setHandler(skipSignal, () => decide(c, 'skip'));
  setHandler(resumeUpdate, () => decide(c, 'resume'), { validator: () => refuseUnlessWaiting(c) });
  setHandler(skipUpdate, () => decide(c, 'skip'), { validator: () => refuseUnlessWaiting(c) });

  setHandler(approveUpdate, (input) => decideCall(c, 'approve', input), {
    validator: (input) => refuseUnlessDecidable(c, 'approve', input),
  });
  setHandler(denyUpdate, (input) => decideCall(c, 'deny', input), {
    validator: (input) => refuseUnlessDecidable(c, 'deny', input),
  });
  setHandler(answerUpdate, (input) => decideCall(c, 'answer', input), {
    validator: (input) => refuseUnlessDecidable(c, 'answer', input),
  });
  setHandler(approveSignal, (input) => decideBySignal(c, 'approve', input));
  setHandler(denySignal, (input) => decideBySignal(c, 'deny', input));
  setHandler(answerSignal, (input) => decideBySignal(c, 'answer', input));

  setHandler(
    cancelTurnUpdate,
    () => {
      c.current!.scope.cancel();
      return c.current!.turn.index;
    },
    {
      validator: () => {
        if (!c.current) refuse({ type: 'NotRunning', message: 'no turn is running or waiting' });
      },
    },
  );
}

/**
 * Waits for the queued `turn` to end and answers with its reply.
 * @throws ApplicationFailure whose `type` is the turn's error type, when it failed.
 */
async function replyOf(c: Conversation, turn: TurnRecord): Promise<TurnReply> {
  c.awaited.add(turn);
  await condition(() => turn.status === 'completed' || turn.status === 'failed');
  if (turn.error) {
    throw ApplicationFailure.create({ type: turn.error.type, message: turn.error.message, nonRetryable: true });
  }
  const { index, reply, costUsd, durationMs, denials, structured } = turn;
  return { index, reply: reply ?? '', costUsd, durationMs, denials, structured };
}

/**
 * {@link replyOf}, without the reply and `structured` when `options` ask so (`omitReply`, and the reply is longer than
 * `omitReplyOver`): the update's result is history, and the turn activity's result there holds the reply already.
 * (A result's content is no command: histories replay either way.)
 */
async function answerOf(c: Conversation, turn: TurnRecord, options: AskOptions | undefined): Promise<AskAnswer> {
  const whole = await replyOf(c, turn);
  if (!omitsReply(options, whole.reply)) return whole;
  const { reply: _reply, structured: _structured, ...answer } = whole;
  return answer;
}

/**
 * Throws `refusal`, when there is one, as the `ApplicationFailure` an update validator rejects with; its type is one
 * of REFUSAL_TYPES, which the client maps to the `ConvoError` code of the same name.
 */
function refuse(refusal: Refusal | undefined): void {
  if (refusal) throw ApplicationFailure.nonRetryable(refusal.message, refusal.type);
}
