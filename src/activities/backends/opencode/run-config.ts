/**
 * How a turn runs opencode: the per-turn config file (`OPENCODE_CONFIG`), built from the worker's settings
 * (`settings.ts`) and the conversation's options (project config is turned off, so a repository's own `opencode.json`
 * cannot change them), and the `opencode run` arguments.
 *
 * Config keys are opencode 1.18.33's (`https://opencode.ai/config.json`): `model`, `small_model`,
 * `provider.<id>.options.baseURL`, `agent.<name>.{mode,prompt,steps}`, `instructions`, `permission`, `mcp`,
 * `autoupdate`, `share`, `snapshot`. Snapshots are off: opencode would copy the whole project into a git store in the turn's data dir (for its
 * undo and per-message diffs) on every turn, and that store is deleted with the turn.
 * No credential is written to the file: opencode reads the provider's key from the environment the worker passes on
 * (`ANTHROPIC_API_KEY`, `OPENAI_API_KEY`, …) or from the worker user's `opencode auth login`.
 */
import type { McpServers } from '../../../common/agent-options.js';
import type { ConversationOptions } from '../../../common/conversation.js';
import { providerOf, type OpencodeSettings } from './settings.js';

/** Name of the agent Convo defines when a conversation replaces the system prompt. */
export const CONVO_AGENT = 'convo';

/**
 * The model a conversation runs: its `model` option (a bare model name gets the worker's provider), else the worker's.
 */
export function conversationModel(
  settings: Pick<OpencodeSettings, 'model'>,
  options: Pick<ConversationOptions, 'model'>,
): string {
  const given = options.model?.trim();
  if (!given) return settings.model;
  return given.includes('/') ? given : `${providerOf(settings.model)}/${given}`;
}

/**
 * The per-turn opencode config.
 * @param baseUrl where opencode sends model calls (the relay's URL, or the API's); undefined: opencode's default.
 * @param instructionsFile a file holding `appendSystemPrompt`, when the conversation has one.
 * @param mcpServers the conversation's MCP servers, references expanded (the file holding them is mode 0600).
 */
export function opencodeConfig(
  settings: Pick<OpencodeSettings, 'model' | 'smallModel'>,
  options: ConversationOptions,
  baseUrl: string | undefined,
  instructionsFile?: string,
  mcpServers: McpServers = {},
): Record<string, unknown> {
  const model = conversationModel(settings, options);
  const config: Record<string, unknown> = {
    $schema: 'https://opencode.ai/config.json',
    model,
    autoupdate: false,
    share: 'disabled',
    snapshot: false,
  };
  if (settings.smallModel) config.small_model = settings.smallModel;
  if (baseUrl) config.provider = { [providerOf(model)]: { options: { baseURL: baseUrl } } };
  // `steps` bounds the agent loop like Claude Code's --max-turns: the agent Convo runs is `build` (opencode's default)
  // or its own when the system prompt is replaced.
  const steps = options.maxTurns && { steps: options.maxTurns };
  if (options.systemPrompt) {
    config.agent = { [CONVO_AGENT]: { mode: 'primary', prompt: options.systemPrompt, ...steps } };
  } else if (steps) config.agent = { build: steps };
  if (instructionsFile) config.instructions = [instructionsFile];
  const permission = opencodePermission(options);
  if (permission) config.permission = permission;
  if (Object.keys(mcpServers).length > 0) config.mcp = opencodeMcp(mcpServers);
  return config;
}

/**
 * opencode's `mcp` config for MCP servers in Claude Code's shape: stdio → `local` (`command` as one array,
 * `environment`), http and sse → `remote` (`url`, `headers`; opencode tries streamable HTTP, then SSE).
 */
export function opencodeMcp(servers: McpServers): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(servers).map(([name, s]) => [
      name,
      'command' in s
        ? {
            type: 'local',
            command: [s.command, ...(s.args ?? [])],
            enabled: true,
            ...(s.env && { environment: s.env }),
          }
        : { type: 'remote', url: s.url, enabled: true, ...(s.headers && { headers: s.headers }) },
    ]),
  );
}

/** The opencode permissions a conversation's permission mode can turn off (opencode 1.18.33's config keys). */
const GUARDED = ['edit', 'bash', 'webfetch'] as const;

/**
 * opencode's `permission` config for a conversation's `allowedTools` and `permissionMode`. opencode 1.18.33's `run`
 * lets the model edit files and run commands unless told otherwise; a denied permission takes its tools out of what
 * the model may call (a call to one comes back as an `invalid` tool). So, as close to Claude Code as opencode goes:
 * - `plan`: read-only, as Claude Code's plan mode: edit, bash and webfetch denied, whatever `allowedTools` says.
 * - `dontAsk`: only what `allowedTools` names (Claude Code denies what it would ask about): the rest denied.
 * - `acceptEdits`: edit allowed; `bypassPermissions` is `--auto` (see {@link runArgs}).
 * - `allowedTools` simple names (`Bash`, `edit`) are allowed; Claude Code's patterns (`Bash(git:*)`) have no opencode
 *   equivalent and are left out.
 * Undefined when there is nothing to say (opencode's defaults).
 */
