/**
 * What the Web UI shows of a conversation: search attributes (indexed, for filtering in the list) and the current
 * details (Markdown on its page). Search attributes change only when the status, the turn count or the reset time
 * does, as each change is a history event; the current details are cheap (no event) and follow every change of the
 * state. Gated by the patch `convo-visibility`, so that conversations started by an older Convo replay unchanged.
 * While a turn runs, a timer wakes the workflow every `detailsRefreshS` to refresh the elapsed time in the current
 * details (nothing else can: a query sees the time of the last workflow task); a patch of its own, `convo-elapsed`,
 * as it adds timers. The search attribute `CostUsd` (the total spent) is upserted with the others on conversations
 * started after the patch `convo-agent-options`: it adds upserts (and changes their content) where older histories
 * have none.
 */
import { condition, patched, setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import {
  ConversationAccountKey,
  ConversationBackendKey,
  ConversationStatusKey,
  CostUsdKey,
  RateLimitedUntilKey,
  TurnCountKey,
} from '../../common/search-attributes.js';
import { conditionOrTimer } from './condition-or-timer.js';
import { currentDetails } from './current-details.js';
import type { Conversation } from './state.js';

/** Publishes a conversation's state to the Web UI, and keeps it published. */
export class Visibility {
  /** The search attributes last upserted (status, turn count, reset time), so that only changes are written. */
  private published = '';

  private constructor(
    private readonly c: Conversation,
    /** True when the conversation keeps search attributes (see {@link Visibility.start}). */
    private readonly indexed: boolean,
    /** How often the current details are refreshed while a turn runs, in ms; 0 for never. */
    private readonly refreshMs: number,
    /** True when `CostUsd` is upserted with the other search attributes (see {@link Visibility.start}). */
    private readonly withCost: boolean,
  ) {}

  /**
   * Publishes the state now and on every change from here on, unless the conversation started before the
   * `convo-visibility` patch (then returns undefined and publishes nothing, ever). Call it once, where the workflow
   * always did: right after joining the account, before the turn loop.
   */
  static start(c: Conversation): Visibility | undefined {
    if (!patched('convo-visibility')) return undefined;
    const refreshMs = c.options.detailsRefreshS > 0 && patched('convo-elapsed') ? c.options.detailsRefreshS * 1000 : 0;
    // Search attributes are kept only on conversations started with them (as ConvoClient.start does), which proves
    // the namespace knows them: upserting an unknown one would fail every workflow task of the conversation.
    const indexed = workflowInfo().typedSearchAttributes.get(ConversationStatusKey) !== undefined;
    // Evaluated once, here: a history recorded before the patch replays without CostUsd for the whole run, and
    // conversations without search attributes get no marker. Workers register CostUsd before taking work.
    const withCost = indexed && patched('convo-agent-options');
    const visibility = new Visibility(c, indexed, refreshMs, withCost);
    void visibility.follow();
    return visibility;
  }

  /** Upserts the search attributes if they changed, and sets the current details. */
  publish(): void {
    const s = this.c.state();
    const until = this.c.waitingOnPause && s.rateLimitedUntil ? new Date(s.rateLimitedUntil) : null;
    const key = JSON.stringify(
      this.withCost ? [s.status, s.turns.length, until, s.costUsd] : [s.status, s.turns.length, until],
    );
    if (this.indexed && key !== this.published) {
      this.published = key;
      upsertSearchAttributes([
        { key: ConversationStatusKey, value: s.status },
        { key: ConversationBackendKey, value: s.backend },
        { key: ConversationAccountKey, value: s.account },
        { key: TurnCountKey, value: s.turns.length },
        { key: RateLimitedUntilKey, value: until },
        ...(this.withCost ? [{ key: CostUsdKey, value: s.costUsd }] : []),
      ]);
    }
    setCurrentDetails(currentDetails(s, new Date()));
  }

  /** Publishes on every change of what the Web UI shows, and on a timer while a turn runs. Never returns. */
  private async follow(): Promise<void> {
    for (;;) {
      const seen = this.changes();
      this.publish();
      const current = this.c.current;
      if (this.refreshMs > 0 && current?.turn.status === 'running') {
        const summary = `refresh current details: turn ${current.turn.index + 1} running`;
        await conditionOrTimer(() => this.changes() !== seen, this.refreshMs, summary);
      } else await condition(() => this.changes() !== seen);
    }
  }

  /** A key of everything the Web UI shows that can change between workflow tasks. */
  private changes(): string {
    const { turns, pause, waitingOnPause, current, attention, pending } = this.c;
    const turn = current?.turn;
    return JSON.stringify([
      this.c.status(),
      turns.length,
      pause?.until,
      waitingOnPause,
      turn?.index,
      turn?.status,
      attention?.type,
      // Constant (0) in conversations that never had `configure`: no extra wake-ups, hence no patch.
      this.c.revision,
      // Constant (absent) in conversations whose turns never paused at a tool call: no patch either.
      pending?.call.toolUseId,
    ]);
  }
}
