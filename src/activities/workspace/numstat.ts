/** The files one commit changed against another, with lines added and removed. */
import type { FileChange } from '../../common/workspace.js';
import type { WorkspaceGit } from './workspace-git.js';

/**
 * `git diff-tree -r --numstat --no-renames from to` in the repository at `cwd` (plumbing: the user's diff settings,
 * external diff tools and text conversions play no part).
 * @returns the changed files in path order; a binary file counts -1 added and -1 removed; a rename is a deletion and
 *   an addition. Empty when `from` and `to` have the same tree.
 * @throws ApplicationFailure `WorkspaceUnavailable` when git fails (e.g. a commit is missing).
 */
export async function numstat(g: WorkspaceGit, cwd: string, from: string, to: string): Promise<FileChange[]> {
  const out = await g.run(['diff-tree', '-r', '--numstat', '-z', '--no-renames', from, to, '--'], { cwd });
  return parseNumstat(out);
}

/** Parses `--numstat -z` output (`added\tremoved\tpath\0`, `-` for a binary file's counts). */
export function parseNumstat(out: string): FileChange[] {
  const files: FileChange[] = [];
  for (const record of out.split('\0')) {
    const m = /^(\d+|-)\t(\d+|-)\t(.+)$/s.exec(record.replace(/^\n/, ''));
    if (!m) continue;
    files.push({ path: m[3]!, added: m[1] === '-' ? -1 : Number(m[1]), removed: m[2] === '-' ? -1 : Number(m[2]) });
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