export function opencodePermission(
  options: Pick<ConversationOptions, 'allowedTools' | 'permissionMode' | 'disallowedTools' | 'addDirs'>,
): Record<string, unknown> | undefined {
  const allowed = (options.allowedTools ?? []).filter((t) => /^[A-Za-z_]+$/.test(t)).map((t) => t.toLowerCase());
  const permission: Record<string, unknown> = Object.fromEntries(allowed.map((t) => [t, 'allow']));
  if (options.permissionMode === 'acceptEdits') permission.edit = 'allow';
  if (options.permissionMode === 'plan') for (const p of GUARDED) permission[p] = 'deny';
  if (options.permissionMode === 'dontAsk') for (const p of GUARDED) if (!allowed.includes(p)) permission[p] = 'deny';
  if (options.addDirs?.length) {
    permission.external_directory = Object.fromEntries(
      options.addDirs.map((d) => [`${d.replace(/\/+$/, '')}/*`, 'allow']),
    );
  }
  const bash: Record<string, string> = {};
  for (const rule of options.disallowedTools ?? []) {
    const denied = deniedPermission(rule);
    if (denied?.bash) bash[denied.bash] = 'deny';
    else if (denied?.permission) permission[denied.permission] = 'deny';
  }
  if (Object.keys(bash).length > 0) permission.bash = { '*': permission.bash ?? 'allow', ...bash };
  return Object.keys(permission).length > 0 ? permission : undefined;
}

/**
 * The opencode permission a Claude Code deny rule stands for: a simple tool name (`WebFetch` → `webfetch`), an MCP
 * server or tool (`mcp__NAME` → `NAME_*`, `mcp__NAME__TOOL` → `NAME_TOOL`: opencode names MCP tools `<server>_<tool>`),
 * or a Bash command pattern (`Bash(rm:*)` → `rm *`, `Bash(git push)` → `git push`). Undefined for other rules (file
 * patterns such as `Edit(src/**)`): {@link opencodeOptionsProblem} refuses them.
 */
export function deniedPermission(rule: string): { permission?: string; bash?: string } | undefined {
  const mcp = /^mcp__([A-Za-z0-9_-]+?)(?:__(.+))?$/.exec(rule);
  if (mcp) return { permission: mcp[2] ? `${mcp[1]}_${mcp[2]}` : `${mcp[1]}_*` };
  if (/^[A-Za-z_]+$/.test(rule)) return { permission: rule.toLowerCase() };
  const bash = /^Bash\((.+)\)$/.exec(rule);
  if (bash) return { bash: bash[1]!.replace(/:\*$/, ' *') };
  return undefined;
}

/**
 * What opencode cannot honour (see `BackendPlugin.optionsProblem`): `jsonSchema`, `effort`, `fallbackModel` and
 * `settings` have no opencode equivalent; `approve` neither (no pause in `opencode run`); deny rules other than tool names, MCP names and Bash patterns neither.
 * `maxCostUsd` needs none: the conversation stops at its budget from the cost opencode reports. `userMcpServers` is
 * moot: opencode always reads the worker user's global config (`~/.config/opencode`), its MCP servers included.
 */
export function opencodeOptionsProblem(options: ConversationOptions): string | undefined {
  const missing: Array<[keyof ConversationOptions, string]> = [
    ['jsonSchema', '--json-schema'],
    ['effort', '--effort'],
    ['fallbackModel', '--fallback-model'],
    ['settings', "Claude Code's --settings"],
  ];
  for (const [option, flag] of missing) {
    if (options[option] !== undefined) return `opencode has no equivalent of ${flag} (${option})`;
  }
  // opencode 1.18.33's `run` rejects at once a call its permissions would `ask` about: nothing pauses it for later.
  if (options.approve?.length) {
    return 'opencode cannot pause a tool call for approval (--approve): `opencode run` rejects what it would ask about';
  }
  const rule = options.disallowedTools?.find((r) => !deniedPermission(r));
  if (rule)
    return `opencode has no equivalent of the deny rule ${rule} (disallowedTools: tool names, mcp__ names and Bash(...) only)`;
  return undefined;
}

/**
 * `opencode run` arguments for a turn (the prompt goes on stdin: as an argument opencode would quote a prompt that
 * has spaces, and arguments are limited to 128 KiB).
 * @param sessionId the restored session, continued with `-s`; undefined on the first turn.
 */
export function runArgs(options: ConversationOptions, sessionId: string | undefined): string[] {
  const args = ['run', '--format', 'json'];
  if (sessionId) args.push('--session', sessionId);
  else if (options.title) args.push('--title', options.title);
  if (options.systemPrompt) args.push('--agent', CONVO_AGENT);
  // opencode asks before some actions (e.g. touching files outside the cwd); `run` rejects what it asks unless --auto.
  if (options.permissionMode === 'bypassPermissions') args.push('--auto');
  return args;
}
