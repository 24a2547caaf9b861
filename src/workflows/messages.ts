/**
 * The conversation workflow's messages. The workflow, the client and the tests import these same constants.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { AnswerInput, ApproveInput, DenyInput, ToolDecision } from '../common/approvals.js';
import type {
  AskAnswer,
  AskOptions,
  ConfigureInput,
  ConversationState,
  TranscriptSegment,
  TurnRecord,
  TurnReply,
} from '../common/conversation.js';

/** Name of the conversation workflow type. */
export const CONVERSATION_WORKFLOW_TYPE = 'conversationWorkflow';

/** Queue a turn and return at once. Argument: the prompt. */
export const sendTurnSignal = defineSignal<[string]>('sendTurn');

/**
 * Queue a turn and wait for its reply. Arguments: the prompt, and optionally {@link AskOptions} (with `omitReply` the
 * result leaves the reply out, or only a reply longer than `omitReplyOver` bytes: read it with {@link turnQuery}).
 * Rejected by its validator with an `ApplicationFailure`
 * of type `InvalidPrompt` (empty, or over `MAX_PROMPT_BYTES`) or `Closed` (the conversation is closing). A failed turn
 * fails the update with an `ApplicationFailure` whose `type` is the turn's error type.
 */
export const askUpdate = defineUpdate<AskAnswer, [string, AskOptions?]>('ask');

/** The conversation's status, session id, turns and transcript size. */
export const stateQuery = defineQuery<ConversationState>('state');

/**
 * One turn as the `state` query shows it, by index (undefined when there is none). Cheaper than `state` for a client
 * that wants one reply: the `ask` update leaves it out when asked to (`omitReply`). Workflows of Convo versions before
 * this query do not answer it; they always put the reply in the `ask` update's result.
 */
export const turnQuery = defineQuery<TurnRecord | undefined, [number]>('turn');

/**
 * The session transcript as the workflow holds it: segments whose concatenation is Claude Code's
 * `<session_id>.jsonl`; stored segments are read from the transcript store (`ConvoClient.transcript` does that).
 */
export const transcriptQuery = defineQuery<TranscriptSegment[]>('transcript');

/**
 * Cancel the turn being worked on (running, waiting out a usage limit, or waiting for attention): its CLI is killed
 * and the turn fails with type `Cancelled`; the conversation goes on with the next turn. Returns the turn's index.
 * Rejected by its validator with an `ApplicationFailure` of type `NotRunning` when no turn is running or waiting.
 */
export const cancelTurnUpdate = defineUpdate<number, []>('cancelTurn');

/**
 * Change the agent's options between turns (model, tools, permission mode, MCP servers, limits): from the next turn
 * that starts on. Argument: a `ConfigureInput` (`null` removes an option). Returns the new options revision, which
 * the turns that run with it record. Rejected by its validator with `InvalidOptions` when the input does not parse or
 * the conversation's backend cannot honour it, and `Closed` once the conversation is closing. Raising `maxCostUsd`
 * lets a turn that waits on `BudgetExceeded` run.
 */
export const configureUpdate = defineUpdate<number, [ConfigureInput]>('configure');

/**
 * Compact the session now (the CLI's own compaction, e.g. Claude Code's `/compact`): queued like a turn, recorded as
 * a turn of kind `compact`, answered with its reply. Rejected like `ask` (`Closed`).
 */
export const compactUpdate = defineUpdate<TurnReply, []>('compact');

/**
 * Approve the tool call the conversation waits on (status `needs_approval`): it runs, and the turn goes on.
 * `always` also adds the call's rule to the allowed tools for the rest of the conversation. Returns the decision as
 * recorded on the turn. Rejected by its validator with `NotWaiting` when no tool call waits (or the one that waits is
 * a question: `answer` it), `InvalidOptions` when the input does not parse.
 */
export const approveUpdate = defineUpdate<ToolDecision, [ApproveInput]>('approve');

/** Deny the tool call the conversation waits on: it does not run, and the model is told `reason`. Rejected like
 * {@link approveUpdate} (a question may be denied too: the model is told it was not answered). */
export const denyUpdate = defineUpdate<ToolDecision, [DenyInput]>('deny');

/** Answer the question the agent asked (`AskUserQuestion`): the model is given the text. Rejected with `NotWaiting`
 * when no question waits. */
export const answerUpdate = defineUpdate<ToolDecision, [AnswerInput]>('answer');

/** The same decisions as signals, for senders that cannot send an update (the Web UI's "Send a Signal"). */
export const approveSignal = defineSignal<[ApproveInput]>('approveCall');
export const denySignal = defineSignal<[DenyInput]>('denyCall');
export const answerSignal = defineSignal<[AnswerInput]>('answerQuestion');

/** Finish once the queued turns have run. */
export const closeSignal = defineSignal('close');

/** Credentials or billing were fixed: run the turn that needs attention again. */
export const resumeSignal = defineSignal('resume');

/** Give up on the turn that needs attention: fail it with its error and go on to the next. */
export const skipSignal = defineSignal('skip');

/**
 * Credentials or billing were fixed: run the turn that needs attention again. Rejected by its validator with an
 * `ApplicationFailure` of type `NotWaiting` when the conversation does not need attention. (The `resume` signal does
 * the same without an answer, for clients that can only signal.)
 */
export const resumeUpdate = defineUpdate<void, []>('resumeTurn');

/**
 * Give up on the turn that needs attention: fail it with its error and go on to the next. Rejected like
 * {@link resumeUpdate}.
 */
export const skipUpdate = defineUpdate<void, []>('skipTurn');

/** A usage limit announced to a conversation by its account: no turn starts before `until` (ISO 8601). */
export interface AccountPause {
  until: string;
  /** The CLI's message, e.g. `You've hit your 5-hour limit · resets 2:25am (UTC)`. */
  message: string;
  /** The conversation that was refused. */
  by: string;
}

/** Sent by the account workflow to its conversations when one of them hit a usage limit. */
export const accountPausedSignal = defineSignal<[AccountPause]>('accountPaused');

// The account workflow: one per account (credentials), so that conversations sharing a usage limit pause together.

/** Name of the account workflow type. */
export const ACCOUNT_WORKFLOW_TYPE = 'accountWorkflow';

/** Workflow id of an account's workflow. */
export function accountWorkflowId(account: string): string {
  return `convo-account-${account}`;
}

/** A conversation joins its account (argument: conversation id). */
export const joinAccountSignal = defineSignal<[string]>('joinAccount');

/** A conversation leaves its account when it closes (argument: conversation id). */
export const leaveAccountSignal = defineSignal<[string]>('leaveAccount');

/** A conversation was refused for a usage limit: pause every member until `until`. */
export const usageLimitSignal = defineSignal<[AccountPause]>('usageLimit');

/** The account's pause (ISO 8601, absent when none) and its member conversations. */
export interface AccountState {
  pausedUntil?: string;
  message?: string;
  members: string[];
}

export const accountStateQuery = defineQuery<AccountState>('accountState');
