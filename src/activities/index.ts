/**
 * The worker's activities, built once by {@link createActivities} from injected dependencies.
 */
import type { TurnInput, TurnResult } from '../common/conversation.js';
import { joinAccount } from './account.js';
import { runClaudeTurn, type ClaudeBackendDeps } from './claude/run-turn.js';

/** Everything activities need from the worker process. */
export type ActivityDeps = ClaudeBackendDeps;

/** Builds the activities the worker registers. */
export function createActivities(deps: ActivityDeps) {
  return {
    /**
     * Runs one turn of a conversation on its backend. See `runClaudeTurn` for the failures it raises.
     */
    async runTurn(input: TurnInput): Promise<TurnResult> {
      return runClaudeTurn(deps, input);
    },
    joinAccount,
  };
}

/** The activities' types, for `proxyActivities` in workflow code (imported with `import type` only). */
export type Activities = ReturnType<typeof createActivities>;
