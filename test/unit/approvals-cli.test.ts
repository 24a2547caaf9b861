/**
 * What `convo` prints and parses about tool calls that wait for a person: `--approval-timeout` durations and the
 * `--approve` flags, the waiting call and the decisions in `convo show`, the spinner's line, the one line `convo ask`
 * prints off a terminal, and who decides.
 */
import { hostname } from 'node:os';
import { personWait, EXIT_NEEDS_ATTENTION, EXIT_WAITS_FOR_DECISION } from '../../src/cli/ask-wait.js';
import { agentOptions, configureInput } from '../../src/cli/agent-flags.js';
import { activityLine } from '../../src/cli/format/activity.js';
import { decisionLine, waitLine } from '../../src/cli/format/approvals.js';
import { formatState } from '../../src/cli/format/state.js';
import { parseDurationSeconds } from '../../src/cli/options.js';
import { flagsOf } from '../helpers/cli-flags.js';
import { decidedBy, waitingNote } from '../../src/client/decisions.js';
import { currentTurn } from '../../src/client/snapshot.js';
import { TIMEOUT_DENIAL, type PendingToolCall } from '../../src/common/approvals.js';
import type { ConversationState } from '../../src/common/conversation.js';
import { conversationState } from '../helpers/state.js';

const NOW = new Date('2026-11-30T12:30:00Z');

const CALL: PendingToolCall = {
  toolUseId: 'toolu_01',
  tool: 'Bash',
  input: { command: 'echo hi > f' },
  summary: 'echo hi > f',
  kind: 'approval',
  rule: 'Bash',
  since: '2026-11-30T12:03:00Z',
};

function state(overrides: Partial<ConversationState> = {}): ConversationState {
  return conversationState({ costUsd: 0, ...overrides }, { approve: ['Bash'] });
}

/** A conversation whose first turn waits on `call`. */
function waiting(call: PendingToolCall = CALL): ConversationState {
  return state({
    status: 'needs_approval',
    pending: call,
    turns: [{ index: 0, prompt: 'write f', status: 'running', queuedAt: '2026-11-30T12:02:00Z', pending: call }],
  });
}

test('--approval-timeout durations become whole seconds; anything else is refused in one line', () => {
  expect(parseDurationSeconds('90s')).toBe(90);
  expect(parseDurationSeconds('15m')).toBe(900);
  expect(parseDurationSeconds('2h')).toBe(7200);
  expect(parseDurationSeconds('3d')).toBe(259_200);
  expect(parseDurationSeconds('1.5h')).toBe(5400);
  expect(parseDurationSeconds(' 2 hours ')).toBe(7200);
  expect(parseDurationSeconds('45')).toBe(45);
  for (const bad of ['', 'soon', '0s', '-5m', '1.5s', '500ms', 'h', '1e3', '10 parsecs', '5m and more']) {
    expect(() => parseDurationSeconds(bad)).toThrow('not a duration of whole seconds (e.g. 90s, 15m, 2h, 3d)');
  }
});

test('--approve and --approval-timeout give approve and approvalTimeoutS; configure clears them by flag name', async () => {
  const start = await flagsOf('start', ['--approve', 'Bash(git push:*)', 'Write', '--approval-timeout', '2h']);
  expect(agentOptions(start)).toEqual({ approve: ['Bash(git push:*)', 'Write'], approvalTimeoutS: 7200 });
  const set = await flagsOf('configure', ['c1', '--approve', 'Edit(src/**)', '--clear', 'approval-timeout']);
  expect(configureInput(set)).toEqual({ approve: ['Edit(src/**)'], approvalTimeoutS: null });
  const both = await flagsOf('configure', ['c1', '--approve', 'Bash', '--clear', 'approve']);
  expect(() => configureInput(both)).toThrow('--clear approve and --approve both given: set it or clear it');
});

