/** The current details the Web UI shows for a conversation, from its state. */
import { currentDetails } from '../../src/workflows/conversation/current-details.js';
import type { ConversationState } from '../../src/common/conversation.js';

const base: ConversationState = {
  id: 'conv-1',
  status: 'idle',
  backend: 'claude',
  account: 'team',
  cwd: '/srv/repo',
  sessionId: 's',
  closing: false,
  turns: [],
  transcriptBytes: 0,
  costUsd: 0,
  options: { backend: 'claude', cwd: '/srv/repo', account: 'team', historyLimitBytes: 4194304, detailsRefreshS: 60 },
  configurations: [],
};
const now = new Date('2026-11-22T10:00:00Z');

test('idle: status line and the first lines of the last reply', () => {
  const text = currentDetails(
    {
      ...base,
      title: 'Triage',
      turns: [{ index: 0, prompt: 'p', status: 'completed', reply: 'one\ntwo\n\nthree\nfour', queuedAt: '' }],
    },
    now,
  );
  expect(text.split('\n\n')).toEqual([
    '### Triage',
    '**idle** · 1 turn · backend claude · account team',
    'Last reply (turn 1):',
    '> one\n> two\n> three\n> …',
  ]);
});

test("running: the running turn's prompt, elapsed time (as of the workflow's time) and start time", () => {
  const turns = [
    {
      index: 0,
      prompt: 'fix the bug\nin parser.ts',
      status: 'running' as const,
      queuedAt: '',
      startedAt: '2026-11-22T09:58:00Z',
    },
  ];
  const running = { ...base, status: 'running' as const, turns };
  expect(currentDetails(running, now)).toContain('Running turn 1 for 2m (since 09:58 UTC): fix the bug');
  expect(currentDetails(running, new Date('2026-11-22T09:58:00.400Z'))).toContain(
    'Running turn 1 (since 09:58 UTC): fix the bug',
  );
  expect(currentDetails(running, new Date('2026-11-22T09:58:42Z'))).toContain(
    'Running turn 1 for 42s (since 09:58 UTC)',
  );
  expect(currentDetails(running, new Date('2026-11-22T12:03:59Z'))).toContain(
    'Running turn 1 for 2h 05m (since 09:58 UTC)',
  );
});

test('rate limited: the reset time; needs attention: the reason and the command', () => {
  const queued = [{ index: 0, prompt: 'p', status: 'queued' as const, queuedAt: '' }];
  const limited = currentDetails(
    {
      ...base,
      status: 'rate_limited',
      turns: queued,
      rateLimitedUntil: '2026-11-22T14:00:00.000Z',
      rateLimitMessage: "You've hit your limit",
    },
    now,
  );
  expect(limited).toContain(
    "Usage limit: sleeping until **14:00 UTC** (2026-11-22T14:00:00.000Z). You've hit your limit",
  );
  expect(limited).not.toContain('queued');
  const tomorrow = currentDetails(
    { ...base, status: 'rate_limited', turns: queued, rateLimitedUntil: '2026-11-23T01:00:00.000Z' },
    now,
  );
  expect(tomorrow).toContain('until **2026-11-23 01:00 UTC**');
  const attention = currentDetails(
    {
      ...base,
      status: 'needs_attention',
      turns: queued,
      attention: { type: 'Authentication', message: 'Invalid API key' },
    },
    now,
  );
  expect(attention).toContain('Needs attention: **Authentication**: Invalid API key');
  expect(attention).toContain('`convo resume conv-1`');
});

test('the total spent, and the budget with the commands while a turn waits on it', () => {
  const done = [{ index: 0, prompt: 'p', status: 'completed' as const, reply: 'ok', queuedAt: '', costUsd: 0.6 }];
  expect(currentDetails({ ...base, turns: done, costUsd: 0.6 }, now).split('\n\n')[0]).toBe(
    '**idle** · 1 turn · backend claude · account team · $0.60 spent',
  );
  const waiting = currentDetails(
    {
      ...base,
      status: 'needs_attention',
      turns: [...done, { index: 1, prompt: 'q', status: 'queued', queuedAt: '' }],
      costUsd: 1.2,
      options: { ...base.options, maxCostUsd: 1 },
      attention: { type: 'BudgetExceeded', message: 'spent $1.20 of the $1.00 budget (maxCostUsd)' },
    },
    now,
  );
  expect(waiting).toContain('· $1.20 of $1.00 budget');
  expect(waiting).toContain('Needs attention: **BudgetExceeded**: spent $1.20 of the $1.00 budget (maxCostUsd)');
  expect(waiting).toContain(
    'Raise the budget with `convo configure conv-1 --max-cost-usd N` and the turn runs; ' +
      'or `convo resume conv-1` to run it anyway, `convo skip conv-1` to fail it.',
  );
  expect(waiting).not.toContain('Fix it');
});

