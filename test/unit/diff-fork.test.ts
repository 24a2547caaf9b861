/**
 * `convo diff` and `convo fork` on the client: which commits a diff compares (from the turn records), the diff itself
 * read with the real git (a `--cwd` work tree's repository, and a remote fetched over `file://` with a `${VAR}` in its
 * URL), where a fork goes on from, the transcript cut to that turn, and the one-line refusals.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConversationState, TurnRecord } from '../../src/common/conversation.js';
import { diffRange } from '../../src/client/diff-range.js';
import { conversationDiff } from '../../src/client/diff.js';
import { ConvoError } from '../../src/client/errors.js';
import { forkOptions, forkPoint, forkTranscript } from '../../src/client/fork.js';
import { conversationState } from '../helpers/state.js';

const sha = (c: string) => c.repeat(40);

function turn(index: number, extra: Partial<TurnRecord> = {}): TurnRecord {
  return { index, prompt: `p${index + 1}`, status: 'completed', queuedAt: '', ...extra };
}

/** A conversation of three turns: turn 1 changed a file, turn 2 nothing, turn 3 two files. */
function threeTurns(overrides: Partial<ConversationState> = {}): ConversationState {
  return conversationState({
    turns: [
      turn(0, { workspace: { from: sha('a'), commit: sha('b'), files: [] }, transcriptBytes: 100 }),
      turn(1, { workspace: { from: sha('b'), files: [] }, transcriptBytes: 250 }),
      turn(2, { workspace: { from: sha('b'), commit: sha('c'), files: [] }, transcriptBytes: 400 }),
    ],
    ...overrides,
  });
}

function refusal(run: () => unknown, code: ConvoError['code'] = 'InvalidOptions'): string {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(ConvoError);
    expect((err as ConvoError).code).toBe(code);
    expect((err as Error).message).not.toContain('\n');
    return (err as Error).message;
  }
  throw new Error('expected a refusal');
}

test('diff range: a turn is its from..commit, the conversation its first from..last commit', () => {
  const state = threeTurns();
  expect(diffRange(state, 1)).toEqual({ turn: 1, from: sha('a'), to: sha('b') });
  expect(diffRange(state, 2)).toEqual({ turn: 2, from: sha('b'), to: undefined });
  expect(diffRange(state)).toEqual({ from: sha('a'), to: sha('c') });
  expect(diffRange(conversationState())).toEqual({});
  const compacted = conversationState({ turns: [turn(0, { kind: 'compact' })] });
  expect(diffRange(compacted, 1)).toEqual({ turn: 1 });
});

test('diff range refusals: one line each', () => {
  const state = threeTurns();
  expect(refusal(() => diffRange(state, 4))).toBe('conversation conv-1 has no turn 4 (it has 3 turns)');
  expect(refusal(() => diffRange(state, 0))).toBe('turn must be a whole number from 1, not 0');
  const running = conversationState({ turns: [turn(0, { status: 'running' })] });
  expect(refusal(() => diffRange(running, 1))).toBe('turn 1 is running: its changes are recorded when it ends');
  const failed = conversationState({ turns: [turn(0, { status: 'failed' })] });
  expect(refusal(() => diffRange(failed, 1))).toBe('turn 1 failed: the changes of a failed turn are not kept');
  const plain = conversationState({ turns: [turn(0)] });
  expect(refusal(() => diffRange(plain), 'NoWorkspace')).toBe(
    'conversation conv-1 has no workspace: its cwd is not a git work tree (or its turns ran before workspaces were recorded)',
  );
  expect(refusal(() => diffRange(plain, 1), 'NoWorkspace')).toMatch(/^conversation conv-1 has no workspace/);
});

