/**
 * The budget of a conversation (`maxCostUsd`): a turn that would start with the spent total at or above it does not
 * start. It waits for a person exactly like a turn that needs attention (attention.ts): status `needs_attention`,
 * type `BudgetExceeded`, until `resume` (run it anyway, once), `skip` (fail it with `BudgetExceeded`), or a
 * `configure` that raises or removes `maxCostUsd` (then it runs).
 *
 * Conversations recorded before budgets existed never set `maxCostUsd`, so none of this issues a command for them
 * and it needs no patch.
 */
import { condition, log } from '@temporalio/workflow';
import type { TurnRecord } from '../../common/conversation.js';
import type { TurnError } from '../../common/errors.js';
import { takeDecision } from './attention.js';
import type { Conversation } from './state.js';

/**
 * The `BudgetExceeded` error when the conversation has a `maxCostUsd` and spent at least that much (message:
 * `spent $1.20 of the $1.00 budget (maxCostUsd)`), else undefined.
 */
export function budgetExceeded(c: Conversation): TurnError | undefined {
  const max = c.options.maxCostUsd;
  if (max === undefined) return undefined;
  const spent = c.costUsd();
  if (spent < max) return undefined;
  return {
    type: 'BudgetExceeded',
    message: `spent $${spent.toFixed(2)} of the $${max.toFixed(2)} budget (maxCostUsd)`,
  };
}

/**
 * What is left of the budget, US dollars, for the CLI's own cap (`TurnInput.remainingBudgetUsd`): undefined without
 * `maxCostUsd`, and when nothing is left (a turn a person resumed past its budget must not be stopped at once).
 */
export function remainingBudgetUsd(c: Conversation): number | undefined {
  const max = c.options.maxCostUsd;
  const remaining = max === undefined ? 0 : max - c.costUsd();
  return remaining > 0 ? remaining : undefined;
}

/**
 * Holds `turn` (queued, conversation in `needs_attention` for `error`) until a person decides or the budget no longer
 * stands in the way.
 * @returns `resume` (run it anyway), `skip` (fail it), or `raised` (`configure` raised or removed `maxCostUsd`).
 */
export async function waitOnBudget(
  c: Conversation,
  turn: TurnRecord,
  error: TurnError,
): Promise<'resume' | 'skip' | 'raised'> {
  c.attention = error;
  turn.status = 'queued';
  log.warn('budget spent: waiting for configure, resume or skip', { turn: turn.index, ...error });
  for (;;) {
    // A budget raised but still spent wakes this too: the attention then says the new budget.
    await condition(() => c.decision !== undefined || budgetExceeded(c)?.message !== c.attention?.message);
    if (c.decision !== undefined) return takeDecision(c);
    const still = budgetExceeded(c);
    if (!still) break;
    c.attention = still;
  }
  c.attention = undefined;
  return 'raised';
}
