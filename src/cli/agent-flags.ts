/**
 * The flags of the agent's options (MCP servers, tool rules, directories, effort, models, limits, structured output,
 * settings, budget, the calls that wait for a person's approval), shared by `convo start` and `convo configure`, and how their values become `AgentOptions` or a
 * `ConfigureInput`. Values that do not parse are one line naming the option (commander's parse errors, see
 * ./options.ts); MCP config files are read when the command runs (`convo: FILE: problem`).
 */
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { EFFORT_LEVELS, type AgentOptions } from '../common/agent-options.js';
import { PERMISSION_MODES, type ConfigureInput } from '../common/conversation.js';
import { ConvoError } from '../client/errors.js';
import { readMcpConfigs } from '../client/mcp-config.js';
import { parseDurationSeconds, parseJsonObject, parsePositiveInt, parseUsd } from './options.js';

/** The agent option flags as commander parses them. */
export interface AgentFlags {
  mcpConfig?: string[];
  userMcpServers?: boolean;
  disallowedTools?: string[];
  addDir?: string[];
  effort?: (typeof EFFORT_LEVELS)[number];
  fallbackModel?: string;
  maxTurns?: number;
  jsonSchema?: Record<string, unknown>;
  settings?: Record<string, unknown>;
  maxCostUsd?: number;
  approve?: string[];
  /** Seconds (parsed from a duration such as `15m`). */
  approvalTimeout?: number;
}

/** Adds the agent option flags to `command` (`convo start`, `convo configure`). */
export function addAgentFlags(command: Command): Command {
  return command
    .option(
      '--mcp-config <files...>',
      'MCP servers, Claude Code\'s {"mcpServers": {...}} JSON; ${VAR} expands on the worker',
    )
    .option('--user-mcp-servers', "also give the agent the worker user's own MCP servers")
    .option('--disallowed-tools <tools...>', 'tools refused outright, e.g. Bash(rm:*) WebFetch')
    .option('--add-dir <dirs...>', 'more directories the agent may read and edit (on the workers)')
    .addOption(new Option('--effort <level>', 'model effort').choices([...EFFORT_LEVELS]))
    .option('--fallback-model <model>', 'model to fall back to when the main one is busy')
    .option('--max-turns <n>', 'at most this many agent steps (model calls) per turn', parsePositiveInt)
    .option(
      '--json-schema <file-or-json>',
      'a JSON Schema the reply must follow: ask prints the object',
      parseJsonObject,
    )
    .option('--settings <file-or-json>', "more CLI settings (Claude Code's --settings JSON)", parseJsonObject)
    .option('--max-cost-usd <usd>', 'the most the conversation may spend, US dollars', parseUsd)
    .option(
      '--approve <rules...>',
      'tool calls that wait for a person (convo approve/deny), e.g. Bash Write "Bash(git push:*)" "Edit(src/**)"',
    )
    .option(
      '--approval-timeout <duration>',
      'deny a waiting call after this long, e.g. 90s, 15m, 2h, 3d (default: wait for ever)',
      parseDurationSeconds,
    );
}

/**
 * The `AgentOptions` of the flags given (those not given are left out). MCP config files are read and merged here;
 * `--add-dir` paths are made absolute against the current directory.
 * @throws ConvoError `InvalidOptions` naming an MCP config file that cannot be read or does not parse.
 */
export function agentOptions(flags: AgentFlags): AgentOptions {
  const options: AgentOptions = {
    mcpServers: flags.mcpConfig && readMcpConfigs(flags.mcpConfig),
    userMcpServers: flags.userMcpServers,
    disallowedTools: flags.disallowedTools,
    addDirs: flags.addDir?.map((dir) => resolve(dir)),
    effort: flags.effort,
    fallbackModel: flags.fallbackModel,
    maxTurns: flags.maxTurns,
    jsonSchema: flags.jsonSchema,
    settings: flags.settings,
    maxCostUsd: flags.maxCostUsd,
    approve: flags.approve,
    approvalTimeoutS: flags.approvalTimeout,
  };
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
}

/** The flags of `convo configure`: the agent's, plus the model, tools and permission mode, and `--clear`. */
export interface ConfigureFlags extends AgentFlags {
  model?: string;
  allowedTools?: string[];
  permissionMode?: (typeof PERMISSION_MODES)[number];
  clear?: string[];
}

/** `--clear` names (the flags' names) and the option each removes. */
export const CLEARABLE: Readonly<Record<string, keyof ConfigureInput>> = {
  model: 'model',
  'allowed-tools': 'allowedTools',
  'permission-mode': 'permissionMode',
  'mcp-config': 'mcpServers',
  'user-mcp-servers': 'userMcpServers',
  'disallowed-tools': 'disallowedTools',
  'add-dir': 'addDirs',
  effort: 'effort',
  'fallback-model': 'fallbackModel',
  'max-turns': 'maxTurns',
  'json-schema': 'jsonSchema',
  settings: 'settings',
  'max-cost-usd': 'maxCostUsd',
  approve: 'approve',
  'approval-timeout': 'approvalTimeoutS',
};

/** Adds the flags of `convo configure` to `command`. */
export function addConfigureFlags(command: Command): Command {
  return addAgentFlags(
    command
      .option('--model <model>', 'model for the CLI')
      .option('--allowed-tools <tools...>', 'tools the CLI may use without asking (replaces the list)')
      .addOption(new Option('--permission-mode <mode>', 'CLI permission mode').choices([...PERMISSION_MODES])),
  ).addOption(
    new Option('--clear <options...>', 'remove options (their flag names, e.g. max-turns mcp-config)').choices(
      Object.keys(CLEARABLE),
    ),
  );
}

/**
 * The `ConfigureInput` of `convo configure`'s flags: each flag given sets its option, each `--clear` name removes one.
 * @throws ConvoError `InvalidOptions` when nothing is to change, an option is both set and cleared, or an MCP config
 *   file does not parse.
 */
export function configureInput(flags: ConfigureFlags): ConfigureInput {
  const input: Record<string, unknown> = {
    ...agentOptions(flags),
    ...Object.fromEntries(
      Object.entries({
        model: flags.model,
        allowedTools: flags.allowedTools,
        permissionMode: flags.permissionMode,
      }).filter(([, v]) => v !== undefined),
    ),
  };
  for (const name of flags.clear ?? []) {
    const key = CLEARABLE[name]!;
    if (input[key] !== undefined && input[key] !== null) {
      throw new ConvoError('InvalidOptions', `--clear ${name} and --${name} both given: set it or clear it`);
    }
    input[key] = null;
  }
  if (Object.keys(input).length === 0) {
    throw new ConvoError('InvalidOptions', 'nothing to configure: give an option to set, or --clear OPTION');
  }
  return input;
}
