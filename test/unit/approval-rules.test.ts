/** Which calls wait for a person: `approve` rules in Claude Code's permission-rule syntax, and the hook's answers. */
import { opencodeOptionsProblem } from '../../src/activities/backends/opencode/run-config.js';
import { ConversationOptions } from '../../src/common/conversation.js';
import {
  hookAnswer,
  NOT_RUN_WHILE_WAITING,
  type HookConfig,
} from '../../src/activities/backends/claude/approval-hook-answer.js';
import { matchingRule } from '../../src/activities/backends/claude/approval-rules.js';

const ctx = { cwd: '/work/project', home: '/home/me' };
const bash = (command: string) => ({ tool: 'Bash', input: { command } });
const edit = (file_path: string) => ({ tool: 'Edit', input: { file_path, old_string: 'a', new_string: 'b' } });
const matches = (rule: string, call: { tool: string; input: unknown }) => matchingRule([rule], call, ctx) === rule;

test('a bare tool name matches every call of that tool, and no other tool', () => {
  expect(matches('Bash', bash('ls'))).toBe(true);
  expect(matches('Write', { tool: 'Write', input: { file_path: '/x', content: '' } })).toBe(true);
  expect(matches('Bash', edit('src/a.ts'))).toBe(false);
});

test('Bash(prefix:*) matches the prefix as a whole word; Bash(cmd) only that exact command', () => {
  expect(matches('Bash(git push:*)', bash('git push origin main'))).toBe(true);
  expect(matches('Bash(git push:*)', bash('git push'))).toBe(true);
  expect(matches('Bash(git push:*)', bash('git pushy'))).toBe(false);
  expect(matches('Bash(git push:*)', bash('git status'))).toBe(false);
  expect(matches('Bash(npm run test:*)', bash('npm run test -- --watch'))).toBe(true);
  expect(matches('Bash(rm -rf build)', bash('rm -rf build'))).toBe(true);
  expect(matches('Bash(rm -rf build)', bash('rm -rf build/x'))).toBe(false);
});

test('file tools match gitignore-style globs on the path relative to the cwd', () => {
  expect(matches('Edit(src/**)', edit('/work/project/src/deep/a.ts'))).toBe(true);
  expect(matches('Edit(src/**)', edit('src/a.ts'))).toBe(true);
  expect(matches('Edit(src/**)', edit('/work/project/test/a.ts'))).toBe(false);
  expect(matches('Edit(*.md)', edit('/work/project/docs/README.md'))).toBe(true);
  expect(matches('Edit(/README.md)', edit('/work/project/docs/README.md'))).toBe(false);
  expect(matches('Edit(/README.md)', edit('/work/project/README.md'))).toBe(true);
  // Outside the cwd a relative pattern never matches; `//` is from the root, `~/` from the home folder.
  expect(matches('Edit(**)', edit('/etc/passwd'))).toBe(false);
  expect(matches('Edit(//etc/**)', edit('/etc/passwd'))).toBe(true);
  expect(matches('Write(~/notes/*)', { tool: 'Write', input: { file_path: '/home/me/notes/a.txt' } })).toBe(true);
});

test('mcp__server and mcp__server__* match every tool of that server only; a full name only that tool', () => {
  const call = { tool: 'mcp__github__create_issue', input: {} };
  expect(matches('mcp__github__*', call)).toBe(true);
  expect(matches('mcp__github', call)).toBe(true);
  expect(matches('mcp__github__create_issue', call)).toBe(true);
  expect(matches('mcp__github__list_issues', call)).toBe(false);
  expect(matches('mcp__git__*', call)).toBe(false);
});

test('the first matching rule is named; none matching is undefined', () => {
  expect(matchingRule(['Write', 'Bash(ls:*)', 'Bash'], bash('ls -la'), ctx)).toBe('Bash(ls:*)');
  expect(matchingRule(['Write', 'Edit(src/**)'], bash('ls'), ctx)).toBeUndefined();
});

describe('the hook', () => {
  const config: HookConfig = { rules: ['Bash'], decisions: [], ran: [], ...ctx, deferredFile: '/unused' };
  const event = (id: string, tool = 'Bash', tool_input: unknown = { command: 'ls' }) => ({
    tool_name: tool,
    tool_input,
    tool_use_id: id,
  });
  const decided = (decision: 'allow' | 'deny' | 'answer', text?: string): HookConfig => ({
    ...config,
    decisions: [{ toolUseId: 't1', decision, text, by: 'ann', at: '2026-01-01T00:00:00Z' }],
  });

  test('defers a matching call and a question; has no opinion on others', () => {
    expect(hookAnswer(event('t1'), config)).toEqual({ permissionDecision: 'defer' });
    expect(hookAnswer(event('t1', 'AskUserQuestion', { questions: [] }), { ...config, rules: [] })).toEqual({
      permissionDecision: 'defer',
    });
    expect(hookAnswer(event('t1', 'Read', { file_path: 'a' }), config)).toBeUndefined();
  });

  test('answers a decided call with its decision', () => {
    expect(hookAnswer(event('t1'), decided('allow'))).toEqual({ permissionDecision: 'allow' });
    expect(hookAnswer(event('t1'), decided('deny', 'not now'))).toMatchObject({ permissionDecisionReason: 'not now' });
    expect(hookAnswer(event('t1'), decided('answer', 'blue'))).toMatchObject({
      permissionDecisionReason: 'The user answered: blue',
    });
    expect(hookAnswer(event('t2'), decided('allow'))).toEqual({ permissionDecision: 'defer' });
  });

  test('denies a call that already ran, with its output; and every other call once one was deferred', () => {
    const ran = { ...decided('allow'), ran: [{ toolUseId: 't1', output: 'hello' }] };
    expect(hookAnswer(event('t1'), ran)).toMatchObject({
      permissionDecision: 'deny',
      permissionDecisionReason: expect.stringMatching(/already ran \(approved by ann at .*\).*output was: hello$/),
    });
    expect(hookAnswer(event('t2', 'Read', {}), config, 't1')).toMatchObject({
      permissionDecisionReason: NOT_RUN_WHILE_WAITING,
    });
    expect(hookAnswer(event('t1'), config, 't1')).toEqual({ permissionDecision: 'defer' });
  });
});

test('opencode refuses approve rules, naming what its run lacks', () => {
  const options = ConversationOptions.parse({ cwd: '/x', backend: 'opencode', approve: ['Bash'] });
  expect(opencodeOptionsProblem(options)).toBe(
    'opencode cannot pause a tool call for approval (--approve): `opencode run` rejects what it would ask about',
  );
  expect(opencodeOptionsProblem({ ...options, approve: undefined })).toBeUndefined();
});