test('fork point: the turn, its transcript size, its commit (or the latest before it), the source branch', () => {
  const repo = { url: 'https://h/app.git', branch: 'convo/conv-1', head: sha('c') };
  const state = threeTurns({ repo });
  expect(forkPoint(state, 1)).toEqual({
    turn: 1,
    transcriptBytes: 100,
    forkOf: { conversationId: 'conv-1', turn: 0, commit: sha('b'), branch: 'convo/conv-1' },
  });
  // Turn 2 changed nothing: the workspace after it is what it started from.
  expect(forkPoint(state, 2).forkOf.commit).toBe(sha('b'));
  // Default: the latest completed turn.
  expect(forkPoint({ ...state, turns: [...state.turns, turn(3, { status: 'failed' })] }).turn).toBe(3);
  // A --cwd conversation: no branch; one without a workspace: no commit.
  expect(forkPoint(threeTurns(), 3).forkOf).toEqual({ conversationId: 'conv-1', turn: 2, commit: sha('c') });
  const plain = conversationState({ turns: [turn(0, { transcriptBytes: 10 })] });
  expect(forkPoint(plain).forkOf).toEqual({ conversationId: 'conv-1', turn: 0 });
});

test('fork refusals: one line each, saying what to do', () => {
  const state = threeTurns();
  expect(refusal(() => forkPoint(conversationState()))).toBe('conversation conv-1 has no completed turn to fork from');
  expect(refusal(() => forkPoint(state, 5))).toBe('conversation conv-1 has no turn 5 (it has 3 turns)');
  expect(refusal(() => forkPoint(state, 0))).toBe('at must be a turn number from 1');
  const queued = { ...state, turns: [...state.turns, turn(3, { status: 'queued' })] };
  expect(refusal(() => forkPoint(queued, 4))).toBe('turn 4 is queued: fork from a completed turn');
  const old = conversationState({ turns: [turn(0)] });
  expect(refusal(() => forkPoint(old, 1))).toBe(
    'turn 1 ran before Convo recorded transcript sizes: fork from a turn run since',
  );
  const compacted = { ...state, turns: [...state.turns, turn(3, { kind: 'compact', transcriptBytes: 50 })] };
  expect(refusal(() => forkPoint(compacted, 2))).toBe(
    'turn 4 compacted the session after turn 2, so its transcript as it was is gone: fork at turn 4 or later',
  );
  expect(forkPoint(compacted, 4).transcriptBytes).toBe(50);
});

test('fork transcript: cut to the turn size; a transcript rewritten since is refused', () => {
  const lines = ['{"n":1}\n', '{"n":2}\n', '{"n":3}\n'];
  const transcript = Buffer.from(lines.join(''));
  const at = (bytes: number) => ({ turn: 2, transcriptBytes: bytes, forkOf: { conversationId: 'c', turn: 1 } });
  expect(forkTranscript(transcript, at(16)).toString()).toBe(lines[0]! + lines[1]!);
  expect(refusal(() => forkTranscript(transcript, at(12)))).toBe(
    'the transcript of c was rewritten after turn 2: fork from a later turn',
  );
  expect(refusal(() => forkTranscript(transcript, at(100)))).toMatch(/was rewritten after turn 2/);
});

test("fork options: the source's current ones with forkOf; a repo fork drops the source's branch and base", () => {
  const forkOf = { conversationId: 'conv-1', turn: 0, commit: sha('b'), branch: 'feat/x' };
  const source = conversationState({}, { cwd: undefined, repo: 'https://h/app.git', branch: 'feat/x', base: 'dev' });
  const options = forkOptions({ ...source.options, model: 'opus' }, forkOf);
  expect(options).toMatchObject({ repo: 'https://h/app.git', model: 'opus', forkOf });
  expect(options).not.toHaveProperty('branch');
  expect(options).not.toHaveProperty('base');
  const cwd = forkOptions(conversationState().options, { conversationId: 'conv-1', turn: 2 });
  expect(cwd).toMatchObject({ cwd: '/work/app', forkOf: { conversationId: 'conv-1', turn: 2 } });
});

