/**
 * The reply of a turn that an `ask` update answered without it (`AskOptions.omitReply`), read from the workflow's
 * state, so that history holds each reply once.
 */
import type { AskAnswer, TurnRecord, TurnReply } from '../common/conversation.js';
import { stateQuery, turnQuery } from '../workflows/messages.js';
import type { ConversationHandle } from './updates.js';

/**
 * `answer` as a whole {@link TurnReply}: as it is when it holds the reply (a workflow from before `omitReply`
 * answers with it whatever it is asked), else completed with the turn's reply and `structured`, read with the `turn`
 * query (or, when the worker that answers runs a Convo from before that query, from the `state` query).
 * @param handle the conversation's handle, not pinned to a run: the turn is carried into a run that continued as new.
 */
export async function turnReply(handle: ConversationHandle, answer: AskAnswer): Promise<TurnReply> {
  if (answer.reply !== undefined) return { ...answer, reply: answer.reply };
  const turn: TurnRecord | undefined = await handle
    .query(turnQuery, answer.index)
    .catch(async () => (await handle.query(stateQuery)).turns[answer.index]);
  const { index, costUsd, durationMs, denials } = answer;
  const reply: TurnReply = { index, reply: turn?.reply ?? '', costUsd, durationMs, denials };
  if (turn?.structured !== undefined) reply.structured = turn.structured;
  return reply;
}
