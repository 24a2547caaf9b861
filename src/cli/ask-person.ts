/**
 * `convo ask` on a terminal, when its turn waits for a person's decision: shows the call (or question) and asks right
 * there (@inquirer/prompts), then sends the decision. The prompt goes away by itself when someone decides elsewhere
 * (another terminal, the Web UI).
 */
import { input, select } from '@inquirer/prompts';
import type { ConvoClient } from '../client/client.js';
import { ConvoError } from '../client/errors.js';
import type { PendingToolCall } from '../common/approvals.js';
import { decisionLine, waitingText } from './format/approvals.js';

/** What became of the prompt: a decision sent, left waiting, decided elsewhere, or the person pressed Ctrl-C. */
export type PersonOutcome = 'decided' | 'left' | 'elsewhere' | 'interrupted';

/** True for the error @inquirer/prompts throws when the prompt was aborted (`signal`) or closed with Ctrl-C. */
function promptEnded(err: unknown, name: 'AbortPromptError' | 'ExitPromptError'): boolean {
  return (err as { name?: unknown } | undefined)?.name === name;
}

/**
 * Asks the person at the terminal what to do with `call`, which conversation `id` waits on, and sends it: approve
 * (once, or `--always`), deny with a reason, or leave it waiting; for a question, the answer (empty: leave it). The
 * recorded decision is printed on stderr; a refusal (someone decided first) too, as `convo: …`.
 * @param stillWaiting polled while the prompt is open: false ends the prompt (`elsewhere`).
 */
export async function askPerson(
  client: ConvoClient,
  id: string,
  call: PendingToolCall,
  stillWaiting: () => Promise<boolean>,
): Promise<PersonOutcome> {
  const abort = new AbortController();
  const context = { signal: abort.signal, output: process.stderr };
  let open = true;
  const watcher = (async () => {
    while (open) {
      await new Promise((r) => setTimeout(r, 1000));
      if (open && !(await stillWaiting().catch(() => true))) abort.abort();
    }
  })();
  try {
    const send = await choose(call, context);
    if (!send) return 'left';
    open = false;
    const decision = await send(client, id);
    console.error(decisionLine(decision, call));
    return 'decided';
  } catch (err) {
    if (promptEnded(err, 'AbortPromptError')) {
      console.error('\n(decided elsewhere)');
      return 'elsewhere';
    }
    if (promptEnded(err, 'ExitPromptError')) return 'interrupted';
    if (err instanceof ConvoError && err.code === 'NotWaiting') {
      console.error(`convo: ${err.message}`);
      return 'elsewhere';
    }
    throw err;
  } finally {
    open = false;
    abort.abort();
    await watcher;
  }
}

type Send = (client: ConvoClient, id: string) => ReturnType<ConvoClient['approve']>;

/** The person's choice, as the call that sends it; undefined to leave the call waiting. */
async function choose(
  call: PendingToolCall,
  context: { signal: AbortSignal; output: NodeJS.WritableStream },
): Promise<Send | undefined> {
  if (call.kind === 'question') {
    const text = await input(
      { message: `${waitingText(call, 500)}\n  your answer (empty: leave it waiting):` },
      context,
    );
    return text.trim() ? (client, id) => client.answer(id, text) : undefined;
  }
  const always = call.rule ? `approve, and always allow ${call.rule} in this conversation` : undefined;
  const choice = await select<'approve' | 'always' | 'deny' | 'leave'>(
    {
      message: waitingText(call, 500),
      choices: [
        { name: 'approve: run it', value: 'approve' },
        ...(always ? [{ name: always, value: 'always' as const }] : []),
        { name: 'deny (you can give the model a reason)', value: 'deny' },
        { name: 'leave it waiting', value: 'leave' },
      ],
    },
    context,
  );
  if (choice === 'leave') return undefined;
  if (choice !== 'deny') return (client, id) => client.approve(id, { always: choice === 'always' });
  const reason = await input({ message: 'reason for the model (optional):' }, context);
  return (client, id) => client.deny(id, { reason: reason.trim() || undefined });
}
