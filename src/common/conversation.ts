/**
 * The shapes of a conversation, shared by the workflow, the activities and the clients. Parsed with zod at the
 * edges (client input, workflow input). Deterministic: imported by workflow code.
 */
import { z } from 'zod';
import { AgentOptions, type ToolDenial } from './agent-options.js';
import type { PendingToolCall, ToolDecision } from './approvals.js';
import type { TurnError } from './errors.js';
import { utf8ByteLength } from './text.js';
import type { TranscriptChange, TranscriptSegment } from './transcript-segments.js';

export * from './ask.js';
export * from './turn-progress.js';
export * from './transcript-segments.js';
import {
  BRANCH_NAME,
  ForkOrigin,
  type TurnWorkspace,
  type TurnWorkspaceRecord,
  type WorkspaceChange,
} from './workspace.js';

/**
 * The name of the CLI a conversation runs on (`claude`, `opencode`, …): lower-case letters, digits and `-`. Which
 * names exist is the backend registry's to say (`backendNames()` in `src/activities/backends/registry.ts`, checked
 * by the client; a worker fails a turn on a backend it does not know with `CliNotFound`), so that a new backend is
 * one folder plus one registry line and workflow code never lists them.
 */
export type Backend = string;

/** The backend of a conversation that names none. */
export const DEFAULT_BACKEND = 'claude';

/** The form of a backend name. */
export const BACKEND_NAME = /^[a-z][a-z0-9-]*$/;

/** Claude Code `--permission-mode` choices (Claude Code 2.1.x `--help`). */
export const PERMISSION_MODES = ['acceptEdits', 'auto', 'bypassPermissions', 'manual', 'dontAsk', 'plan'] as const;

/** Largest prompt a turn accepts, in UTF-8 bytes (Temporal payloads stop at 2 MiB; prompts are far smaller). */
export const MAX_PROMPT_BYTES = 256 * 1024;

/**
 * How a conversation is set up. Where its turns run is one of: `cwd`, an absolute path on the workers (snapshotted as
 * a workspace when it is a git work tree), or `repo`, a git remote whose branch the conversation owns (see
 * `./workspace.ts`).
 */
export const ConversationOptions = AgentOptions.extend({
  backend: z.string().regex(BACKEND_NAME, 'backend must be a lower-case name, e.g. claude').default(DEFAULT_BACKEND),
  cwd: z.string().startsWith('/', 'cwd must be an absolute path').optional(),
  /**
   * A git remote's URL (`https://…`, `ssh://…`, `git://…`, `file://…`, `user@host:path`). `${VAR}` references are
   * expanded on the worker from its environment, so credentials never enter history.
   */
  repo: z.string().min(1).optional(),
  /** With `repo`: the branch the conversation owns (default `convo/<conversation id>`). */
  branch: z.string().regex(BRANCH_NAME, 'branch must be a git branch name').optional(),
  /** With `repo`: the ref the branch is created from when it does not exist yet (default the remote's default
   * branch). */
  base: z.string().min(1).optional(),
  /** Set by `fork`: the conversation and turn this one continues from. */
  forkOf: ForkOrigin.optional(),
  model: z.string().min(1).optional(),
  systemPrompt: z.string().min(1).optional(),
  appendSystemPrompt: z.string().min(1).optional(),
  allowedTools: z.array(z.string().min(1)).optional(),
  permissionMode: z.enum(PERMISSION_MODES).optional(),
  title: z.string().max(200).optional(),
  /** Continue as new between turns once the run's history passes this size, bytes (default 4 MiB; Temporal's
   * own suggestion is honoured too). */
  historyLimitBytes: z
    .number()
    .int()
    .positive()
    .default(4 * 1024 * 1024),
  /** While a turn runs, refresh the elapsed time in the Web UI's current details this often, s (default 60; 0 turns
   * it off). Each refresh is a timer: about five history events, a few hundred bytes. */
  detailsRefreshS: z.number().int().min(0).default(60),
  /** Conversations of one account share its usage limit; default `default`. */
  account: z
    .string()
    .regex(/^[\w.-]{1,100}$/, 'account must be 1-100 letters, digits, _ . or -')
    .default('default'),
}).superRefine((o, ctx) => {
  const problem = whereProblem(o);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});
export type ConversationOptions = z.infer<typeof ConversationOptions>;

