/**
 * The per-turn cost of a repo workspace (`npm run bench`, part 4): the checkout a run starts with (fetch + checkout,
 * or clone on a cold worker) and the save it ends with (commit + push), for a repository of about 5,000 files and
 * 50 MB served by `git daemon` on 127.0.0.1. A cached worker keeps its clone between turns; a cold one starts with an
 * empty `CONVO_WORKSPACES_DIR` every turn.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { git } from '../activities/workspace/git.js';
import { openWorkspace } from '../activities/workspace/open.js';
import type { TurnWorkspace } from '../common/workspace.js';
import { startGitRemote } from '../testing/git-remote.js';
import { contentForTurn } from './content.js';

/** One mode's figures: medians over the turns measured, ms. */
export interface WorkspaceCost {
  mode: 'cached' | 'cold';
  turns: number;
  openMs: number;
  saveMs: number;
  totalMs: number;
}

/** The repository's size. */
export interface RepoShape {
  files: number;
  bytes: number;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * Writes a repository of `files` files of about `bytes` in total (realistic text, not a repeated string, so that
 * git's compression works as on real code) as the bare repository `<root>/<name>.git`.
 */
async function makeRepo(root: string, name: string, files: number, bytes: number): Promise<RepoShape> {
  const work = await mkdtemp(join(tmpdir(), 'convo-bench-repo-'));
  try {
    await git(['init', '-q', '-b', 'main', work]);
    const each = Math.floor(bytes / files);
    let written = 0;
    for (let i = 0; i < files; i++) {
      const dir = join(work, `pkg-${String(i % 50).padStart(2, '0')}`, `mod-${String(i % 7)}`);
      await mkdir(dir, { recursive: true });
      const text = contentForTurn(i, each);
      written += Buffer.byteLength(text);
      await writeFile(join(dir, `file-${i}.ts`), text);
    }
    await git(['add', '-A'], { cwd: work });
    await git(['-c', 'user.name=Bench', '-c', 'user.email=bench@localhost', 'commit', '-qm', 'initial'], { cwd: work });
    await git(['clone', '-q', '--bare', work, join(root, `${name}.git`)]);
    return { files, bytes: written };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * Measures `turns` turns of one conversation in each mode: open (checkout), a one-file change, save (commit + push),
 * release.
 * @param report called with a line per mode.
 */
export async function workspaceCost(
  turns: number,
  report: (line: string) => void,
  shape: RepoShape = { files: 5000, bytes: 50 * 1024 * 1024 },
): Promise<{ repo: RepoShape; plainCloneMs: number; results: WorkspaceCost[] }> {
  const remote = await startGitRemote();
  const dir = await mkdtemp(join(tmpdir(), 'convo-bench-ws-'));
  try {
    const repo = await makeRepo(remote.root, 'big', shape.files, shape.bytes);
    report(`repository: ${repo.files} files, ${(repo.bytes / 1024 / 1024).toFixed(1)} MB`);
    // For scale: what git itself takes to clone the same remote (the least a cold worker can do).
    const t0 = performance.now();
    await git(['clone', '-q', '--depth=1', '--no-tags', remote.url('big'), join(dir, 'plain-clone')]);
    const plainCloneMs = Math.round(performance.now() - t0);
    await rm(join(dir, 'plain-clone'), { recursive: true, force: true });
    report(`for scale: git clone --depth=1 of the same remote takes ${plainCloneMs} ms`);
    const results: WorkspaceCost[] = [];
    for (const mode of ['cold', 'cached'] as const) {
      const conversationId = `bench-${mode}`;
      const cached = join(dir, 'cached');
      let workspace: TurnWorkspace | undefined;
      const open: number[] = [];
      const save: number[] = [];
      // The cached worker's first turn is a clone: warm it up before measuring.
      for (let turn = mode === 'cached' ? -1 : 0; turn < turns; turn++) {
        const settings = { dir: mode === 'cold' ? join(dir, `cold-${turn}`) : cached, maxBytes: 10 * 1024 ** 3 };
        const turnIndex = turn + 1;
        let t = performance.now();
        const opened = await openWorkspace(
          {
            conversationId,
            turnIndex,
            prompt: `change file ${turnIndex}`,
            options: { repo: remote.url('big') },
            workspace,
            env: process.env,
          },
          settings,
        );
        if (!opened) throw new Error('a repo conversation has a workspace');
        const openMs = performance.now() - t;
        await writeFile(join(opened.cwd, 'CHANGES.md'), `turn ${turnIndex}\n`, { flag: 'a' });
        t = performance.now();
        const change = await opened.save({ paused: false });
        const saveMs = performance.now() - t;
        await opened.release();
        workspace = { head: change.head, headRef: change.headRef };
        if (mode === 'cold') await rm(settings.dir, { recursive: true, force: true });
        if (turn < 0) continue;
        open.push(openMs);
        save.push(saveMs);
      }
      const totals = open.map((o, i) => o + save[i]!);
      const r: WorkspaceCost = {
        mode,
        turns,
        openMs: Math.round(median(open)),
        saveMs: Math.round(median(save)),
        totalMs: Math.round(median(totals)),
      };
      results.push(r);
      report(`${mode}: checkout ${r.openMs} ms + commit and push ${r.saveMs} ms = ${r.totalMs} ms per turn (median)`);
    }
    return { repo, plainCloneMs, results };
  } finally {
    await remote.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