test('convo show names the waiting call, since when, its rule and the commands; each decision on its turn', () => {
  const shown = formatState(waiting(), NOW).split('\n');
  expect(shown[0]).toBe('conv-1  needs_approval');
  expect(shown).toContain('  waiting for approval: Bash: echo hi > f (since 12:03 UTC, rule Bash)');
  expect(shown).toContain('  convo approve conv-1 [--always] or convo deny conv-1 [--reason TEXT]');

  const question: PendingToolCall = { ...CALL, tool: 'AskUserQuestion', summary: 'Which file?', kind: 'question' };
  expect(formatState(waiting(question), NOW).split('\n')).toEqual(
    expect.arrayContaining([
      '  waiting for an answer: Which file? (since 12:03 UTC)',
      '  convo answer conv-1 TEXT (or convo deny conv-1)',
    ]),
  );

  const decided = state({
    turns: [
      {
        index: 0,
        prompt: 'write f',
        status: 'completed',
        reply: 'done',
        queuedAt: '2026-11-30T12:02:00Z',
        decisions: [
          { toolUseId: 'toolu_01', decision: 'allow', by: 'alice@box', at: '2026-11-30T12:04:00Z' },
          { toolUseId: 'toolu_02', decision: 'deny', text: 'not now', by: 'bob@box', at: '2026-11-30T12:05:00Z' },
          { toolUseId: 'toolu_03', decision: 'deny', text: TIMEOUT_DENIAL, by: 'timeout', at: '2026-11-29T12:06:00Z' },
        ],
      },
    ],
  });
  const lines = formatState(decided, NOW).split('\n');
  expect(lines.slice(-5)).toEqual([
    '  turn 1 completed: write f',
    '      ✓ approved call toolu_01 by alice@box at 12:04 UTC',
    '      ✗ denied call toolu_02 by bob@box at 12:05 UTC: not now',
    '      ✗ denied call toolu_03 at 2026-11-29 12:06 UTC (approval timeout)',
    '      → done',
  ]);
  // Where the call is known (the one waiting, or seen waiting by convo watch), it is named.
  const answer = {
    toolUseId: 'q1',
    decision: 'answer' as const,
    text: 'the big one',
    by: 'a@b',
    at: NOW.toISOString(),
  };
  expect(decisionLine(answer, { tool: 'AskUserQuestion', summary: 'Which file?' }, NOW)).toBe(
    '✓ answered AskUserQuestion: Which file? by a@b at 12:30 UTC: the big one',
  );
});

test('the spinner names the wait; the turn that waits is the current one', () => {
  expect(activityLine(waiting(), undefined)).toBe(
    'waiting for approval: Bash: echo hi > f (convo approve conv-1 or convo deny conv-1)',
  );
  expect(currentTurn(waiting())?.index).toBe(0);
});

test('convo ask off a terminal: one line naming the wait and the command that ends it, and its exit status', () => {
  expect(personWait(waiting())).toMatchObject({
    line: 'waiting for approval: Bash: echo hi > f — convo approve conv-1 or convo deny conv-1',
    exitCode: EXIT_WAITS_FOR_DECISION,
  });
  const login = state({
    status: 'needs_attention',
    attention: { type: 'Authentication', message: 'API Error: 401 invalid x-api-key' },
    turns: [{ index: 0, prompt: 'hi', status: 'queued', queuedAt: '2026-11-30T12:02:00Z' }],
  });
  expect(personWait(login)).toMatchObject({
    line: 'needs attention: Authentication: API Error: 401 invalid x-api-key — fix it, then convo resume conv-1 (or convo skip conv-1)',
    exitCode: EXIT_NEEDS_ATTENTION,
  });
  expect([EXIT_WAITS_FOR_DECISION, EXIT_NEEDS_ATTENTION]).toEqual([3, 4]);
  expect(personWait(state({ status: 'running' }))).toBeUndefined();
  expect(waitLine(state({ status: 'rate_limited', rateLimitedUntil: NOW.toISOString() }))).toBeUndefined();
});

test('a decision is made by user@host; a refusal because nothing waits says what does', () => {
  expect(decidedBy()).toMatch(new RegExp(`^[^@\\s]+@${hostname().replace(/\./g, '\\.')}$`));
  expect(waitingNote(state())).toBe(' (status idle)');
  expect(waitingNote(waiting({ ...CALL, kind: 'question' }))).toBe(' (a question waits: convo answer conv-1 TEXT)');
  expect(waitingNote(waiting())).toBe(' (a tool call waits: convo approve conv-1 or convo deny conv-1)');
});
