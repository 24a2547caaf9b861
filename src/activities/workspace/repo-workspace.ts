/**
 * Repo mode: the conversation owns a branch of a git remote. A run checks out the conversation's last commit at
 * `<workspaces dir>/<conversation id>` (a worktree of the worker's cache entry for the remote), and a run that
 * changed files ends with one commit, pushed to the branch with a lease: the branch is never overwritten, except for
 * a commit an earlier run of the same turn left there (a killed attempt's, a paused run's), which the turn's commit
 * replaces.
 */
import { join } from 'node:path';
import { defaultBranch } from '../../common/workspace.js';
import { boundWorkspaces } from './cache-bound.js';
import { checkoutAt } from './checkout.js';
import { cacheEntryPath, ensureCacheEntry, holdEntry, withEntryLock } from './clone-cache.js';
import { commitTree, earlierRunOfTurn, hasCommit, turnMessage } from './commits.js';
import { gitFailure, pushRejected, workspaceUnavailable } from './failures.js';
import { safeConversationId } from './ids.js';
import { numstat } from './numstat.js';
import {
  cacheRef,
  fetchRefs,
  listRemote,
  notOnRemote,
  pushWithLease,
  refCandidates,
  resolveRef,
  shortRef,
  type RemoteRefs,
} from './remote.js';
import { expandRepoUrl, type RepoUrl } from './repo-url.js';
import type { OpenWorkspace, WorkspaceChange, WorkspaceRun, WorkspaceSettings } from './workspace.js';
import { workspaceGit, type WorkspaceGit } from './workspace-git.js';

/** Where a run starts and what it expects of the branch on the remote. */
interface Start {
  /** The commit checked out. */
  start: string;
  /** The parent of the turn's commit: `turnFrom`, else `start`. */
  parent: string;
  /** Where the branch is on the remote, which a push may replace ('' when it does not exist). */
  lease: string;
  /** A branch (short name) or other ref (full name) of the remote holding `start`. */
  startRef: string;
}

/**
 * Opens a repo-mode run's workspace (`run.options.repo` set). The start commit is `run.workspace.head` when given,
 * else the branch's tip when the branch exists on the remote (its parent, when the tip is an earlier run of this
 * turn), else `base` (default: the remote's default branch). Fetches shallow (tips only), deeper only when the start
 * is not a tip.
 * @returns the checkout; its `save` commits and pushes, its `release` ends the run's hold on the cache entry and
 *   bounds the workspaces dir to `settings.maxBytes`.
 * @throws ApplicationFailure `WorkspaceUnavailable` (the remote cannot be reached or read, a git command failed;
 *   non-retryable: a bad conversation id, a `${VAR}` the worker lacks, a base or start commit not on the remote),
 *   `PushRejected` (the branch holds a commit this conversation did not make).
 */
export async function openRepoWorkspace(run: WorkspaceRun, settings: WorkspaceSettings): Promise<OpenWorkspace> {
  const id = safeConversationId(run.conversationId);
  const remote = expandRepoUrl(run.options.repo!, run.env);
  const g = workspaceGit(run.env, run.signal, remote.redact);
  const branch = run.options.branch ?? defaultBranch(id);
  const entry = cacheEntryPath(settings.dir, remote.cacheKey);
  const checkout = join(settings.dir, id);
  const unhold = holdEntry(entry);
  let start: Start;
  try {
    start = await withEntryLock(entry, async () => {
      await ensureCacheEntry(g, entry);
      const found = await findStart(g, entry, remote, run, branch);
      await checkoutAt(g, entry, checkout, found.start);
      return found;
    });
  } catch (err) {
    unhold();
    throw err;
  }
  let released = false;
  return {
    cwd: checkout,
    save: ({ paused }) =>
      withEntryLock(entry, async () => {
        const change = await saveRun(g, { entry, checkout, remote, branch, run, paused }, start);
        if (change.headRef === branch) start = { ...start, lease: change.head! };
        return change;
      }),
    release: async () => {
      if (released) return;
      released = true;
      unhold();
      await boundWorkspaces(settings);
    },
  };
}

