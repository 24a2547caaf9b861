/**
 * Reading MCP server configs in Claude Code's `--mcp-config` format (`{"mcpServers": {NAME: server}}`, Claude Code
 * 2.1.x) for `convo start --mcp-config FILE...` and `convo configure`. Several files are merged; a name defined in two
 * of them is an error, since which one wins would be a guess. Values are kept exactly as written: `${VAR}` references
 * stay references, expanded only on the worker (so secrets never reach the client's request or workflow history).
 */
import { readFileSync } from 'node:fs';
import { MCP_SERVER_NAME, McpRemoteServer, McpServers, McpStdioServer } from '../common/agent-options.js';
import { ConvoError } from './errors.js';

/** The `--mcp-config` document: only `mcpServers` is read; other keys (a whole `.mcp.json`) are allowed and ignored. */
function serversOf(text: string, source: string): McpServers {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new ConvoError('InvalidOptions', `${source}: not JSON (${(err as Error).message.replace(/\s+/g, ' ')})`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc) || !('mcpServers' in doc)) {
    throw new ConvoError('InvalidOptions', `${source}: no "mcpServers" object (Claude Code's --mcp-config format)`);
  }
  const servers = doc.mcpServers;
  if (typeof servers !== 'object' || servers === null || Array.isArray(servers)) {
    throw new ConvoError('InvalidOptions', `${source}: "mcpServers" is not an object`);
  }
  for (const [name, server] of Object.entries(servers)) {
    const problem = serverProblem(name, server);
    if (problem) throw new ConvoError('InvalidOptions', `${source}: mcpServers.${name}${problem}`);
  }
  // Every server parsed above; this only gives the value its type.
  return McpServers.parse(servers);
}

/**
 * What is wrong with one server, as `: problem` or `.field: problem`, checked against the schema its `type` picks
 * (zod's own message for the union of all of them would only say "Invalid input").
 */
function serverProblem(name: string, server: unknown): string | undefined {
  if (!MCP_SERVER_NAME.test(name)) return ': MCP server names are 1-64 letters, digits, _ or -';
  const type = (server as { type?: unknown } | null)?.type;
  if (type !== undefined && type !== 'stdio' && type !== 'http' && type !== 'sse') {
    return `.type: ${JSON.stringify(type)} is not stdio, http or sse`;
  }
  const schema = type === 'http' || type === 'sse' ? McpRemoteServer : McpStdioServer;
  const parsed = schema.safeParse(server);
  if (parsed.success) return undefined;
  const issue = parsed.error.issues[0]!;
  return `${issue.path.map((p) => `.${String(p)}`).join('')}: ${issue.message.replace(/\s+/g, ' ')}`;
}

/**
 * Merges MCP config documents into one set of servers.
 * @param docs each document's JSON text and its source (a file name), named in errors.
 * @returns the servers by name, values as written (`${VAR}` kept).
 * @throws ConvoError `InvalidOptions` with one line naming the source and the problem: not JSON, no `mcpServers`,
 *   a server that does not parse, a name that is defined in two documents.
 */
export function mergeMcpConfigs(docs: Array<{ text: string; source: string }>): McpServers {
  const merged: McpServers = {};
  const sources = new Map<string, string>();
  for (const { text, source } of docs) {
    for (const [name, server] of Object.entries(serversOf(text, source))) {
      const first = sources.get(name);
      if (first !== undefined) {
        throw new ConvoError('InvalidOptions', `${source}: MCP server "${name}" is already defined in ${first}`);
      }
      sources.set(name, source);
      merged[name] = server;
    }
  }
  return merged;
}

/**
 * Reads and merges `--mcp-config` files (see {@link mergeMcpConfigs}).
 * @param files paths, read relative to the current directory.
 * @throws ConvoError `InvalidOptions` naming the file that cannot be read or does not parse.
 */
export function readMcpConfigs(files: string[]): McpServers {
  return mergeMcpConfigs(
    files.map((file) => {
      try {
        return { text: readFileSync(file, 'utf8'), source: file };
      } catch (err) {
        throw new ConvoError(
          'InvalidOptions',
          `${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
        );
      }
    }),
  );
}
