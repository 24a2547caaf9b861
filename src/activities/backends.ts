/**
 * The registry of backends: one entry per CLI. A new backend is a folder under `src/activities/` implementing
 * `TurnBackend` (see `backend.ts`), its name in `BACKENDS` (`src/common/conversation.ts`), and one line here.
 */
import type { Backend } from '../common/conversation.js';
import type { BackendDeps, TurnBackend } from './backend.js';
import { claudeBackend, type ClaudeBackendDeps } from './claude/run-turn.js';
import { opencodeBackend, type OpencodeBackendDeps } from './opencode/backend.js';

/** Everything the backends need from the worker. */
export type BackendsDeps = BackendDeps & ClaudeBackendDeps & OpencodeBackendDeps;

/** The backends by name, built from the worker's dependencies. */
export function createBackends(deps: BackendsDeps): Record<Backend, TurnBackend> {
  return {
    claude: claudeBackend(deps),
    opencode: opencodeBackend(deps),
  };
}
