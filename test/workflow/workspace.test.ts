/**
 * A conversation's workspace in the workflow (time-skipping test server, fake turn activity): where each run starts
 * (the last commit and a branch holding it), a turn paused at a tool call still ends as one commit, a refused push
 * waits for a person, a fork starts at its source's commit, and turns record their change and transcript size.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { TurnInput, TurnResult } from '../../src/common/conversation.js';
import type { WorkspaceChange } from '../../src/common/workspace.js';
import { approveUpdate, sendTurnSignal, skipUpdate } from '../../src/workflows/messages.js';
import { echo, useWorkflowEnv, waitForState } from '../helpers/workflow-env.js';

const { withConversation } = useWorkflowEnv();

const sha = (n: number): string => String(n).repeat(40).slice(0, 40);
const REPO = { cwd: undefined, repo: 'http://127.0.0.1:1/app.git' };

/** A turn that commits `sha(commitNo)` on top of where it started (`sha(0)` on the first run). */
function committing(commitNo: (input: TurnInput) => number) {
  return async (input: TurnInput): Promise<TurnResult> => {
    const from = input.workspace?.turnFrom ?? input.workspace?.head ?? sha(0);
    const commit = sha(commitNo(input));
    const workspace: WorkspaceChange = {
      from,
      commit,
      head: commit,
      headRef: 'convo/x',
      files: [{ path: `${input.prompt}.txt`, added: 1, removed: 0 }],
    };
    return { ...(await echo(input)), workspace };
  };
}

test('each run starts from the last commit; turns record their commit, files and transcript size', async () => {
  let n = 0;
  await withConversation(
    committing(() => ++n),
    async (_, { start, runTurn }) => {
      const handle = await start(undefined, REPO);
      await handle.signal(sendTurnSignal, 'one');
      await handle.signal(sendTurnSignal, 'two');
      const done = await waitForState(handle, (s) => s.turns[1]?.status === 'completed');
      const inputs = runTurn.mock.calls.map(([input]) => input.workspace);
      expect(inputs).toEqual([{}, { head: sha(1), headRef: 'convo/x' }]);
      expect(done.turns.map((t) => t.workspace)).toEqual([
        { from: sha(0), commit: sha(1), files: [{ path: 'one.txt', added: 1, removed: 0 }] },
        { from: sha(1), commit: sha(2), files: [{ path: 'two.txt', added: 1, removed: 0 }] },
      ]);
      expect(done.turns.map((t) => t.transcriptBytes)).toEqual([17, 34]);
      expect(done.repo).toEqual({ url: REPO.repo, branch: `convo/${handle.workflowId}`, head: sha(2) });
    },
  );
});

test('a cwd conversation tells runs nothing about the workspace but records what they report', async () => {
  await withConversation(
    committing(() => 7),
    async (handle, { runTurn }) => {
      await handle.signal(sendTurnSignal, 'one');
      const done = await waitForState(handle, (s) => s.turns[0]?.status === 'completed');
      expect(runTurn.mock.calls[0]![0].workspace).toBeUndefined();
      expect(done.turns[0]!.workspace?.commit).toBe(sha(7));
      expect(done.repo).toBeUndefined();
    },
  );
});

test('a run paused at a tool call and its continuation: the continuation commits on top of the turn start', async () => {
  let runs = 0;
  await withConversation(
    async (input) => {
      const result = await committing(() => ++runs)(input);
      if (runs === 1) {
        return {
          ...result,
          reply: '',
          pending: { toolUseId: 't1', tool: 'Bash', input: {}, summary: 'ls', kind: 'approval', rule: 'Bash' },
        };
      }
      return result;
    },
    async (_, { start, runTurn }) => {
      const handle = await start(undefined, { ...REPO, approve: ['Bash'] });
      await handle.signal(sendTurnSignal, 'one');
      await waitForState(handle, (s) => s.status === 'needs_approval');
      await handle.executeUpdate(approveUpdate, { args: [{}] });
      const done = await waitForState(handle, (s) => s.turns[0]?.status === 'completed');
      expect(runTurn.mock.calls[1]![0].workspace).toEqual({ head: sha(1), headRef: 'convo/x', turnFrom: sha(0) });
      expect(done.turns[0]!.workspace).toMatchObject({ from: sha(0), commit: sha(2) });
    },
  );
});

test('a refused push waits for a person; skip fails the turn and the head stays', async () => {
  await withConversation(
    async (input) => {
      if (input.prompt === 'two') {
        throw ApplicationFailure.create({ type: 'PushRejected', message: 'branch moved', nonRetryable: true });
      }
      return committing(() => 1)(input);
    },
    async (_, { start }) => {
      const handle = await start(undefined, REPO);
      await handle.signal(sendTurnSignal, 'one');
      await handle.signal(sendTurnSignal, 'two');
      const waiting = await waitForState(handle, (s) => s.status === 'needs_attention');
      expect(waiting.attention).toEqual({ type: 'PushRejected', message: 'branch moved' });
      await handle.executeUpdate(skipUpdate);
      const done = await waitForState(handle, (s) => s.turns[1]?.status === 'failed');
      expect(done.repo?.head).toBe(sha(1));
    },
  );
});

test("a fork's first run starts at its source's commit: a branch holding it in repo mode, a restore with --cwd", async () => {
  await withConversation(echo, async (_, { start, runTurn }) => {
    const forkOf = { conversationId: 'source', turn: 0, commit: sha(5), branch: 'convo/source' };
    const repoFork = await start(undefined, { ...REPO, forkOf });
    await repoFork.signal(sendTurnSignal, 'one');
    await waitForState(repoFork, (s) => s.turns[0]?.status === 'completed');
    const cwdFork = await start(undefined, { forkOf: { conversationId: 'source', turn: 0, commit: sha(6) } });
    await cwdFork.signal(sendTurnSignal, 'one');
    await waitForState(cwdFork, (s) => s.turns[0]?.status === 'completed');
    expect(runTurn.mock.calls.map(([input]) => input.workspace)).toEqual([
      { head: sha(5), headRef: 'convo/source' },
      { head: sha(6) },
    ]);
  });
});
