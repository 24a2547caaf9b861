/**
 * How a turn runs opencode: the per-turn config file (`OPENCODE_CONFIG`), built from the worker's settings
 * (`settings.ts`) and the conversation's options (project config is turned off, so a repository's own `opencode.json`
 * cannot change them), and the `opencode run` arguments.
 *
 * Config keys are opencode 1.18.33's (`https://opencode.ai/config.json`): `model`, `small_model`,
 * `provider.<id>.options.baseURL`, `agent.<name>.{mode,prompt}`, `instructions`, `permission`, `autoupdate`, `share`,
 * `snapshot`. Snapshots are off: opencode would copy the whole project into a git store in the turn's data dir (for its
 * undo and per-message diffs) on every turn, and that store is deleted with the turn.
 * No credential is written to the file: opencode reads the provider's key from the environment the worker passes on
 * (`ANTHROPIC_API_KEY`, `OPENAI_API_KEY`, …) or from the worker user's `opencode auth login`.
 */
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
 */
export function opencodeConfig(
  settings: Pick<OpencodeSettings, 'model' | 'smallModel'>,
  options: ConversationOptions,
  baseUrl: string | undefined,
  instructionsFile?: string,
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
  if (options.systemPrompt) config.agent = { [CONVO_AGENT]: { mode: 'primary', prompt: options.systemPrompt } };
  if (instructionsFile) config.instructions = [instructionsFile];
  const permission = opencodePermission(options);
  if (permission) config.permission = permission;
  return config;
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
  options: Pick<ConversationOptions, 'allowedTools' | 'permissionMode'>,
): Record<string, string> | undefined {
  const allowed = (options.allowedTools ?? []).filter((t) => /^[A-Za-z_]+$/.test(t)).map((t) => t.toLowerCase());
  const permission: Record<string, string> = Object.fromEntries(allowed.map((t) => [t, 'allow']));
  if (options.permissionMode === 'acceptEdits') permission.edit = 'allow';
  if (options.permissionMode === 'plan') for (const p of GUARDED) permission[p] = 'deny';
  if (options.permissionMode === 'dontAsk') for (const p of GUARDED) if (!allowed.includes(p)) permission[p] = 'deny';
  return Object.keys(permission).length > 0 ? permission : undefined;
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
