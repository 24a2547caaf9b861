/**
 * A conversation's MCP servers made concrete on the worker: every `${VAR}` reference in their strings (command, args,
 * env values, url, headers) replaced by the worker's value. The values exist only here, in the turn's private MCP config
 * file (mode 0600, deleted with the turn dir) and in the servers' own processes: never in workflow history.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { ENV_REFERENCE, type McpServer, type McpServers } from '../../common/agent-options.js';

/** The servers with their references expanded, and the values that went in (secrets to redact from the turn). */
export interface ExpandedMcpServers {
  servers: McpServers;
  /** The values of the variables the config references. */
  values: string[];
}

/**
 * Expands the `${VAR}` references of `servers` from `env`.
 * @throws ApplicationFailure `InvalidRequest` (non-retryable), naming the variable, when `env` lacks one: the config
 *   asks for a variable this worker does not have, and another attempt here would fail the same way.
 */
export function expandMcpServers(servers: McpServers | undefined, env: NodeJS.ProcessEnv): ExpandedMcpServers {
  const values = new Set<string>();
  const expand = (text: string, where: string): string =>
    text.replace(ENV_REFERENCE, (_ref, name: string) => {
      const value = env[name];
      if (value === undefined) {
        throw ApplicationFailure.create({
          type: 'InvalidRequest',
          message: `MCP server ${where} references \${${name}}, which is not set on this worker`,
          nonRetryable: true,
        });
      }
      values.add(value);
      return value;
    });
  const expandRecord = (record: Record<string, string> | undefined, where: string) =>
    record && Object.fromEntries(Object.entries(record).map(([k, v]) => [k, expand(v, where)]));
  const out: McpServers = {};
  for (const [name, server] of Object.entries(servers ?? {}))
    out[name] = expandServer(server, name, expand, expandRecord);
  return { servers: out, values: [...values] };
}

function expandServer(
  server: McpServer,
  name: string,
  expand: (text: string, where: string) => string,
  expandRecord: (r: Record<string, string> | undefined, where: string) => Record<string, string> | undefined,
): McpServer {
  if ('command' in server) {
    return {
      ...server,
      command: expand(server.command, name),
      ...(server.args && { args: server.args.map((a) => expand(a, name)) }),
      ...(server.env && { env: expandRecord(server.env, name) }),
    };
  }
  return {
    ...server,
    url: expand(server.url, name),
    ...(server.headers && { headers: expandRecord(server.headers, name) }),
  };
}

/**
 * A stdio server started through `env -u NAME… -- command args`, so that it does not inherit `names` from the CLI
 * (both CLIs start MCP servers with their own environment plus the server's `env`), except those its own `env` sets;
 * remote servers as they are. Only names go on the command line, never values.
 */
export function hideVars(server: McpServer, names: readonly string[]): McpServer {
  if (!('command' in server)) return server;
  const unset = names.filter((n) => !(server.env && n in server.env)).flatMap((n) => ['-u', n]);
  if (unset.length === 0) return server;
  return { ...server, command: 'env', args: [...unset, '--', server.command, ...(server.args ?? [])] };
}
