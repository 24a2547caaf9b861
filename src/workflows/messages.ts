/**
 * The conversation workflow's messages. The workflow, the client and the tests import these same constants.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ConversationState, TurnReply } from '../common/conversation.js';

/** Name of the conversation workflow type. */
export const CONVERSATION_WORKFLOW_TYPE = 'conversationWorkflow';

/** Queue a turn and return at once. Argument: the prompt. */
export const sendTurnSignal = defineSignal<[string]>('sendTurn');

/**
 * Queue a turn and wait for its reply. Argument: the prompt. Rejected by its validator when the prompt is empty or
 * over {@link MAX_PROMPT_BYTES}, or the conversation is closing. A failed turn fails the update with an
 * `ApplicationFailure` whose `type` is the turn's error type.
 */
export const askUpdate = defineUpdate<TurnReply, [string]>('ask');

/** The conversation's status, session id, turns and transcript size. */
export const stateQuery = defineQuery<ConversationState>('state');

/** The session transcript: Claude Code's `<session_id>.jsonl` text as the workflow holds it. */
export const transcriptQuery = defineQuery<string>('transcript');

/** Finish once the queued turns have run. */
export const closeSignal = defineSignal('close');
