/**
 * Whether a conversation's backend can honour its options, asked of the backend plug-in before the client starts a
 * conversation or configures one (the workflow's `configure` validator asks again). A backend says no with a one-line
 * reason, e.g. `opencode has no equivalent of --json-schema`.
 */
import type { ConversationOptions } from '../common/conversation.js';
import type { BackendPlugin } from '../activities/backends/backend.js';
import { backendPlugin } from '../activities/backends/registry.js';
import { ConvoError } from './errors.js';

/**
 * The plug-in's `optionsProblem`, typed here as well: the plug-in interface gains it in the activities' part of issue
 * 11 (`BackendPlugin.optionsProblem?`); until then every backend accepts everything. Once merged, this intersection
 * adds nothing and can go (a type annotation, not a cast: it compiles either way).
 */
type WithOptionsProblem = BackendPlugin & { optionsProblem?(options: ConversationOptions): string | undefined };

/**
 * Checks `options` against their backend's plug-in.
 * @throws ConvoError `InvalidOptions` with the backend's one-line reason.
 */
export function checkBackendOptions(options: ConversationOptions): void {
  const plugin: WithOptionsProblem | undefined = backendPlugin(options.backend);
  const problem = plugin?.optionsProblem?.(options);
  if (problem) throw new ConvoError('InvalidOptions', problem);
}
