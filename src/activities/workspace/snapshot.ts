/**
 * Snapshots of a user's git work tree that touch nothing of theirs: a commit of the whole work tree (tracked and
 * untracked files, `.gitignore` respected) made through a temporary index, and restoring the work tree's files to
 * such a commit. HEAD, the index, the stash and the branches stay as they are.
 */
import { randomUUID } from 'node:crypto';
import { copyFile, lstat, readdir, realpath, rm, rmdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { commitTree } from './commits.js';
import type { WorkspaceGit } from './workspace-git.js';

/** A git work tree: its top directory and its index file (absolute paths). */
export interface WorkTree {
  top: string;
  indexFile: string;
}

/** A snapshot: its commit and that commit's tree. */
export interface Snapshot {
  commit: string;
  tree: string;
}

/** Mode of a submodule (a gitlink): its files are another repository's, never written or removed here. */
const GITLINK = '160000';

/**
 * The work tree `cwd` is in, or undefined when it is in none (not a repository, a bare one, inside `.git`, or git
 * refuses it, e.g. a repository another user owns).
 * @throws ApplicationFailure `WorkspaceUnavailable` when git fails after saying it is a work tree.
 */
export async function findWorkTree(g: WorkspaceGit, cwd: string): Promise<WorkTree | undefined> {
  // Most turns of a cwd that is no repository at all: then no git process (about 5 ms) is started to say so.
  if (!(await gitEntryAbove(cwd))) return undefined;
  const inside = await g.attempt(['rev-parse', '--is-inside-work-tree'], { cwd });
  if (inside !== 'true\n') return undefined;
  const [top, index] = (await g.run(['rev-parse', '--show-toplevel', '--git-path', 'index'], { cwd })).split('\n');
  // The index path is relative to where git runs: the cwd's real path (a symlinked cwd's parent is another folder).
  return { top: top!, indexFile: resolve(await realpath(cwd), index!) };
}

/**
 * Whether `dir` (as git sees it: its real path) or a folder above it holds a `.git` entry (a repository's folder, or
 * the file of a linked worktree or submodule). Without one, git finds no work tree there (`GIT_DIR` and the like are
 * not passed to it); with one, git decides. True when `dir` cannot be read (git then says why).
 */
async function gitEntryAbove(dir: string): Promise<boolean> {
  const exists = (path: string): Promise<boolean> =>
    lstat(path).then(
      () => true,
      () => false,
    );
  let at = await realpath(dir).catch(() => undefined);
  if (!at) return true;
  for (;;) {
    if (await exists(join(at, '.git'))) return true;
    if (dirname(at) === at) return false;
    at = dirname(at);
  }
}

/** Runs `work` with a temporary index file next to the work tree's own (so a split index still finds its shared
 * part), starting as a copy of it when `copy`, else empty; removed afterwards. */
async function withTempIndex<T>(wt: WorkTree, copy: boolean, work: (env: Record<string, string>) => Promise<T>) {
  const file = join(dirname(wt.indexFile), `convo-index-${randomUUID()}`);
  if (copy) await copyFile(wt.indexFile, file).catch(() => undefined);
  try {
    return await work({ GIT_INDEX_FILE: file });
  } finally {
    await rm(file, { force: true });
    await rm(`${file}.lock`, { force: true });
  }
}

/**
 * Commits the work tree as it is (`git add --all` into a temporary index copied from the real one, `write-tree`,
 * `commit-tree` with HEAD as parent, none when HEAD is unborn).
 * @throws ApplicationFailure `WorkspaceUnavailable` when git fails.
 */
export async function snapshot(g: WorkspaceGit, wt: WorkTree, message: string): Promise<Snapshot> {
  const tree = await withTempIndex(wt, true, async (env) => {
    await g.run(['add', '--all'], { cwd: wt.top, env });
    return (await g.run(['write-tree'], { cwd: wt.top, env })).trim();
  });
  const head = await g.attempt(['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'], { cwd: wt.top });
  const parents = typeof head === 'string' ? [head.trim()] : [];
  return { commit: await commitTree(g, wt.top, tree, parents, message), tree };
}

/**
 * Makes the work tree's files those of `target` (a snapshot or commit), given `current`, the tree of a snapshot of
 * the work tree as it is now: writes the files that differ (`checkout-index` from a temporary index) and removes
 * those `target` lacks (and the directories that leaves empty). Ignored files and submodules are left alone.
 * @throws ApplicationFailure `WorkspaceUnavailable` when git fails (e.g. `target` is not in the repository).
 */
export async function restoreTo(g: WorkspaceGit, wt: WorkTree, current: string, target: string): Promise<void> {
  const raw = await g.run(['diff-tree', '-r', '-z', '--no-renames', current, target, '--'], { cwd: wt.top });
  const fields = raw.split('\0');
  const removals: string[] = [];
  const writes: string[] = [];
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const [oldMode, newMode, , , status] = fields[i]!.replace(/^:/, '').split(' ');
    const path = fields[i + 1]!;
    if (status === 'D' && oldMode !== GITLINK) removals.push(path);
    else if (status !== 'D' && newMode !== GITLINK) writes.push(path);
  }
  for (const path of removals) {
    await rm(join(wt.top, path), { force: true });
    await removeEmptyParents(wt.top, dirname(path));
  }
  if (writes.length === 0) return;
  await withTempIndex(wt, false, async (env) => {
    await g.run(['read-tree', target], { cwd: wt.top, env });
    await g.run(['checkout-index', '--force', '-z', '--stdin'], { cwd: wt.top, env, input: writes.join('\0') });
  });
}

/** Removes `dir` (relative to `top`) and its parents up to `top` while they are empty. */
async function removeEmptyParents(top: string, dir: string): Promise<void> {
  for (let d = dir; d !== '.' && d !== '' && d !== '/'; d = dirname(d)) {
    const abs = join(top, d);
    if ((await readdir(abs).catch(() => ['?'])).length > 0) return;
    await rmdir(abs).catch(() => undefined);
  }
}
