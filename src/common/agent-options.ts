/**
 * What a conversation equips its agent with: MCP servers, tool rules, directories, effort, models, limits and
 * structured output. Part of the conversation's options (set at start, changed by `configure` between turns),
 * checked with zod at the edges. Deterministic: imported by workflow code.
 *
 * MCP server shapes are Claude Code's `--mcp-config` format (`{"mcpServers": {NAME: server}}`, Claude Code 2.1.x):
 * stdio (`command`, `args`, `env`), `http` and `sse` (`url`, `headers`). Strings may hold `${VAR}` references, which
 * the worker expands from its own environment when it writes the config for a turn; the values never enter workflow
 * history, and a stdio server's environment gets only the variables its config names.
 */
import { z } from 'zod';
import { ApprovalRule } from './approvals.js';

/** A `${VAR}` reference in an MCP server's strings (POSIX variable names). */
export const ENV_REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** An MCP server run as a child process of the CLI on the worker. */
export const McpStdioServer = z.strictObject({
  type: z.literal('stdio').optional(),
  command: z.string().min(1),
  args: z.array(z.string()).optional(),
  env: z.record(z.string(), z.string()).optional(),
});

/** An MCP server the CLI reaches over HTTP (`http`: streamable HTTP; `sse`: server-sent events). */
export const McpRemoteServer = z.strictObject({
  type: z.enum(['http', 'sse']),
  url: z.string().min(1),
  headers: z.record(z.string(), z.string()).optional(),
});

export const McpServer = z.union([McpStdioServer, McpRemoteServer]);
export type McpServer = z.infer<typeof McpServer>;

/** MCP server names: what tool names are built from (`mcp__NAME__TOOL`). */
export const MCP_SERVER_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** A conversation's MCP servers by name. */
export const McpServers = z.record(
  z.string().regex(MCP_SERVER_NAME, 'MCP server names are 1-64 letters, digits, _ or -'),
  McpServer,
);
export type McpServers = z.infer<typeof McpServers>;

/** Claude Code `--effort` levels (Claude Code 2.1.330 `--help`). */
export const EFFORT_LEVELS = ['low', 'medium', 'high', 'xhigh', 'max'] as const;

/**
 * The options `configure` may change between turns (and `start` sets). Each applies from the next turn on; a turn
 * records which revision of them it ran with.
 */
export const AgentOptions = z.object({
  /** MCP servers the agent gets, and only these (Claude Code `--strict-mcp-config`; opencode's `mcp` config). */
  mcpServers: McpServers.optional(),
  /** Also give the agent the worker user's own MCP servers (`~/.claude.json`); default false. */
  userMcpServers: z.boolean().optional(),
  /** Tools refused outright (permission-rule syntax, e.g. `Bash(rm:*)`). */
  disallowedTools: z.array(z.string().min(1)).optional(),
  /** More directories the agent may read and edit, absolute paths on the workers (`--add-dir`). */
  addDirs: z.array(z.string().startsWith('/', 'addDirs must be absolute paths')).optional(),
  effort: z.enum(EFFORT_LEVELS).optional(),
  /** Models to fall back to when the main one is busy (`--fallback-model`). */
  fallbackModel: z.string().min(1).optional(),
  /** At most this many agent steps (model calls) per turn (`--max-turns`). */
  maxTurns: z.number().int().positive().optional(),
  /** A JSON Schema the reply must follow (`--json-schema`): `ask` then returns the parsed object. */
  jsonSchema: z.record(z.string(), z.unknown()).optional(),
  /** More CLI settings, as Claude Code's `--settings` JSON (e.g. `{"env": {...}}` is refused: see the README). */
  settings: z.record(z.string(), z.unknown()).optional(),
  /** The most the conversation may spend, US dollars: a turn does not start once the total reaches it. */
  maxCostUsd: z.number().positive().optional(),
  /** Tool calls matching these rules wait for a person's decision (`needs_approval`); others follow the tool rules. */
  approve: z.array(ApprovalRule).optional(),
  /** Undecided calls are denied after this long, s (a durable timer); unset: they wait for ever. */
  approvalTimeoutS: z.number().int().positive().optional(),
});
export type AgentOptions = z.infer<typeof AgentOptions>;

/** A tool call the CLI refused in a turn (stream-json `result.permission_denials`, Claude Code 2.1.330). */
export interface ToolDenial {
  /** The tool's name, e.g. `Bash` or `mcp__github__create_issue`. */
  tool: string;
  /** Its input on one line (command, path, …), secrets redacted. */
  input: string;
}
