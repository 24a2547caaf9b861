/**
 * Whether a conversation's backend can honour its options, asked of the backend plug-in before the client starts a
 * conversation or configures one. A backend says no with a one-line reason, e.g. `opencode has no equivalent of
 * --json-schema`. (The workflow cannot ask a plug-in; a worker refuses such a turn with `InvalidRequest`, for clients
 * that bypass this check.)
 */
import type { ConversationOptions } from '../common/conversation.js';
import { backendPlugin } from '../activities/backends/registry.js';
import { ConvoError } from './errors.js';

/**
 * Checks `options` against their backend's plug-in.
 * @throws ConvoError `InvalidOptions` with the backend's one-line reason.
 */
export function checkBackendOptions(options: ConversationOptions): void {
  const problem = backendPlugin(options.backend)?.optionsProblem?.(options);
  if (problem) throw new ConvoError('InvalidOptions', problem);
}
