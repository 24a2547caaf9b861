/**
 * A conversation's checkout: a `git worktree` of its remote's cache entry at `<workspaces dir>/<conversation id>`,
 * put at a commit with nothing of an earlier run left.
 */
import { readdir, readFile, realpath, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { WorkspaceGit } from './workspace-git.js';

/**
 * Puts the checkout at `path` at `commit` (detached HEAD): tracked files as in `commit`, the index too, untracked
 * files removed (`git clean -ffd`). Ignored files are kept (build outputs, dependencies: the next run reuses them).
 * A checkout still registered as a worktree of `entry` is reused; anything else at `path` is removed and the worktree
 * added anew (also when reusing fails, e.g. on a lock file a killed git left).
 * @throws ApplicationFailure `WorkspaceUnavailable` when git fails.
 */
export async function checkoutAt(g: WorkspaceGit, entry: string, path: string, commit: string): Promise<void> {
  if (await isWorktreeOf(entry, path)) {
    const moved = await g.attempt(['checkout', '--quiet', '--detach', '--force', commit], { cwd: path });
    if (typeof moved === 'string') {
      const cleaned = await g.attempt(['clean', '-ffdq'], { cwd: path });
      if (typeof cleaned === 'string') return;
    }
  }
  await rm(path, { recursive: true, force: true, maxRetries: 3 });
  await g.run(['worktree', 'prune'], { cwd: entry });
  await g.run(['worktree', 'add', '--quiet', '--detach', '--force', path, commit], { cwd: entry });
}

/** Whether `path` is a worktree of the bare repository `entry`: its `.git` file names an admin dir of `entry`'s
 * `worktrees/` that exists. */
export async function isWorktreeOf(entry: string, path: string): Promise<boolean> {
  const dotGit = await readFile(join(path, '.git'), 'utf8').catch(() => '');
  const gitdir = /^gitdir: (.+)$/m.exec(dotGit)?.[1]?.trim();
  if (!gitdir) return false;
  try {
    const admin = await realpath(gitdir);
    if (!(await stat(admin)).isDirectory()) return false;
    return dirname(admin) === join(await realpath(entry), 'worktrees');
  } catch {
    return false;
  }
}

/** The checkouts registered as worktrees of `entry` (from `worktrees/<name>/gitdir`), whether they exist or not. */
export async function worktreesOf(entry: string): Promise<string[]> {
  const names = await readdir(join(entry, 'worktrees')).catch(() => [] as string[]);
  const paths: string[] = [];
  for (const name of names) {
    const gitdir = (await readFile(join(entry, 'worktrees', name, 'gitdir'), 'utf8').catch(() => '')).trim();
    if (gitdir) paths.push(dirname(gitdir));
  }
  return paths;
}
