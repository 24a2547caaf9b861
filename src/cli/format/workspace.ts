/**
 * What `convo show` and `convo watch` print about a conversation's workspace: where its turns run (a cwd, or a
 * remote's branch and its last commit), and what each turn changed (its commit and files, with lines added and
 * removed as `git diff --numstat` counts them).
 */
import type { ConversationState } from '../../common/conversation.js';
import type { FileChange, TurnWorkspaceRecord } from '../../common/workspace.js';

/** How many files a turn's list shows before `and N more`. */
export const FILES_SHOWN = 20;

/** A commit's short id, as git shows it. */
export function shortCommit(commit: string): string {
  return commit.slice(0, 7);
}

/** `cwd /srv/app`, or `repo https://host/app.git, branch convo/conv-1, head 1a2b3c4` (`no commit yet`). */
export function whereText(state: ConversationState): string {
  if (!state.repo) return `cwd ${state.cwd ?? state.options?.cwd}`;
  const { url, branch, head } = state.repo;
  return `repo ${url}, branch ${branch}, ${head ? `head ${shortCommit(head)}` : 'no commit yet'}`;
}

/** `+12 -3`: lines added and removed; a binary file (counted -1) is `binary`. */
export function linesText(file: Pick<FileChange, 'added' | 'removed'>): string {
  return file.added < 0 || file.removed < 0 ? 'binary' : `+${file.added} -${file.removed}`;
}

/** `3 files changed (+12 -3)`, `1 file changed (+1 -0)`, `no files changed`; binary files count as files only. */
export function filesChangedText(files: FileChange[]): string {
  if (files.length === 0) return 'no files changed';
  const text = files.filter((f) => f.added >= 0 && f.removed >= 0);
  const sum = (key: 'added' | 'removed') => text.reduce((n, f) => n + f[key], 0);
  return `${files.length} file${files.length === 1 ? '' : 's'} changed (${linesText({ added: sum('added'), removed: sum('removed') })})`;
}

/** A turn's change on one line: `commit 1a2b3c4: 2 files changed (+4 -1)` (`snapshot` in a `--cwd` conversation). */
export function turnChangeText(record: TurnWorkspaceRecord, mode: 'repo' | 'cwd'): string {
  if (!record.commit) return 'no files changed';
  return `${mode === 'repo' ? 'commit' : 'snapshot'} ${shortCommit(record.commit)}: ${filesChangedText(record.files)}`;
}

/** One line per file, `path +3 -1`, the first {@link FILES_SHOWN}, then `and N more`. */
export function fileLines(files: FileChange[], max = FILES_SHOWN): string[] {
  const lines = files.slice(0, max).map((f) => `${f.path} ${linesText(f)}`);
  if (files.length > max) lines.push(`and ${files.length - max} more`);
  return lines;
}

/** What a turn changed, as `convo watch` prints it when the turn ends: its commit, then a line per file. */
export function turnChangeLines(record: TurnWorkspaceRecord, mode: 'repo' | 'cwd'): string {
  return [`  ${turnChangeText(record, mode)}`, ...fileLines(record.files).map((l) => `    ${l}`)].join('\n');
}
