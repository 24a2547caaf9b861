/**
 * The wait for a person's decision on a tool call: a turn whose run paused at a call (`TurnResult.pending`: an
 * `approve` rule matched, or the agent asked a question) is not over. The call is recorded on the turn and in the
 * state (`pending`), the conversation is in `needs_approval`, and the turn waits, durably and with nothing running,
 * for `approve`, `deny` or `answer` (updates, refused with `NotWaiting` or `InvalidOptions`; or the same as signals,
 * dropped when they do not apply), or for `approvalTimeoutS` (a timer named in the timeline) which denies the call by
 * `timeout`. The decision is appended to the turn's `decisions`; the turn loop then runs the turn again, continuing it.
 *
 * Recorded histories never paused (no run returned `pending` before this existed), so nothing here needs a patch.
 */
import { ApplicationFailure, condition, log } from '@temporalio/workflow';
import {
  AnswerInput,
  ApproveInput,
  DenyInput,
  TIMEOUT_DENIAL,
  type PendingToolCall,
  type ToolDecision,
} from '../../common/approvals.js';
import type { ConfigureInput, ConversationOptions, TurnRecord } from '../../common/conversation.js';
import { excerpt } from '../../common/text.js';
import { conditionOrTimer } from './condition-or-timer.js';
import { problemOf } from './configure.js';
import type { Conversation, PendingWait } from './state.js';

/** What a person can send about a waiting call. */
export type DecisionVerb = 'approve' | 'deny' | 'answer';

const INPUTS = { approve: ApproveInput, deny: DenyInput, answer: AnswerInput } as const;
type Inputs = { approve: ApproveInput; deny: DenyInput; answer: AnswerInput };

/**
 * Puts the conversation in `needs_approval` for `call`, on which `turn`'s run paused, and waits until a person decides
 * or `timeoutS` (s; undefined: no timeout) passes, which denies the call by `timeout` with {@link TIMEOUT_DENIAL}.
 * Cancelled with the turn's scope (`cancelTurn`). The decision is on `turn.decisions` when it returns.
 * @returns the rule a person allowed for the rest of the conversation (`approve --always`), if any: the turn's next
 * run should no longer wait on it.
 */
export async function waitForDecision(
  c: Conversation,
  turn: TurnRecord,
  call: Omit<PendingToolCall, 'since'>,
  timeoutS: number | undefined,
): Promise<string | undefined> {
  const pending: PendingToolCall = { ...call, since: new Date().toISOString() };
  const wait: PendingWait = { turn, call: pending };
  turn.pending = pending;
  turn.status = 'queued';
  c.pending = wait;
  log.info('tool call waits for a decision', { turn: turn.index, tool: call.tool, kind: call.kind });
  try {
    const decided = () => wait.decision !== undefined;
    if (timeoutS === undefined) await condition(decided);
    else {
      const summary = `approval timeout: ${call.tool} ${excerpt(call.summary, 60)}`;
      await conditionOrTimer(decided, timeoutS * 1000, summary);
      if (!decided()) {
        const at = new Date().toISOString();
        const { toolUseId, tool, summary } = call;
        record(wait, { toolUseId, tool, summary, decision: 'deny', text: TIMEOUT_DENIAL, by: 'timeout', at });
        log.warn('tool call denied: nobody decided in time', { turn: turn.index, tool: call.tool, timeoutS });
      }
    }
    return wait.allowedRule;
  } finally {
    c.pending = undefined;
    delete turn.pending;
  }
}

/**
 * Validator of the `approve`, `deny` and `answer` updates.
 * @throws ApplicationFailure `InvalidOptions` when `input` does not parse (`ApproveInput`, `DenyInput`,
 * `AnswerInput`); `NotWaiting` when no call waits, or the one that waits is not the kind `verb` decides (`answer` is
 * for a question, `approve` for an approval; `deny` for either).
 */
