/**
 * Which tool calls wait for a person: a conversation's `approve` rules, in Claude Code's permission-rule syntax
 * (code.claude.com/docs/en/iam, "Tool-specific permission rules"), matched against a call the way Claude Code matches
 * its own `permissions.allow` rules.
 */
import { isAbsolute, relative, sep } from 'node:path';
import ignore from 'ignore';

/** A tool call as the `PreToolUse` hook sees it. */
export interface ToolCall {
  /** `tool_name`, e.g. `Bash`, `Edit`, `mcp__github__create_issue`. */
  tool: string;
  /** `tool_input`, as the model gave it. */
  input: unknown;
}

/** Where relative paths of file rules are resolved: the conversation's cwd and the worker user's home. */
export interface RuleContext {
  cwd: string;
  home: string;
}

/** Tools whose rule specifier is a gitignore-style pattern on the file the call touches. */
const FILE_TOOLS: Record<string, string> = {
  Edit: 'file_path',
  Write: 'file_path',
  Read: 'file_path',
  MultiEdit: 'file_path',
  NotebookEdit: 'notebook_path',
};

/**
 * The first of `rules` that `call` matches, or undefined.
 *
 * - `Tool`: any call of it (`Bash`, `Write`, `mcp__github__create_issue`).
 * - `Bash(prefix:*)`: a command that is `prefix` or starts with `prefix` and a space; `Bash(cmd)`: exactly `cmd`
 *   (a trailing ` *` counts as `:*`).
 * - `Edit(glob)`, `Write(glob)`, `Read(glob)`, `MultiEdit(glob)`, `NotebookEdit(glob)`: the file's path against a
 *   gitignore-style pattern: `src/**` or `*.ts` relative to `ctx.cwd`, `//abs/**` from the file system's root,
 *   `~/x/**` from the home folder. A file outside the folder a pattern is relative to does not match it.
 * - `mcp__server`, `mcp__server__*`: every tool of that MCP server.
 * - `Tool(specifier)` of any other tool: the specifier equals the call's most telling input (`url`, `pattern`, …)
 *   or, with a trailing `*`, prefixes it.
 */
export function matchingRule(rules: readonly string[], call: ToolCall, ctx: RuleContext): string | undefined {
  return rules.find((rule) => ruleMatches(rule, call, ctx));
}

/** Whether one rule matches a call (see {@link matchingRule}). */
export function ruleMatches(rule: string, call: ToolCall, ctx: RuleContext): boolean {
  const open = rule.indexOf('(');
  const name = open < 0 ? rule : rule.slice(0, open);
  const specifier = open < 0 || !rule.endsWith(')') ? undefined : rule.slice(open + 1, -1);
  if (name.startsWith('mcp__')) return specifier === undefined && mcpMatches(name, call.tool);
  if (name !== call.tool) return false;
  if (specifier === undefined || specifier === '' || specifier === '*') return true;
  const input = (call.input ?? {}) as Record<string, unknown>;
  if (name === 'Bash') return typeof input.command === 'string' && commandMatches(specifier, input.command);
  const pathField = FILE_TOOLS[name];
  if (pathField) return typeof input[pathField] === 'string' && pathMatches(specifier, input[pathField], ctx);
  return Object.values(input).some((v) => typeof v === 'string' && textMatches(specifier, v));
}

function mcpMatches(name: string, tool: string): boolean {
  const server = name.endsWith('__*') ? name.slice(0, -3) : name;
  if (server.split('__').length === 2) return tool.startsWith(`${server}__`) || tool === server;
  return tool === name;
}

function commandMatches(specifier: string, command: string): boolean {
  const cmd = command.trim();
  const prefix = specifier.endsWith(':*')
    ? specifier.slice(0, -2)
    : specifier.endsWith(' *')
      ? specifier.slice(0, -2)
      : undefined;
  if (prefix === undefined) return cmd === specifier.trim();
  return cmd === prefix || cmd.startsWith(`${prefix} `) || (prefix.endsWith(' ') && cmd.startsWith(prefix));
}

function textMatches(specifier: string, value: string): boolean {
  return specifier.endsWith('*') ? value.startsWith(specifier.slice(0, -1)) : value === specifier;
}

function pathMatches(pattern: string, path: string, ctx: RuleContext): boolean {
  const absolute = isAbsolute(path) ? path : `${ctx.cwd}${sep}${path}`;
  let base = ctx.cwd;
  let glob = pattern.startsWith('./') ? pattern.slice(2) : pattern;
  if (glob.startsWith('//')) [base, glob] = [sep, glob.slice(2)];
  else if (glob.startsWith('~/')) [base, glob] = [ctx.home, glob.slice(2)];
  const rel = relative(base, absolute);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return false;
  return ignore().add(glob).ignores(rel.split(sep).join('/'));
}
