/**
 * What `convo approve`, `convo deny` and `convo answer` share: send the decision, print it as recorded in one line.
 */
import type { ConvoClient } from '../client/client.js';
import type { PendingToolCall, ToolDecision } from '../common/approvals.js';
import { decisionLine } from './format/approvals.js';

/**
 * Runs `decide` on conversation `id` and prints the recorded decision in one line (`✓ approved Bash: echo hi > f by
 * alice@host at 12:04 UTC`), naming the call from the state read just before (a decision records only its id).
 * @returns the decision and the call it decided, when it was read.
 */
export async function decideAndPrint(
  client: ConvoClient,
  id: string,
  decide: () => Promise<ToolDecision>,
): Promise<{ decision: ToolDecision; call?: PendingToolCall }> {
  const before = await client.state(id, 2_000).catch(() => undefined);
  const decision = await decide();
  const call = before?.pending?.toolUseId === decision.toolUseId ? before.pending : undefined;
  console.log(decisionLine(decision, call));
  return { decision, call };
}
