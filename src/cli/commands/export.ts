/**
 * `convo export`: writes a conversation's session where its CLI continues it locally (`claude --resume`, or
 * `opencode import` then `opencode --session`), and prints the commands to run.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { ConvoError } from '../../client/errors.js';
import { withClient } from '../with-client.js';

/**
 * Writes `content` to `path` (its folders made), through a temporary file so that a reader never sees half of it.
 * A file already there is replaced only when it is an earlier state of the same session (a prefix of `content`) or
 * `force` is set, so that a local session that went on on its own is not lost.
 * @throws ConvoError `AlreadyExists` naming the file otherwise.
 */
export async function writeSessionFile(path: string, content: Buffer, force = false): Promise<void> {
  const existing = await readFile(path).catch(() => undefined);
  if (existing && !force && !content.subarray(0, existing.length).equals(existing)) {
    throw new ConvoError('AlreadyExists', `${path} holds a different session; give --force to replace it, or --out`);
  }
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, content);
  await rename(temp, path);
}

/** Adds `convo export` to `program`. */
export function exportCommand(program: Command): void {
  program
    .command('export')
    .description("write the conversation's session so that its CLI continues it locally (claude --resume)")
    .argument('<id>')
    .option('--out <file>', "where to write it ('-': stdout); default where the CLI looks for it")
    .option('--force', 'replace a different session file at that path')
    .action(async (id: string, opts: { out?: string; force?: boolean }) =>
      withClient(async (client) => {
        const session = await client.sessionExport(id);
        if (opts.out === '-') {
          process.stdout.write(session.content);
          return;
        }
        const path = opts.out !== undefined ? resolve(opts.out) : session.defaultPath;
        await writeSessionFile(path, session.content, opts.force === true);
        console.log(`wrote ${path}`);
        console.log(`continue it locally with:`);
        for (const command of session.commands(path)) console.log(`  ${command}`);
      }),
    );
}
