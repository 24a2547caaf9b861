/**
 * TEMPORARY stand-in for `backendNames()` of src/activities/backends/registry.ts (built by the backends helper):
 * at merge, import it from there in src/client/client.ts and src/cli/options.ts, and delete this file.
 */
import { BACKENDS } from '../common/conversation.js';

/** The names of the backends this build knows. */
export function backendNames(): string[] {
  return [...BACKENDS];
}
