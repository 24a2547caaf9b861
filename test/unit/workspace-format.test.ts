/**
 * What people see of a conversation's workspace: `convo show` (where turns run; each turn's commit and files changed),
 * `convo watch` (the files a turn changed, when it ends) and the Web UI's current details (the files the last turn
 * changed, with lines added and removed, capped).
 */
import { formatState } from '../../src/cli/format/state.js';
import { fileLines, filesChangedText, turnChangeLines, whereText } from '../../src/cli/format/workspace.js';
import type { TurnRecord } from '../../src/common/conversation.js';
import type { FileChange } from '../../src/common/workspace.js';
import { currentDetails } from '../../src/workflows/conversation/current-details.js';
import { conversationState } from '../helpers/state.js';

const sha = (c: string) => c.repeat(40);
const files: FileChange[] = [
  { path: 'README.md', added: 3, removed: 1 },
  { path: 'logo.png', added: -1, removed: -1 },
  { path: 'src/new.ts', added: 10, removed: 0 },
];
const turns: TurnRecord[] = [
  {
    index: 0,
    prompt: 'write the docs',
    status: 'completed',
    reply: 'Done.',
    queuedAt: '',
    workspace: { from: sha('a'), commit: sha('b'), files },
  },
  {
    index: 1,
    prompt: 'look around',
    status: 'completed',
    reply: 'Nothing to do.',
    queuedAt: '',
    workspace: { from: sha('b'), files: [] },
  },
];
const repo = { url: 'https://git:${GIT_TOKEN}@h/app.git', branch: 'convo/conv-1', head: sha('b') };
const inRepo = conversationState({ cwd: undefined, repo, turns }, { cwd: undefined, repo: repo.url });

test('show: the remote, branch and head (or the cwd); per turn its commit and files changed', () => {
  const text = formatState(inRepo);
  expect(text.split('\n')[1]).toBe(
    '  backend claude, session 11111111-2222-3333-4444-555555555555, repo https://git:${GIT_TOKEN}@h/app.git, branch convo/conv-1, head bbbbbbb',
  );
  expect(text).toContain(
    [
      '  turn 1 completed: write the docs',
      '      → Done.',
      '      commit bbbbbbb: 3 files changed (+13 -1)',
      '  turn 2 completed: look around',
      '      → Nothing to do.',
      '      no files changed',
    ].join('\n'),
  );
  expect(whereText({ ...inRepo, repo: { ...repo, head: undefined } })).toBe(
    'repo https://git:${GIT_TOKEN}@h/app.git, branch convo/conv-1, no commit yet',
  );
  const cwd = formatState(conversationState({ turns }));
  expect(cwd).toContain(', cwd /work/app\n');
  expect(cwd).toContain('      snapshot bbbbbbb: 3 files changed (+13 -1)');
  expect(formatState(conversationState({ turns: [{ ...turns[0]!, workspace: undefined }] }))).not.toMatch(
    /files changed/,
  );
});

test('watch: the files a turn changed, one a line, capped', () => {
  expect(turnChangeLines(turns[0]!.workspace!, 'repo')).toBe(
    [
      '  commit bbbbbbb: 3 files changed (+13 -1)',
      '    README.md +3 -1',
      '    logo.png binary',
      '    src/new.ts +10 -0',
    ].join('\n'),
  );
  const many = Array.from({ length: 23 }, (_, i) => ({ path: `f${i}.txt`, added: 1, removed: 0 }));
  expect(fileLines(many)).toHaveLength(21);
  expect(fileLines(many).at(-1)).toBe('and 3 more');
  expect(filesChangedText([{ path: 'a', added: 1, removed: 0 }])).toBe('1 file changed (+1 -0)');
});

test('current details: the files the last turn changed with +/- (capped), or that it changed none', () => {
  const one = currentDetails({ ...inRepo, turns: [turns[0]!] }, new Date());
  expect(one.split('\n\n').at(-1)).toBe(
    [
      'Turn 1 changed 3 files (commit `bbbbbbb`):',
      '- `README.md` +3 −1',
      '- `logo.png` binary',
      '- `src/new.ts` +10 −0',
    ].join('\n'),
  );
  expect(currentDetails(inRepo, new Date()).split('\n\n').at(-1)).toBe('Turn 2 changed no files.');
  const many = Array.from({ length: 25 }, (_, i) => ({ path: `f${i}.txt`, added: i, removed: 0 }));
  const capped = currentDetails(
    conversationState({ turns: [{ ...turns[0]!, workspace: { from: sha('a'), commit: sha('c'), files: many } }] }),
    new Date(),
  );
  expect(capped).toContain('Turn 1 changed 25 files (snapshot `ccccccc`):\n- `f0.txt` +0 −0\n');
  expect(capped).toContain('- `f19.txt` +19 −0\n- and 5 more');
  expect(capped).not.toContain('f20.txt');
  const ticks = {
    ...turns[0]!,
    workspace: { from: sha('a'), commit: sha('c'), files: [{ path: 'a`b', added: 1, removed: 0 }] },
  };
  expect(currentDetails(conversationState({ turns: [ticks] }), new Date())).toContain('- `` a`b `` +1 −0');
});
