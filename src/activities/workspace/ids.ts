/** Conversation ids as workspace code uses them: a directory name under the workspaces dir and a ref name part. */
import { workspaceUnavailable } from './failures.js';

const SAFE_ID = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

/**
 * Returns `id` when it is safe as one path segment and one ref name component: `[A-Za-z0-9._-]`, not starting with
 * `.`, without `..`, not ending in `.lock`.
 * @throws ApplicationFailure `WorkspaceUnavailable` (non-retryable) for any other id.
 */
export function safeConversationId(id: string): string {
  if (SAFE_ID.test(id) && !id.includes('..') && !id.endsWith('.lock')) return id;
  throw workspaceUnavailable(
    `conversation id ${JSON.stringify(id)} cannot name a workspace (allowed: letters, digits, . _ -, not starting with .)`,
    { nonRetryable: true },
  );
}
