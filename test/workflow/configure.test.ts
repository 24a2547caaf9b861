/**
 * `configure` and budgets on the time-skipping test server, with the turn activity faked: the options the next turn
 * runs with, how turns and the state record them, the validator's refusals, and a conversation that stops at its
 * `maxCostUsd`, waits in `needs_attention`, and goes on when the budget is raised, resumed or skipped.
 */
import {
  askUpdate,
  closeSignal,
  configureUpdate,
  resumeUpdate,
  sendTurnSignal,
  skipUpdate,
  stateQuery,
} from '../../src/workflows/messages.js';
import {
  costing,
  currentDetailsOf,
  echo,
  updateFailure,
  useWorkflowEnv,
  waitForState,
} from '../helpers/workflow-env.js';

const { withConversation } = useWorkflowEnv();

test('configure changes the options from the next turn on; turns and the state record the revision', async () => {
  await withConversation(echo, async (handle, { runTurn }) => {
    await handle.executeUpdate(askUpdate, { args: ['one'] });
    expect(await handle.executeUpdate(configureUpdate, { args: [{ model: 'opus', maxTurns: 3 }] })).toBe(1);
    await handle.executeUpdate(askUpdate, { args: ['two'] });
    expect(await handle.executeUpdate(configureUpdate, { args: [{ model: null, disallowedTools: ['Bash'] }] })).toBe(2);
    await handle.executeUpdate(askUpdate, { args: ['three'] });

    const inputs = runTurn.mock.calls.map(([input]) => input.options);
    expect(inputs.map((o) => [o.model, o.maxTurns, o.disallowedTools])).toEqual([
      [undefined, undefined, undefined],
      ['opus', 3, undefined],
      [undefined, 3, ['Bash']],
    ]);
    const state = await handle.query(stateQuery);
    expect(state.turns.map((t) => t.optionsRevision)).toEqual([0, 1, 2]);
    expect(state.options).toMatchObject({ maxTurns: 3, disallowedTools: ['Bash'], cwd: '/tmp' });
    expect(state.options.model).toBeUndefined();
    expect(state.configurations.map(({ revision, changes }) => ({ revision, changes }))).toEqual([
      { revision: 1, changes: { model: 'opus', maxTurns: 3 } },
      { revision: 2, changes: { model: null, disallowedTools: ['Bash'] } },
    ]);
    expect(Date.parse(state.configurations[0]!.at)).not.toBeNaN();
  });
});

test('configure is refused with InvalidOptions when its input does not parse, and Closed once closing', async () => {
  await withConversation(echo, async (handle, { runTurn }) => {
    const configure = (input: unknown) =>
      updateFailure(handle.executeUpdate(configureUpdate, { args: [input as never] }));
    expect(await configure({ maxCostUsd: -1 })).toMatchObject({
      type: 'InvalidOptions',
      message: expect.stringMatching(/^maxCostUsd: .*>0/),
    });
    expect(await configure({ cwd: '/elsewhere' })).toMatchObject({
      type: 'InvalidOptions',
      message: expect.stringContaining('"cwd"'),
    });
    expect(await configure({ effort: 'huge' })).toMatchObject({ type: 'InvalidOptions', message: /^effort: / });
    expect(await configure({})).toMatchObject({ type: 'InvalidOptions', message: /changes nothing/ });
    // Nothing was applied.
    const state = await handle.query(stateQuery);
    expect(state.configurations).toEqual([]);
    expect(state.options.maxCostUsd).toBeUndefined();

    await handle.signal(closeSignal);
    expect(await configure({ model: 'opus' })).toMatchObject({ type: 'Closed', message: 'conversation is closed' });
    expect(runTurn).not.toHaveBeenCalled();
  });
});

test('a turn does not start past maxCostUsd: it waits until configure raises the budget, then runs', async () => {
  await withConversation(costing(0.6), async (_, { start, runTurn }) => {
    const handle = await start(undefined, { maxCostUsd: 1 });
    await handle.executeUpdate(askUpdate, { args: ['one'] });
    await handle.executeUpdate(askUpdate, { args: ['two'] });
    await handle.signal(sendTurnSignal, 'three');
    const waiting = await waitForState(handle, (s) => s.status === 'needs_attention');
    expect(waiting.attention).toEqual({
      type: 'BudgetExceeded',
      message: 'spent $1.20 of the $1.00 budget (maxCostUsd)',
    });
    expect(waiting.costUsd).toBeCloseTo(1.2);
    expect(waiting.turns[2]!.status).toBe('queued');
    expect(runTurn).toHaveBeenCalledTimes(2);
    const details = await currentDetailsOf(handle);
    expect(details).toContain('$1.20 of $1.00 budget');
    expect(details).toContain(`\`convo configure ${handle.workflowId} --max-cost-usd N\``);

    // Raised, but not above what was spent: it still waits, and says the new budget.
    await handle.executeUpdate(configureUpdate, { args: [{ maxCostUsd: 1.1 }] });
    const still = await waitForState(handle, (s) => s.attention?.message.includes('$1.10') === true);
    expect(still.attention?.message).toBe('spent $1.20 of the $1.10 budget (maxCostUsd)');
    expect(runTurn).toHaveBeenCalledTimes(2);
    expect(await handle.executeUpdate(configureUpdate, { args: [{ maxCostUsd: 5 }] })).toBe(2);
    const done = await waitForState(handle, (s) => s.turns[2]?.status === 'completed');
    expect(done.status).toBe('idle');
    expect(done.attention).toBeUndefined();
    expect(done.turns[2]!.optionsRevision).toBe(2);
    const remaining = runTurn.mock.calls.map(([input]) => input.remainingBudgetUsd);
    expect(remaining).toEqual([1, expect.closeTo(0.4), expect.closeTo(3.8)]);
  });
});

test('past its budget, resume runs the turn once (no cap for the CLI) and skip fails it with BudgetExceeded', async () => {
  await withConversation(costing(1.5), async (_, { start, runTurn }) => {
    const handle = await start(undefined, { maxCostUsd: 1 });
    await handle.executeUpdate(askUpdate, { args: ['one'] });
    await handle.signal(sendTurnSignal, 'two');
    await waitForState(handle, (s) => s.status === 'needs_attention');
    await handle.executeUpdate(resumeUpdate);
    await waitForState(handle, (s) => s.turns[1]?.status === 'completed');
    expect(runTurn.mock.calls[1]![0].remainingBudgetUsd).toBeUndefined();

    // Resumed once: the next turn waits again, and an ask on it fails when it is skipped.
    const asked = updateFailure(handle.executeUpdate(askUpdate, { args: ['three'] }));
    await waitForState(handle, (s) => s.status === 'needs_attention' && s.turns.length === 3);
    await handle.executeUpdate(skipUpdate);
    const message = 'spent $3.00 of the $1.00 budget (maxCostUsd)';
    expect(await asked).toMatchObject({ type: 'BudgetExceeded', message });
    const state = await handle.query(stateQuery);
    expect(state.turns[2]).toMatchObject({ status: 'failed', error: { type: 'BudgetExceeded', message } });
    expect(state.status).toBe('idle');
    expect(runTurn).toHaveBeenCalledTimes(2);

    // Removing the budget lets every turn run.
    await handle.executeUpdate(configureUpdate, { args: [{ maxCostUsd: null }] });
    expect(await handle.executeUpdate(askUpdate, { args: ['four'] })).toMatchObject({ reply: 'echo four' });
  });
});