test("the last turn's refused tool calls (the first three) and the options that allow them", () => {
  const denials = ['echo hi > out.txt', 'rm -rf build', 'curl example.com', 'ls'].map((input) => ({
    tool: 'Bash',
    input,
  }));
  const turn = { index: 0, prompt: 'p', status: 'completed' as const, reply: 'done', queuedAt: '' };
  expect(currentDetails({ ...base, turns: [{ ...turn, denials: denials.slice(0, 1) }] }, now)).toContain(
    '1 tool call refused: Bash: echo hi > out.txt. `--allowed-tools` (at start) or ' +
      '`convo configure conv-1 --allowed-tools …` allows them.',
  );
  expect(currentDetails({ ...base, turns: [{ ...turn, denials }] }, now)).toContain(
    '4 tool calls refused: Bash: echo hi > out.txt, Bash: rm -rf build, Bash: curl example.com, and 1 more. ',
  );
  expect(currentDetails({ ...base, turns: [turn] }, now)).not.toContain('refused');
});

test('needs approval: the waiting tool call, its input, since when, and the commands that decide it', () => {
  const pending = {
    toolUseId: 'toolu_1',
    tool: 'Bash',
    input: { command: 'echo hi > f', description: 'write f' },
    summary: 'echo hi > f',
    kind: 'approval' as const,
    rule: 'Bash(echo:*)',
    since: '2026-11-22T09:30:00.000Z',
  };
  const turns = [{ index: 0, prompt: 'p', status: 'queued' as const, queuedAt: '', pending }];
  const text = currentDetails({ ...base, status: 'needs_approval', turns, pending }, now);
  expect(text.split('\n\n')).toEqual([
    '**needs_approval** · 1 turn · backend claude · account team',
    'Needs approval (since 09:30 UTC): **Bash** echo hi > f',
    '```json\n{\n  "command": "echo hi > f",\n  "description": "write f"\n}\n```',
    '`convo approve conv-1` runs it (`--always` also allows `Bash(echo:*)` from now on); ' +
      '`convo deny conv-1 --reason …` refuses it and tells the agent why.',
  ]);
  // An input holding backticks cannot close the block; a long one is cut.
  const fenced = currentDetails(
    { ...base, status: 'needs_approval', turns, pending: { ...pending, input: { command: 'echo ```x```' } } },
    now,
  );
  expect(fenced).toContain('````json\n{\n  "command": "echo ```x```"\n}\n````');
  const long = currentDetails(
    { ...base, status: 'needs_approval', turns, pending: { ...pending, input: { content: 'x'.repeat(5000) } } },
    now,
  );
  expect(long.length).toBeLessThan(2600);
  expect(long).toContain('xxx…\n```');
});

test('needs an answer: the question and the command that answers it', () => {
  const pending = {
    toolUseId: 'toolu_q',
    tool: 'AskUserQuestion',
    input: { questions: [{ question: 'Which colour?' }] },
    summary: 'Which colour?',
    kind: 'question' as const,
    rule: 'AskUserQuestion',
    since: '2026-11-22T09:30:00.000Z',
  };
  const turns = [
    { index: 0, prompt: 'p', status: 'queued' as const, queuedAt: '', pending },
    { index: 1, prompt: 'q', status: 'queued' as const, queuedAt: '' },
  ];
  const text = currentDetails({ ...base, status: 'needs_approval', turns, pending }, now);
  expect(text).toContain('Needs an answer (since 09:30 UTC): the agent asks: Which colour?');
  expect(text).toContain('Answer with `convo answer conv-1 TEXT` (or `convo deny conv-1 --reason …`).');
  expect(text).not.toContain('convo approve');
  // The waiting turn is not counted among the queued ones.
  expect(text).toContain('1 more turn queued');
});