export function refuseUnlessDecidable(c: Conversation, verb: DecisionVerb, input: unknown): void {
  const parsed = INPUTS[verb].safeParse(input ?? {});
  if (!parsed.success) throw ApplicationFailure.nonRetryable(problemOf(parsed.error), 'InvalidOptions');
  const problem = notWaiting(c, verb);
  if (problem) throw ApplicationFailure.nonRetryable(problem, 'NotWaiting');
}

/**
 * The `approve`, `deny`, `answer` updates (validated already): records the decision on the waiting call's turn, which
 * then goes on. `approve` with `always` also allows the call's rule for the rest of the conversation (a
 * configuration revision, like `configure`).
 * @returns the decision as recorded.
 */
export function decideCall<V extends DecisionVerb>(
  c: Conversation,
  verb: V,
  input: Inputs[V] | undefined,
): ToolDecision {
  const wait = c.pending!;
  const parsed = INPUTS[verb].parse(input ?? {}) as ApproveInput & DenyInput & Partial<AnswerInput>;
  const text = verb === 'deny' ? parsed.reason : verb === 'answer' ? parsed.text : undefined;
  const decision: ToolDecision = {
    toolUseId: wait.call.toolUseId,
    tool: wait.call.tool,
    summary: wait.call.summary,
    decision: verb === 'approve' ? 'allow' : verb,
    ...(text !== undefined ? { text } : {}),
    by: parsed.by ?? 'unknown',
    at: new Date().toISOString(),
  };
  record(wait, decision);
  if (verb === 'approve' && parsed.always && wait.call.rule) {
    c.configure(allowRule(c.options, wait.call.rule));
    wait.allowedRule = wait.call.rule;
  }
  log.info('tool call decided', { turn: wait.turn.index, tool: wait.call.tool, decision: decision.decision });
  return decision;
}

/** The `approveCall`, `denyCall`, `answerQuestion` signals: like the updates, but a signal that does not apply is
 * logged and dropped (a signal cannot be refused). */
export function decideBySignal(c: Conversation, verb: DecisionVerb, input: unknown): void {
  const parsed = INPUTS[verb].safeParse(input ?? {});
  const problem = parsed.success ? notWaiting(c, verb) : problemOf(parsed.error);
  if (problem) log.warn(`${verb} signal dropped`, { problem });
  else decideCall(c, verb, parsed.data);
}

/**
 * The `configure` changes that allow `rule` for the rest of the conversation: added to `allowedTools`, removed from
 * `approve` (when it is there).
 */
export function allowRule(options: ConversationOptions, rule: string): ConfigureInput {
  const allowed = options.allowedTools ?? [];
  const changes: ConfigureInput = { allowedTools: allowed.includes(rule) ? allowed : [...allowed, rule] };
  if (options.approve?.includes(rule)) {
    const approve = options.approve.filter((r) => r !== rule);
    changes.approve = approve.length > 0 ? approve : null;
  }
  return changes;
}

/** Why `verb` does not apply to what the conversation waits on, or undefined when it does. */
function notWaiting(c: Conversation, verb: DecisionVerb): string | undefined {
  const wait = c.pending;
  if (!wait || wait.decision)
    return `conversation ${c.id} has no tool call waiting for a decision (status ${c.status()})`;
  const { kind, tool, summary } = wait.call;
  if (verb === 'answer' && kind !== 'question') {
    return `conversation ${c.id} waits for approval of ${tool}: ${excerpt(summary, 80)}, not for an answer: approve or deny it`;
  }
  if (verb === 'approve' && kind === 'question') {
    return `conversation ${c.id} waits for an answer to a question: ${excerpt(summary, 80)}: answer it (or deny it)`;
  }
  return undefined;
}

/** Appends `decision` to the waiting call's turn; the call no longer waits. */
function record(wait: PendingWait, decision: ToolDecision): void {
  (wait.turn.decisions ??= []).push(decision);
  wait.decision = decision;
  delete wait.turn.pending;
}
