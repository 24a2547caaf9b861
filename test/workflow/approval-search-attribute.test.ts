/**
 * The `ConversationStatus` search attribute of a conversation whose turn waits for a decision on a tool call, on the
 * real dev server (the time-skipping test server keeps no search attributes), with the turn activity faked: what
 * `convo list --status needs_approval` and the Web UI's list filter on.
 */
import type { TurnInput, TurnResult } from '../../src/common/conversation.js';
import { ConversationStatusKey } from '../../src/common/search-attributes.js';
import { approveUpdate, closeSignal, sendTurnSignal, stateQuery } from '../../src/workflows/messages.js';
import { conversationWorkflow } from '../../src/workflows/conversation/workflow.js';
import { withDevServerWorker } from '../helpers/dev-server-worker.js';

test('ConversationStatus is needs_approval while a tool call waits, and follows the turn after the decision', async () => {
  const runTurn = async (input: TurnInput): Promise<TurnResult> => {
    const transcript = { mode: 'append' as const, segments: [] };
    if (input.continues) return { reply: 'done', transcript };
    const pending = { toolUseId: 'toolu_1', tool: 'Bash', input: { command: 'ls' }, summary: 'ls' };
    return { reply: '', pending: { ...pending, kind: 'approval', rule: 'Bash' }, transcript };
  };
  await withDevServerWorker('approval', runTurn, async (client, taskQueue) => {
    const handle = await client.workflow.start(conversationWorkflow, {
      workflowId: taskQueue,
      taskQueue,
      args: [{ cwd: '/tmp', account: taskQueue, approve: ['Bash'] }],
      typedSearchAttributes: [{ key: ConversationStatusKey, value: 'idle' }],
    });
    await handle.signal(sendTurnSignal, 'list files');
    const status = async () => (await handle.describe()).typedSearchAttributes.get(ConversationStatusKey);
    for (let i = 0; i < 100 && (await status()) !== 'needs_approval'; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await status()).toBe('needs_approval');
    expect((await handle.query(stateQuery)).pending?.summary).toBe('ls');
    await handle.executeUpdate(approveUpdate, { args: [{}] });
    await handle.signal(closeSignal);
    const final = await handle.result();
    expect(final.turns[0]).toMatchObject({ status: 'completed', reply: 'done' });
    expect(await status()).toBe('closed');
  });
});
