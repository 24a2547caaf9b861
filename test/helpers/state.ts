/** A conversation's state as the `state` query returns it, for tests of what is shown from it. */
import { ConversationOptions, type ConversationState } from '../../src/common/conversation.js';

/**
 * An idle conversation in `/work/app` with no turns, changed by `overrides`; `options` (as given to `start`) are
 * parsed as the workflow does.
 */
export function conversationState(
  overrides: Partial<ConversationState> = {},
  options: Partial<Parameters<typeof ConversationOptions.parse>[0]> = {},
): ConversationState {
  return {
    id: 'conv-1',
    status: 'idle',
    backend: 'claude',
    account: 'default',
    cwd: '/work/app',
    sessionId: '11111111-2222-3333-4444-555555555555',
    closing: false,
    transcriptBytes: 1200,
    costUsd: 0,
    options: ConversationOptions.parse({ cwd: '/work/app', ...options }),
    configurations: [],
    turns: [],
    ...overrides,
  };
}