/** Lists and fetches what the run needs, and applies the orphan rule to the branch's tip. */
async function findStart(
  g: WorkspaceGit,
  entry: string,
  remote: RepoUrl,
  run: WorkspaceRun,
  branch: string,
): Promise<Start> {
  const { head, headRef, turnFrom } = run.workspace ?? {};
  const base = run.options.base;
  const branchRef = `refs/heads/${branch}`;
  const patterns = [branchRef, ...(headRef ? refCandidates(headRef) : []), ...(base ? refCandidates(base) : [])];
  const refs = await listRemote(g, entry, remote, patterns);
  const tip = refs.refs.get(branchRef);
  const turn = { conversationId: run.conversationId, turn: run.turnIndex + 1 };

  const wanted = new Set<string>(tip ? [branchRef] : []);
  const headSource = headRef ? resolveRef(headRef, refs) : undefined;
  if (head && headSource) wanted.add(headSource);
  const baseRef = !head && !tip ? baseOf(base, refs, remote) : undefined;
  if (baseRef) wanted.add(baseRef);
  await fetchRefs(g, entry, remote, [...wanted]);

  let found: Start;
  if (head) {
    let lease = '';
    if (tip && tip !== head) {
      const earlier = await earlierRunOfTurn(g, entry, tip, { ...turn, parent: turnFrom ?? head });
      if (!earlier) throw pushRejected(branch, head, tip, { redact: remote.redact });
    }
    if (tip) lease = tip;
    found = {
      start: head,
      parent: turnFrom ?? head,
      lease,
      startRef: tip ? branch : shortRef(headSource ?? branchRef),
    };
  } else if (tip) {
    const earlier = await earlierRunOfTurn(g, entry, tip, { ...turn, parent: turnFrom });
    const start = earlier?.parent ?? tip;
    found = { start, parent: turnFrom ?? start, lease: tip, startRef: branch };
  } else {
    const start = refs.refs.get(baseRef!)!;
    found = { start, parent: turnFrom ?? start, lease: '', startRef: shortRef(baseRef!) };
  }

  // The start (or turnFrom) is deeper than a fetched tip: fetch the refs' history.
  const needed = [...new Set([found.start, found.parent])];
  const missing = async (): Promise<string | undefined> => {
    for (const c of needed) if (!(await hasCommit(g, entry, c))) return c;
    return undefined;
  };
  if (await missing()) await fetchRefs(g, entry, remote, [...wanted], { deepen: true });
  const absent = await missing();
  if (absent) notOnRemote(`commit ${absent} (on ${[...wanted].map(shortRef).join(', ') || 'no ref'})`, remote);
  return found;
}

/** The full name of the ref a new branch starts from: `base` as a branch or tag, else the remote's default branch.
 * @throws ApplicationFailure `WorkspaceUnavailable` (non-retryable) when the remote has no such ref. */
function baseOf(base: string | undefined, refs: RemoteRefs, remote: RepoUrl): string {
  const ref = resolveRef(base ?? 'HEAD', refs);
  if (ref && refs.refs.has(ref)) return ref;
  if (base) notOnRemote(`base ${base} (a branch or tag)`, remote);
  throw workspaceUnavailable(`the remote ${remote.shown} has no default branch (is it empty?); give a base`, {
    nonRetryable: true,
    redact: remote.redact,
  });
}

interface SaveContext {
  entry: string;
  checkout: string;
  remote: RepoUrl;
  branch: string;
  run: WorkspaceRun;
  paused: boolean;
}

/**
 * Commits the checkout (everything, `.gitignore` respected) on top of `parent` unless its tree is `parent`'s, and
 * moves the branch there with the lease. A commit of an earlier run of the turn that appeared on the branch since
 * the run opened is replaced (once); anything else is `PushRejected`.
 */
async function saveRun(g: WorkspaceGit, ctx: SaveContext, at: Start): Promise<WorkspaceChange> {
  const { checkout, run } = ctx;
  const turn = run.turnIndex + 1;
  await g.run(['add', '--all'], { cwd: checkout });
  const tree = (await g.run(['write-tree'], { cwd: checkout })).trim();
  const parentTree = (await g.run(['rev-parse', `${at.parent}^{tree}`], { cwd: checkout })).trim();
  const message = turnMessage(run.conversationId, turn, run.prompt, ctx.paused);
  const commit = tree === parentTree ? undefined : await commitTree(g, checkout, tree, [at.parent], message);
  const target = commit ?? at.parent;

  // A run that changed nothing does not make the branch; otherwise the branch ends at the target.
  const onBranch = at.lease !== '' || commit !== undefined;
  if (at.lease !== target && onBranch) await push(g, ctx, at, target);
  if (onBranch) await g.run(['update-ref', cacheRef(`refs/heads/${ctx.branch}`), target], { cwd: ctx.entry });
  return {
    from: at.parent,
    ...(commit && { commit }),
    head: target,
    headRef: onBranch ? ctx.branch : at.startRef,
    files: commit ? await numstat(g, checkout, at.parent, commit) : [],
  };
}

/** Pushes `target` with the lease; on a refusal, replaces an earlier run's commit of this turn once, else fails. */
async function push(g: WorkspaceGit, ctx: SaveContext, at: Start, target: string): Promise<void> {
  const { entry, remote, branch } = ctx;
  let lease = at.lease;
  for (let tries = 0; ; tries++) {
    const pushed = await pushWithLease(g, entry, remote, target, branch, lease);
    if (pushed.ok) return;
    if (!pushed.refused) throw gitFailure(pushed.error, remote.redact);
    const branchRef = `refs/heads/${branch}`;
    const tip = (await listRemote(g, entry, remote, [branchRef])).refs.get(branchRef);
    if (tip === target) return; // an earlier push of the same commit landed
    const why = { reason: pushed.why, redact: remote.redact };
    if (tries > 0 || !tip || tip === lease) throw pushRejected(branch, lease || undefined, tip, why);
    await fetchRefs(g, entry, remote, [branchRef]);
    const turn = { conversationId: ctx.run.conversationId, turn: ctx.run.turnIndex + 1, parent: at.parent };
    if (!(await earlierRunOfTurn(g, entry, tip, turn))) throw pushRejected(branch, lease || undefined, tip, why);
    lease = tip;
  }
}
