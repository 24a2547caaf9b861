/**
 * Checking what `ConvoClient.configure` is given before it goes to the workflow: the input's shape (zod), then
 * whether the conversation's backend can honour the options it sets (the workflow's validator checks both again).
 */
import { ConfigureInput, ConversationOptions } from '../common/conversation.js';
import { ConvoError } from './errors.js';
import { checkBackendOptions } from './options-check.js';

/**
 * The parsed `input`, once its options pass `backend`'s check. Only the options `input` sets are checked: the ones in
 * force were checked when they were set.
 * @param backend the conversation's backend (its `ConversationBackend` search attribute); undefined skips the check.
 * @throws ConvoError `InvalidOptions` with a one-line reason: `field: problem`, or the backend's.
 */
export function checkConfigure(input: ConfigureInput, backend: string | undefined): ConfigureInput {
  const parsed = ConfigureInput.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.join('.');
    throw new ConvoError('InvalidOptions', `${where ? `${where}: ` : ''}${issue.message.replace(/\s+/g, ' ')}`);
  }
  if (backend !== undefined) {
    const set = Object.fromEntries(Object.entries(parsed.data).filter(([, v]) => v !== null && v !== undefined));
    // cwd is fixed at start and not part of the check; any absolute path satisfies the schema here.
    const options = ConversationOptions.safeParse({ ...set, backend, cwd: '/' });
    if (options.success) checkBackendOptions(options.data);
  }
  return parsed.data;
}
