/**
 * Convo's `PreToolUse` hook for Claude Code, run by the CLI as `node approval-hook.js <config file>` (see
 * `./approvals.ts`): reads the event on stdin and prints the decision of `./approval-hook-answer.ts`.
 *
 * It runs as compiled JavaScript (`dist/`) even under the test runner, which has no loader for a child process: tests
 * that run it need `npm run build` first, as every activity test does.
 *
 * Exit status 2 (a blocking error: the call does not run, the model sees stderr) for anything it cannot read, so a
 * broken hook never lets a call through that should have waited.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { text } from 'node:stream/consumers';
import { hookAnswer, PreToolUseEvent, type HookConfig } from './approval-hook-answer.js';

async function main(): Promise<void> {
  const configPath = process.argv[2];
  if (!configPath) throw new Error('usage: approval-hook <config file>');
  const config = JSON.parse(await readFile(configPath, 'utf8')) as HookConfig;
  const event = PreToolUseEvent.parse(JSON.parse(await text(process.stdin)));
  const deferredBefore = await readFile(config.deferredFile, 'utf8').catch(() => undefined);
  const answer = hookAnswer(event, config, deferredBefore);
  if (!answer) return;
  if (answer.permissionDecision === 'defer' && deferredBefore === undefined) {
    // Exclusive create: calls of one message may be decided at the same time; only the first one waits.
    const won = await writeFile(config.deferredFile, event.tool_use_id, { flag: 'wx' }).then(
      () => true,
      () => false,
    );
    if (!won) {
      const other = await readFile(config.deferredFile, 'utf8');
      return print(hookAnswer(event, config, other));
    }
  }
  print(answer);
}

function print(answer: ReturnType<typeof hookAnswer>): void {
  if (answer) process.stdout.write(JSON.stringify({ hookSpecificOutput: { hookEventName: 'PreToolUse', ...answer } }));
}

main().catch((err: unknown) => {
  process.stderr.write(`Convo's approval hook failed, so this call was not run: ${String(err)}\n`);
  process.exit(2);
});