/** Why the options do not say where turns run (exactly one of `cwd` and `repo`; `branch` and `base` need `repo`). */
function whereProblem(o: { cwd?: string; repo?: string; branch?: string; base?: string }): string | undefined {
  if (o.cwd && o.repo) return 'give cwd or repo, not both';
  if (!o.cwd && !o.repo) return 'cwd (an absolute path on the workers) or repo (a git remote) is required';
  if (!o.repo && (o.branch || o.base)) return 'branch and base go with repo';
  return undefined;
}
/** What callers pass: `backend` may be left out. */
export type ConversationOptionsInput = z.input<typeof ConversationOptions>;

/** An option `configure` may set (a value) or remove (`null`). */
const clearable = <T extends z.ZodType>(schema: z.ZodOptional<T>) => schema.unwrap().nullable().optional();
const o = ConversationOptions.shape;

/**
 * What `configure` is given: the options it may change between turns, each a new value or `null` (removed); those
 * left out stay as they are. Everything else (backend, cwd, account, prompts) is fixed when the conversation starts.
 */
export const ConfigureInput = z.strictObject({
  model: clearable(o.model),
  allowedTools: clearable(o.allowedTools),
  permissionMode: clearable(o.permissionMode),
  mcpServers: clearable(o.mcpServers),
  userMcpServers: clearable(o.userMcpServers),
  disallowedTools: clearable(o.disallowedTools),
  addDirs: clearable(o.addDirs),
  effort: clearable(o.effort),
  fallbackModel: clearable(o.fallbackModel),
  maxTurns: clearable(o.maxTurns),
  jsonSchema: clearable(o.jsonSchema),
  settings: clearable(o.settings),
  maxCostUsd: clearable(o.maxCostUsd),
  approve: clearable(o.approve),
  approvalTimeoutS: clearable(o.approvalTimeoutS),
});
export type ConfigureInput = z.infer<typeof ConfigureInput>;

/** One `configure` the conversation took: when, what changed, and the revision it made (turns record theirs). */
export interface Configuration {
  revision: number;
  at: string;
  changes: ConfigureInput;
}

/**
 * Checks a prompt. Returns a one-line reason when it is unusable, undefined when it is fine.
 * Used by the client before sending and by the workflow's update validator.
 */
export function promptProblem(prompt: unknown): string | undefined {
  if (typeof prompt !== 'string') return 'prompt must be a string';
  if (prompt.trim().length === 0) return 'prompt is empty';
  const bytes = utf8ByteLength(prompt);
  if (bytes > MAX_PROMPT_BYTES) return `prompt is ${bytes} bytes; the limit is ${MAX_PROMPT_BYTES} bytes`;
  return undefined;
}

/** Where a conversation is in its life. */
export const CONVERSATION_STATUSES = [
  'idle',
  'running',
  'rate_limited',
  'needs_attention',
  'needs_approval',
  'closed',
] as const;
export type ConversationStatus = (typeof CONVERSATION_STATUSES)[number];

export const TURN_STATUSES = ['queued', 'running', 'completed', 'failed'] as const;
export type TurnStatus = (typeof TURN_STATUSES)[number];

/** Token counts of a turn, summed over the CLI's model calls (stream-json `result.usage`). */
export interface TurnUsage {
  inputTokens: number;
  outputTokens: number;
  cacheCreationInputTokens: number;
  cacheReadInputTokens: number;
}

/** One turn as the `state` query shows it. Times are ISO 8601. */
export interface TurnRecord {
  index: number;
  prompt: string;
  status: TurnStatus;
  reply?: string;
  error?: TurnError;
  /** Cost reported by the CLI, in US dollars. */
  costUsd?: number;
  usage?: TurnUsage;
  /** Wall time the CLI reported for the turn, ms. */
  durationMs?: number;
  queuedAt: string;
  startedAt?: string;
  endedAt?: string;
  /** Set on old turns whose prompt and reply were cut to an excerpt when the conversation continued as new. */
  truncated?: boolean;
  /** `compact`: a compaction of the session (the CLI's own `/compact`), made on demand or after `ContextOverflow`. */
  kind?: 'prompt' | 'compact';
  /** Tool calls the CLI refused in this turn (not approved by the conversation's tool rules). */
  denials?: ToolDenial[];
  /** With `jsonSchema`: the reply parsed as JSON. */
  structured?: unknown;
  /** The revision of the options the turn ran with (0: as started; `configure` adds one). */
  optionsRevision?: number;
  /** While the turn waits for a person's decision on a tool call (status `needs_approval`): that call. */
  pending?: PendingToolCall;
  /** The decisions people made on this turn's paused calls, in order. */
  decisions?: ToolDecision[];
  /** In a conversation with a workspace: what the turn started from, its commit (or snapshot) and the files it
   * changed. */
  workspace?: TurnWorkspaceRecord;
  /** Size of the conversation's transcript once this turn completed, bytes (what `fork --at` cuts it to). */
  transcriptBytes?: number;
}