/** A git work tree with three commits (base, turn 1, turn 2) on branch `convo/conv-1`; returns their ids. */
async function repoWithTurns(): Promise<{ dir: string; commits: string[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'diff-repo-'));
  const run = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: dir, encoding: 'utf8' }).trim();
  run('init', '-q', '-b', 'convo/conv-1');
  const commits: string[] = [];
  for (const [file, text] of [
    ['README.md', 'base\n'],
    ['notes.txt', 'turn one\n'],
    ['README.md', 'base\nturn two\n'],
  ] as const) {
    await writeFile(join(dir, file), text);
    run('add', '-A');
    run('commit', '-qm', `commit of ${file}`);
    commits.push(run('rev-parse', 'HEAD'));
  }
  return { dir, commits };
}

function stateOver(commits: string[], overrides: Partial<ConversationState>, options = {}): ConversationState {
  const [base, one, two] = commits;
  return conversationState(
    {
      turns: [
        turn(0, { workspace: { from: base!, commit: one, files: [] } }),
        turn(1, { workspace: { from: one!, commit: two, files: [] } }),
      ],
      ...overrides,
    },
    options,
  );
}

test('diff of a --cwd conversation: git in its work tree; elsewhere, a one-line refusal', async () => {
  const { dir, commits } = await repoWithTurns();
  const state = stateOver(commits, { cwd: dir }, { cwd: dir });
  const one = await conversationDiff(state, { turn: 1 });
  expect(one.text).toMatch(/^diff --git a\/notes.txt b\/notes.txt\nnew file mode/);
  expect(one.text).toContain('+turn one');
  const all = await conversationDiff(state);
  expect(all.text).toContain('+turn one');
  expect(all.text).toContain('+turn two');
  expect(all.text).not.toContain('-base');

  const gone = stateOver(commits, { cwd: '/no/such/dir' }, { cwd: '/no/such/dir' });
  await expect(conversationDiff(gone)).rejects.toThrow(
    new ConvoError(
      'NoWorkspace',
      'conversation conv-1 works in /no/such/dir, which is not on this machine: run convo diff on the machine of its workers',
    ),
  );
  const other = await mkdtemp(join(tmpdir(), 'diff-other-'));
  await expect(conversationDiff(stateOver(commits, { cwd: other }, { cwd: other }))).rejects.toThrow(
    `the snapshots of conversation conv-1 are not in ${other} here`,
  );
});

test('diff of a repo conversation: its branch fetched from the remote (${VAR} expanded, never shown)', async () => {
  const { dir, commits } = await repoWithTurns();
  const url = 'file://${DIFF_REMOTE}';
  const repo = { url, branch: 'convo/conv-1', head: commits[2] };
  const state = stateOver(commits, { cwd: undefined, repo }, { cwd: undefined, repo: url });
  const two = await conversationDiff(state, { turn: 2 }, { ...process.env, DIFF_REMOTE: dir });
  expect(two).toMatchObject({ turn: 2, from: commits[1], to: commits[2] });
  expect(two.text).toContain('+turn two');
  expect(two.text).not.toContain('turn one');

  await expect(conversationDiff(state, {}, { ...process.env })).rejects.toThrow(
    'the repo URL references ${DIFF_REMOTE}, which is not set on this machine',
  );
  const moved = { ...state, repo: { ...repo, branch: 'gone' } };
  const err = await conversationDiff(moved, {}, { ...process.env, DIFF_REMOTE: dir }).catch((e: unknown) => e);
  expect(err).toEqual(
    new ConvoError(
      'GitFailed',
      `the commits of conversation conv-1 (${commits[0]!.slice(0, 12)}..${commits[2]!.slice(0, 12)}) are missing: branch gone is not on ${url}`,
    ),
  );
  const unreachable = { ...process.env, DIFF_REMOTE: `${dir}-missing` };
  const failed = (await conversationDiff(state, {}, unreachable).catch((e: unknown) => e)) as ConvoError;
  expect(failed).toEqual(
    new ConvoError(
      'GitFailed',
      "git fetch failed (exit 128): fatal: '[redacted]' does not appear to be a git repository | fatal: Could not read from remote repository.",
    ),
  );
});
