/**
 * The `ask` update's answer and the history it leaves, on the time-skipping test server (turn activity faked): with
 * `omitReply` the update's result leaves the reply out and history holds it once, in the turn activity's result;
 * the client completes the answer from the `turn` query. Without options (older clients, the Web UI) the update
 * answers with the whole reply, as it always did. With `omitReplyOver` (what `ConvoClient.ask` sends) only a reply
 * longer than that many bytes is left out: a short one saves the client the query.
 */
import proto from '@temporalio/proto';
import { turnReply } from '../../src/client/turn-reply.js';
import { askUpdate, turnQuery } from '../../src/workflows/messages.js';
import { echo, useWorkflowEnv, type ConversationHandle } from '../helpers/workflow-env.js';

const { withConversation } = useWorkflowEnv();
const denials = [{ tool: 'Bash', input: 'rm -rf /' }];
const structured = { answer: 42 };

/** How many times `text` is in the conversation's history as stored (the test server's payloads are plain JSON). */
async function timesInHistory(handle: ConversationHandle, text: string): Promise<number> {
  const history = await handle.fetchHistory();
  const bytes = Buffer.from(proto.temporal.api.history.v1.History.encode(history).finish());
  let count = 0;
  for (let at = bytes.indexOf(text); at >= 0; at = bytes.indexOf(text, at + 1)) count++;
  return count;
}

test('with omitReply the answer has no reply, the turn query has it, and history holds it once', async () => {
  await withConversation(
    async (input) => ({ ...(await echo(input)), reply: `the reply to ${input.prompt}`, denials, structured }),
    async (handle) => {
      const answer = await handle.executeUpdate(askUpdate, { args: ['lean', { omitReply: true }] });
      expect(answer).toEqual({ index: 0, denials });
      expect(await handle.query(turnQuery, 0)).toMatchObject({ reply: 'the reply to lean', structured });
      expect(await handle.query(turnQuery, 7)).toBeUndefined();
      expect(await turnReply(handle, answer)).toEqual({ index: 0, reply: 'the reply to lean', denials, structured });
      expect(await timesInHistory(handle, 'the reply to lean')).toBe(1);
    },
  );
});

test('without options the answer holds the whole reply (history then holds it twice), and the client keeps it', async () => {
  await withConversation(
    async (input) => ({ ...(await echo(input)), reply: `the reply to ${input.prompt}`, denials, structured }),
    async (handle) => {
      const answer = await handle.executeUpdate(askUpdate, { args: ['whole'] });
      expect(answer).toEqual({ index: 0, reply: 'the reply to whole', denials, structured });
      expect(await turnReply(handle, answer)).toEqual(answer);
      expect(await timesInHistory(handle, 'the reply to whole')).toBe(2);
    },
  );
});

test('with omitReplyOver a short reply stays in the answer (no query needed) and a longer one is left out', async () => {
  const long = 'x'.repeat(3000);
  await withConversation(
    async (input) => ({ ...(await echo(input)), reply: input.prompt === 'long' ? long : 'short reply' }),
    async (handle) => {
      const options = { omitReply: true, omitReplyOver: 2048 };
      expect(await handle.executeUpdate(askUpdate, { args: ['short', options] })).toEqual({
        index: 0,
        reply: 'short reply',
      });
      const answer = await handle.executeUpdate(askUpdate, { args: ['long', options] });
      expect(answer).toEqual({ index: 1 });
      expect((await turnReply(handle, answer)).reply).toBe(long);
    },
  );
});
