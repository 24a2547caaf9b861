/**
 * The `CostUsd` search attribute on the real dev server (the time-skipping test server keeps no search attributes),
 * with the turn activity faked: a conversation started with search attributes, as the client starts them, shows the
 * total its turns cost; its history records the patch that brought it.
 */
import type { TurnInput, TurnResult } from '../../src/common/conversation.js';
import { ConversationStatusKey, CostUsdKey } from '../../src/common/search-attributes.js';
import { askUpdate, closeSignal } from '../../src/workflows/messages.js';
import { conversationWorkflow } from '../../src/workflows/conversation/workflow.js';
import { withDevServerWorker } from '../helpers/dev-server-worker.js';

test('CostUsd follows the total the turns cost', async () => {
  const runTurn = async (input: TurnInput): Promise<TurnResult> => ({
    reply: `echo ${input.prompt}`,
    costUsd: 0.25,
    transcript: { mode: 'append', segments: [] },
  });
  await withDevServerWorker('cost', runTurn, async (client, taskQueue) => {
    const handle = await client.workflow.start(conversationWorkflow, {
      workflowId: taskQueue,
      taskQueue,
      args: [{ cwd: '/tmp', account: taskQueue }],
      typedSearchAttributes: [{ key: ConversationStatusKey, value: 'idle' }],
    });
    await handle.executeUpdate(askUpdate, { args: ['one'] });
    await handle.executeUpdate(askUpdate, { args: ['two'] });
    await handle.signal(closeSignal);
    await handle.result();
    const { typedSearchAttributes } = await handle.describe();
    expect(typedSearchAttributes.get(CostUsdKey)).toBeCloseTo(0.5);
    expect(typedSearchAttributes.get(ConversationStatusKey)).toBe('closed');
    const { events } = await handle.fetchHistory();
    const patches = events!
      .map((e) => e.markerRecordedEventAttributes)
      .filter((m) => m?.markerName === 'core_patch')
      .map(
        (m) =>
          (JSON.parse(Buffer.from(m!.details!['patch-data']!.payloads![0]!.data!).toString()) as { id: string }).id,
      );
    expect(patches).toEqual(['convo-visibility', 'convo-elapsed', 'convo-agent-options']);
  });
});
