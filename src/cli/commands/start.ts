/**
 * `convo start`: starts a conversation, optionally with a first turn, and prints its id. Its turns run in `--cwd`
 * (default this directory) or in a checkout of `--repo` on a branch of their own.
 */
import { readFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { PERMISSION_MODES } from '../../common/conversation.js';
import { ConvoError } from '../../client/errors.js';
import { addAgentFlags, agentOptions, type AgentFlags } from '../agent-flags.js';
import { backendChoices, parseSeconds } from '../options.js';
import { promptFrom, withClient } from '../with-client.js';

/** The options of `convo start`, as commander parses them. */
interface StartFlags extends AgentFlags {
  import?: string;
  id?: string;
  cwd?: string;
  repo?: string;
  branch?: string;
  base?: string;
  backend: string;
  model?: string;
  title?: string;
  systemPrompt?: string;
  appendSystemPrompt?: string;
  allowedTools?: string[];
  permissionMode?: (typeof PERMISSION_MODES)[number];
  detailsRefresh: number;
}

/**
 * The session file of `--import` (a Claude Code `<session id>.jsonl`).
 * @throws ConvoError `InvalidOptions` when it cannot be read.
 */
function readSession(file: string): { transcript: Buffer; source: string } {
  try {
    return { transcript: readFileSync(file), source: file };
  } catch (err) {
    throw new ConvoError(
      'InvalidOptions',
      `${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
    );
  }
}

/** Adds `convo start` to `program`. */
export function startCommand(program: Command): void {
  const command = program
    .command('start')
    .description('start a conversation and print its id; TEXT, if given, is queued as the first turn ("-" reads stdin)')
    .argument('[text...]')
    .option('--id <id>', 'conversation id (default: generated)')
    .addOption(
      new Option(
        '--cwd <dir>',
        'working directory of the conversation on the workers (default: this directory)',
      ).conflicts('repo'),
    )
    .option(
      '--repo <url>',
      'work in a checkout of this git remote instead, on a branch of its own (${VAR}: expanded on the workers)',
    )
    .option('--branch <name>', 'with --repo: the branch the conversation owns (default: convo/<id>)')
    .option(
      '--base <ref>',
      "with --repo: where the branch starts when it does not exist (default: the remote's default branch)",
    )
    .addOption(
      new Option('--backend <cli>', 'the CLI the conversation runs on').choices(backendChoices()).default('claude'),
    )
    .option('--model <model>', "model for the CLI (opencode: provider/model, or a model of the worker's provider)")
    .option('--title <title>', 'a title for people')
    .option('--system-prompt <text>', 'replace the system prompt')
    .option('--append-system-prompt <text>', 'append to the system prompt')
    .option('--allowed-tools <tools...>', 'tools the CLI may use without asking, e.g. Bash Edit')
    .addOption(new Option('--permission-mode <mode>', 'CLI permission mode').choices([...PERMISSION_MODES]))
    .option(
      '--details-refresh <seconds>',
      "while a turn runs, refresh its elapsed time in the Web UI's current details this often (0: off)",
      parseSeconds,
      60,
    )
    .option('--import <file>', 'start from a Claude Code session file (~/.claude/projects/…/<session>.jsonl)');
  addAgentFlags(command).action(async (text: string[], opts: StartFlags) => {
    if (!opts.repo && (opts.branch !== undefined || opts.base !== undefined)) {
      throw new ConvoError('InvalidOptions', '--branch and --base go with --repo');
    }
    await withClient(async (client) => {
      const id = await client.start({
        prompt: text.length > 0 ? promptFrom(text) : undefined,
        id: opts.id,
        cwd: opts.cwd,
        repo: opts.repo,
        branch: opts.branch,
        base: opts.base,
        // One of the registry's names (commander's choices); the client checks it again.
        backend: opts.backend,
        model: opts.model,
        title: opts.title,
        systemPrompt: opts.systemPrompt,
        appendSystemPrompt: opts.appendSystemPrompt,
        allowedTools: opts.allowedTools,
        permissionMode: opts.permissionMode,
        detailsRefreshS: opts.detailsRefresh,
        ...agentOptions(opts),
        importSession: opts.import !== undefined ? readSession(opts.import) : undefined,
      });
      console.log(id);
    });
  });
}
