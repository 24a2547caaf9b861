/**
 * Joining a conversation to its account's workflow, starting that workflow if it is not running yet
 * (signal-with-start, which workflow code cannot do itself).
 */
import { Context } from '@temporalio/activity';
import { ACCOUNT_WORKFLOW_TYPE, accountWorkflowId, joinAccountSignal } from '../workflows/messages.js';

/**
 * Joins `conversationId` to the account `account`, on the calling workflow's task queue.
 * @returns the account workflow's id.
 */
export async function joinAccount(account: string, conversationId: string): Promise<string> {
  const ctx = Context.current();
  const workflowId = accountWorkflowId(account);
  await ctx.client.workflow.signalWithStart(ACCOUNT_WORKFLOW_TYPE, {
    workflowId,
    taskQueue: ctx.info.taskQueue,
    args: [{ members: [] }],
    signal: joinAccountSignal,
    signalArgs: [conversationId],
  });
  return workflowId;
}
