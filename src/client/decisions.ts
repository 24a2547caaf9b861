/**
 * What the client adds to a person's decision on a waiting tool call (`approve`, `deny`, `answer`) and on a turn that
 * needs attention (`resume`, `skip`): who decides, the input checked before it goes, and a refusal because nothing
 * waits said for people, with the conversation's status.
 */
import { hostname, userInfo } from 'node:os';
import type { z } from 'zod';
import type { ConversationState } from '../common/conversation.js';
import { ConvoError } from './errors.js';

/** Who decides, for the record on the turn: `user@host` of this process (the `USER` variable when the system has no
 * entry for the user). */
export function decidedBy(): string {
  let user: string | undefined;
  try {
    user = userInfo().username;
  } catch {
    user = process.env.USER ?? process.env.USERNAME;
  }
  return `${user || 'unknown'}@${hostname()}`.slice(0, 200);
}

/**
 * `input` parsed with `schema` (the update's own argument schema, so a bad input is refused before it is sent).
 * @throws ConvoError `InvalidOptions`: `field: problem`, one line.
 */
export function checkedInput<T>(schema: z.ZodType<T>, input: unknown): T {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const where = issue.path.join('.');
  throw new ConvoError('InvalidOptions', `${where ? `${where}: ` : ''}${issue.message.replace(/\s+/g, ' ')}`);
}

/** What the conversation waits on, for a refusal's message: ` (a question waits: convo answer ID TEXT)`, ` (status
 * idle)`; empty when unknown. */
export function waitingNote(state: ConversationState | undefined): string {
  if (!state) return '';
  if (state.status === 'needs_approval' && state.pending?.kind === 'question') {
    return ` (a question waits: convo answer ${state.id} TEXT)`;
  }
  if (state.status === 'needs_approval' && state.pending) {
    return ` (a tool call waits: convo approve ${state.id} or convo deny ${state.id})`;
  }
  return ` (status ${state.status})`;
}

/**
 * `work`, with a `NotWaiting` refusal given `message` plus what the conversation waits on. The state is read only
 * once refused: a read before would race the decision.
 * @param state reads the conversation's state (in at most a couple of seconds); a failure leaves the note out.
 */
export async function notWaitingAs<T>(
  work: Promise<T>,
  message: string,
  state: () => Promise<ConversationState>,
): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (!(err instanceof ConvoError && err.code === 'NotWaiting')) throw err;
    throw new ConvoError('NotWaiting', `${message}${waitingNote(await state().catch(() => undefined))}`);
  }
}
