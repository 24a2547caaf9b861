/**
 * `convo start --repo URL [--branch NAME] [--base REF]`: the client passes the remote as given (`${VAR}` unexpanded,
 * for the workers), refuses what would go wrong in one line (cwd and repo both, a password written into the URL, a
 * bad branch name), and expands `${VAR}` only when it reads the remote itself, never showing the expanded URL.
 */
import { ConvoError } from '../../src/client/errors.js';
import { repoUrlProblem } from '../../src/client/repo-url.js';
import { workflowStart } from '../../src/client/start.js';

async function refusal(run: () => Promise<unknown>): Promise<string> {
  const err = await run().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConvoError);
  expect((err as ConvoError).code).toBe('InvalidOptions');
  expect((err as Error).message).not.toContain('\n');
  return (err as Error).message;
}

test('repo: passed on as given, with no cwd; the Web UI shows the remote and the branch', async () => {
  const url = 'https://git:${GIT_TOKEN}@git.example.com/team/app.git';
  const start = await workflowStart({ id: 'conv-r', repo: url, base: 'release/2' }, 'a', 'q');
  expect(start.args[0]).toMatchObject({ repo: url, base: 'release/2' });
  expect(start.args[0]).not.toHaveProperty('cwd');
  expect(start.args[0]).not.toHaveProperty('branch');
  expect(start.staticSummary).toBe(`conversation in ${url} (branch convo/conv-r)`);
  expect(start.staticDetails).toBe(`backend claude · account a · repo ${url} (branch convo/conv-r)`);

  const named = await workflowStart({ id: 'conv-r', repo: 'git@host:app.git', branch: 'feat/login' }, 'a', 'q');
  expect(named.args[0]).toMatchObject({ repo: 'git@host:app.git', branch: 'feat/login' });
});

test('where turns run is refused in one line that reads well', async () => {
  expect(await refusal(() => workflowStart({ repo: 'https://h/x.git', cwd: '/tmp' }, 'a', 'q'))).toBe(
    'give cwd or repo, not both',
  );
  expect(await refusal(() => workflowStart({ branch: 'x' }, 'a', 'q'))).toBe('branch and base go with repo');
  expect(await refusal(() => workflowStart({ repo: 'https://h/x.git', branch: 'a..b' }, 'a', 'q'))).toBe(
    'branch must be a git branch name',
  );
  expect(await refusal(() => workflowStart({ repo: 'https://me:hunter2secret@h/x.git' }, 'a', 'q'))).toMatch(
    /^repo holds a password or token: keep it out of history with a \$\{VAR\} reference/,
  );
  for (const id of ['a/b', 'x..y', 'w.lock']) {
    expect(await refusal(() => workflowStart({ id, repo: 'https://h/x.git' }, 'a', 'q'))).toBe(
      `id ${id} cannot name a checkout and its branch: with repo, use letters, digits, . _ or - (no ..)`,
    );
  }
  expect(await refusal(() => workflowStart({ cwd: '/no/such/dir' }, 'a', 'q'))).toBe(
    'cwd /no/such/dir does not exist or is not a directory',
  );
});

test('repo URLs: credentials only as ${VAR} references', () => {
  for (const ok of [
    'https://github.com/a/b.git',
    'https://user@github.com/a/b.git',
    'https://x-access-token:${GH_TOKEN}@github.com/a/b.git',
    'ssh://git@host:2222/a.git',
    'git@github.com:a/b.git',
    'file:///srv/git/a.git',
  ])
    expect(repoUrlProblem(ok)).toBeUndefined();
  expect(repoUrlProblem('https://u:p@h/a.git')).toMatch(/password or token/);
  expect(repoUrlProblem('https://u:${T}x@h/a.git')).toMatch(/password or token/);
  expect(repoUrlProblem('https://h/a b.git')).toBe('repo must be a git URL without spaces');
});
