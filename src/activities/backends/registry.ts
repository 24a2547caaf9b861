/**
 * The registry of backends: one line per CLI. A new backend is a folder here implementing `BackendPlugin` (see
 * `backend.ts`, and `claude/` or `opencode/` for the file names of each role) plus its line in {@link PLUGINS}.
 */
import type { ChatEntry } from '../../common/chat.js';
import type { BackendPlugin, TurnBackend } from './backend.js';
import { plugin as claude } from './claude/backend.js';
import { plugin as opencode } from './opencode/backend.js';

/** Every backend, by name; the first is the default (`ConversationOptions.backend`). */
const PLUGINS: readonly BackendPlugin[] = [claude, opencode];

/** The names of every backend, in registry order (`['claude', 'opencode']`). */
export function backendNames(): string[] {
  return PLUGINS.map((p) => p.name);
}

/** The plug-in named `name`; undefined for a name no backend has. */
export function backendPlugin(name: string): BackendPlugin | undefined {
  return PLUGINS.find((p) => p.name === name);
}

/** Every backend's secret variables (see {@link BackendPlugin.secretEnvVars}), once each: what redaction removes. */
export function secretEnvVars(): string[] {
  return [...new Set(PLUGINS.flatMap((p) => p.secretEnvVars))];
}

/** Whether a command line (`/proc/<pid>/cmdline`) is any backend's CLI: the orphan check of a starting worker. */
export function isBackendCli(cmdline: string): boolean {
  return PLUGINS.some((p) => p.isCliProcess(cmdline));
}

/**
 * The chat entries of one transcript line (for `convo history`).
 * @param backend the conversation's backend; undefined: the first backend that reads the line (each skips the
 *   others' lines), as for a transcript whose backend is not known.
 * @returns undefined when no backend (or not `backend`) reads the line as a message, or `backend` is unknown.
 */
export function chatEntries(backend: string | undefined, line: string): ChatEntry[] | undefined {
  if (backend !== undefined) return backendPlugin(backend)?.chatEntries(line);
  for (const p of PLUGINS) {
    const entries = p.chatEntries(line);
    if (entries) return entries;
  }
  return undefined;
}

/** The worker's backends, each with its settings read from the environment (see {@link loadBackends}). */
export interface LoadedBackends {
  /** The backend named `name`, ready to run turns; undefined for an unknown name. */
  get(name: string): TurnBackend | undefined;
  /** One line for the worker's start message: `claude at /x, opencode at /y (anthropic/claude-sonnet-4-5)`. */
  describe(): string;
}

/**
 * Reads every backend's worker settings from `env` (binary paths, models, …).
 * @throws ConfigError naming the first variable that does not parse.
 */
export function loadBackends(env: NodeJS.ProcessEnv = process.env): LoadedBackends {
  const loaded = PLUGINS.map((p) => {
    const settings = p.loadSettings(env);
    return { name: p.name, backend: p.turnBackend(settings), description: p.describe(settings) };
  });
  return {
    get: (name) => loaded.find((l) => l.name === name)?.backend,
    describe: () => loaded.map((l) => l.description).join(', '),
  };
}