/** The `state` query's answer. */
export interface ConversationState {
  id: string;
  status: ConversationStatus;
  backend: Backend;
  account: string;
  /** Where turns run, for a `cwd` conversation. */
  cwd?: string;
  /** For a `repo` conversation: the remote (as given: `${VAR}` references unexpanded), the branch it owns, and its
   * last commit (absent until a turn made one or resolved where the branch starts). */
  repo?: { url: string; branch: string; head?: string };
  title?: string;
  model?: string;
  /** The session id (a UUID made by the workflow): Claude Code's session id. opencode names its sessions itself
   * (`ses_…`); that id travels inside the transcript (its session line). */
  sessionId: string;
  /** Set once `close` was signalled: no new turns are taken; queued ones still run. */
  closing: boolean;
  turns: TurnRecord[];
  /** Size of the session transcript held by the workflow, bytes. */
  transcriptBytes: number;
  /** While the account is paused for a usage limit: the reset time (ISO 8601). No turn starts before it. */
  rateLimitedUntil?: string;
  /** The usage-limit message behind `rateLimitedUntil`. */
  rateLimitMessage?: string;
  /** While `needs_attention`: why (an `Authentication`, `Billing` or `BudgetExceeded` error). `resume` or `skip`. */
  attention?: TurnError;
  /** Total the conversation's turns cost, US dollars (as the CLI reported). */
  costUsd: number;
  /** The options in force now (as started, changed by `configure`). */
  options: ConversationOptions;
  /** Every `configure`, oldest first. */
  configurations: Configuration[];
  /** While `needs_approval`: the tool call (or question) waiting for a decision. */
  pending?: PendingToolCall;
}

/** What the turn activity is given. */
export interface TurnInput {
  conversationId: string;
  turnIndex: number;
  sessionId: string;
  prompt: string;
  options: ConversationOptions;
  /** The session transcript before this turn, as segments; empty on the first turn. */
  transcript: TranscriptSegment[];
  /** `compact`: run the CLI's compaction instead of a prompt. Default `prompt`. */
  kind?: 'prompt' | 'compact';
  /** With `maxCostUsd`: what is left of the budget, US dollars (passed as the CLI's own cap where it has one). */
  remainingBudgetUsd?: number;
  /**
   * Set when this run continues a turn whose run paused at a tool call: the CLI resumes the session with nothing on
   * stdin (no new prompt) and re-announces the paused call, which `decisions` then decides.
   */
  continues?: boolean;
  /** Every decision made on this turn so far (the hook answers a re-announced call from these, by `toolUseId`). */
  decisions?: ToolDecision[];
  /** Where the run's workspace starts, when the workflow knows (see {@link TurnWorkspace}). */
  workspace?: TurnWorkspace;
}

/** Options with where the run happens resolved: `cwd` is the directory the CLI runs in (a `repo` conversation's
 * checkout on this worker). */
export type RunOptions = ConversationOptions & { cwd: string };

/** A turn's input as a backend runs it: {@link TurnInput} with {@link RunOptions}. */
export type RunInput = Omit<TurnInput, 'options'> & { options: RunOptions };

/** What the turn activity returns. */
export interface TurnResult {
  reply: string;
  costUsd?: number;
  usage?: TurnUsage;
  durationMs?: number;
  /** Model calls the CLI made in this turn (stream-json `num_turns`). */
  numTurns?: number;
  transcript: TranscriptChange;
  /** Tool calls the CLI refused (Claude Code: `result.permission_denials`). */
  denials?: ToolDenial[];
  /** With `jsonSchema`: the reply parsed as JSON (Claude Code: `result.structured_output`). */
  structured?: unknown;
  /**
   * Set when the run paused at a tool call that waits for a person (Claude Code: `terminal_reason: "tool_deferred"`,
   * `deferred_tool_use`): the turn is not over; `reply` is empty and `transcript` holds the call.
   */
  pending?: Omit<PendingToolCall, 'since'>;
  /** In a conversation with a workspace (a `repo`, or a `cwd` that is a git work tree): what the run changed. */
  workspace?: WorkspaceChange;
  /**
   * Set when the worker kept the CLI alive after this run (a warm session): the next turn may go to `taskQueue`, the
   * worker's own, and run on the live process (only if its transcript is still exactly the conversation's).
   */
  warm?: { taskQueue: string };
}
