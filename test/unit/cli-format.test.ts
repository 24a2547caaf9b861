/**
 * What `convo show`, `convo ask`, `convo watch` and the spinner print about refused tool calls, money spent and a
 * spent budget.
 */
import { activityLine } from '../../src/cli/format/activity.js';
import { allowHint, allowRule, costLine, formatUsd, refusalLines } from '../../src/cli/format/denials.js';
import { formatState } from '../../src/cli/format/state.js';
import { ConversationOptions, type ConversationState } from '../../src/common/conversation.js';
import { conversationState } from '../helpers/state.js';

function state(overrides: Partial<ConversationState> = {}): ConversationState {
  return conversationState(
    {
      costUsd: 0.42,
      turns: [
        {
          index: 0,
          prompt: 'write hello to out.txt',
          status: 'completed',
          reply: 'I could not write the file.',
          costUsd: 0.42,
          queuedAt: '2026-11-30T10:00:00Z',
          denials: [
            { tool: 'Bash', input: 'echo hi > out.txt' },
            { tool: 'Write', input: '/work/app/out.txt' },
          ],
        },
      ],
      ...overrides,
    },
    { maxCostUsd: 1, allowedTools: ['Read'] },
  );
}

test('show lists each turn refused calls and the total cost against the budget', () => {
  const text = formatState(state());
  expect(text).toContain('  cost $0.42 of $1.00 budget');
  expect(text).toContain(
    [
      '  turn 1 completed: write hello to out.txt',
      '      → I could not write the file.',
      '      ✗ refused Bash: echo hi > out.txt',
      '      ✗ refused Write: /work/app/out.txt',
    ].join('\n'),
  );
  const noBudget = state({ options: ConversationOptions.parse({ cwd: '/work/app' }), costUsd: 0.0031 });
  expect(formatState(noBudget)).toMatch(/^ {2}cost \$0\.0031$/m);
});

test('show of a workflow from before costs and options were kept sums the turns', () => {
  const old = state();
  delete (old as Partial<ConversationState>).costUsd;
  delete (old as Partial<ConversationState>).options;
  delete (old as Partial<ConversationState>).configurations;
  expect(costLine(old)).toBe('cost $0.42');
  expect(formatState(old)).toContain('✗ refused Bash: echo hi > out.txt');
});

test('a spent budget: show and the activity line say how to raise it', () => {
  const waiting = state({
    status: 'needs_attention',
    costUsd: 1.02,
    attention: { type: 'BudgetExceeded', message: 'spent $1.02 of the $1.00 budget' },
  });
  expect(formatState(waiting)).toContain(
    '  raise the budget (now $1.00) with `convo configure conv-1 --max-cost-usd N` (or `convo skip conv-1` to fail the turn)',
  );
  expect(activityLine(waiting, undefined)).toBe(
    'budget spent: waiting for a person (cost $1.02 of $1.00 budget; convo configure conv-1 --max-cost-usd N, or convo skip conv-1)',
  );
  // Other attention keeps its resume hint.
  const auth = state({ status: 'needs_attention', attention: { type: 'Authentication', message: 'Invalid API key' } });
  expect(formatState(auth)).toContain('fix it, then `convo resume conv-1`');
});

test('ask: one line per refused call, then the configure command that allows them, keeping what is allowed', () => {
  const denials = state().turns[0]!.denials!;
  expect(refusalLines('conv-1', denials, ['Read'])).toEqual([
    '✗ refused Bash: echo hi > out.txt',
    '✗ refused Write: /work/app/out.txt',
    'the CLI refused these calls; to allow from the next turn on:',
    "  convo configure conv-1 --allowed-tools Read 'Bash(echo:*)' Write",
  ]);
  expect(refusalLines('conv-1', [])).toEqual([]);
  expect(allowRule({ tool: 'Bash', input: '  npm test -- --watch' })).toBe('Bash(npm:*)');
  expect(allowRule({ tool: 'Bash', input: '$(curl x)' })).toBe('Bash');
  expect(allowRule({ tool: 'mcp__github__create_issue', input: '{"title":"x"}' })).toBe('mcp__github__create_issue');
  expect(allowHint('conv-1', [{ tool: 'Bash', input: 'echo a' }], ['Bash(echo:*)'])).toBe(
    "convo configure conv-1 --allowed-tools 'Bash(echo:*)'",
  );
  expect(formatUsd(12)).toBe('$12.00');
});
