/**
 * The `convo` command. Every failure prints one line, `convo: <reason>` (or `TYPE: message` for a failed turn), and
 * exits non-zero.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { createPayloadCodecs } from '../codec/data-converter.js';
import { startCodecServer, type CodecServer } from '../codec/server.js';
import {
  BACKENDS,
  CONVERSATION_STATUSES,
  PERMISSION_MODES,
  type ConversationState,
  type ConversationStatus,
} from '../common/conversation.js';
import { ConfigError, loadCodecAuthTokens, loadConfig, loadEncryptionKeys, type EncryptionKeys } from '../config.js';
import { DEFAULT_TEMPORAL_ADDRESS, loadTemporalSettings } from '../connection.js';
import { dataDir } from '../paths.js';
import { answers, startDevServer, type DevServer } from '../server/dev-server.js';
import { runWorker } from '../worker/main.js';
import { formatChat } from './chat.js';
import { ConvoClient, ConvoError, TurnFailedError } from './client.js';
import { formatList, watch, withProgress } from './terminal.js';

/** Builds the command tree. `argv` handling is commander's. */
export function buildProgram(): Command {
  const program = new Command('convo')
    .description('Durable Claude Code conversations on Temporal')
    .showHelpAfterError()
    .configureOutput({ outputError: (text, write) => write(text) });

  program
    .command('server')
    .description(
      'run the Temporal dev server in the foreground (Web UI on --ui-port), keeping data in a database file, and a codec ' +
        'server (on --codec-port) that the Web UI shows payloads through',
    )
    .option('--port <port>', 'gRPC port', '7233')
    .option('--ui-port <port>', 'Web UI port', '8233')
    .option('--codec-port <port>', 'codec server port', parsePort, 8081)
    .option('--db <file>', 'database file', join(dataDir, 'temporal.db'))
    .action(async (opts: { port: string; uiPort: string; codecPort: number; db: string }) => {
      // A server already answering (at TEMPORAL_ADDRESS, or on the port asked for) wins over starting another.
      for (const address of [process.env.TEMPORAL_ADDRESS, `127.0.0.1:${opts.port}`]) {
        if (address && (await answers(address))) {
          console.log(`a Temporal server already answers at ${address}; not starting another`);
          return;
        }
      }
      const keys = loadEncryptionKeys();
      const codec = await listenCodecServer(keys, {
        port: opts.codecPort,
        corsOrigins: [`http://localhost:${opts.uiPort}`, `http://127.0.0.1:${opts.uiPort}`],
        portOption: '--codec-port',
      });
      let server: DevServer;
      try {
        server = await startDevServer({
          port: Number(opts.port),
          uiPort: Number(opts.uiPort),
          uiCodecEndpoint: codec.url,
          dbFile: opts.db,
          output: 'inherit',
        });
      } catch (err) {
        await codec.close();
        throw err;
      }
      console.log(`Temporal dev server at ${server.address}, Web UI at ${server.uiUrl}, data in ${opts.db}`);
      console.log(`codec server at ${codec.url} (${describeCodecs(keys)}); the Web UI shows payloads through it`);
      const stop = (): void => void server.stop();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      await new Promise<void>((resolve) => server.process.once('exit', () => resolve()));
      await codec.close();
    });

  program
    .command('codec-server')
    .description(
      "serve Temporal's remote codec protocol (POST /decode, /encode) so the Web UI and `temporal --codec-endpoint` " +
        'show payloads as JSON: decompresses always, decrypts with the keys in the environment',
    )
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port', parsePort, 8081)
    .option('--cors-origin <origins...>', 'browser origins (Web UIs) allowed to call it, or *', ['http://localhost:8233'])
    .action(async (opts: { host: string; port: number; corsOrigin: string[] }) => {
      const keys = loadEncryptionKeys();
      const authTokens = loadCodecAuthTokens();
      const codec = await listenCodecServer(keys, { host: opts.host, port: opts.port, corsOrigins: opts.corsOrigin, authTokens, portOption: '--port' });
      const auth = authTokens ? `requires Authorization: Bearer (${authTokens.length} token${authTokens.length === 1 ? '' : 's'})` : 'no Authorization check';
      console.log(`codec server at ${codec.url} (${describeCodecs(keys)}), CORS for ${opts.corsOrigin.join(', ')}, ${auth}`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await codec.close();
    });

  program
    .command('worker')
    .description('run a worker in the foreground (stops on SIGINT/SIGTERM)')
    .action(async () => runWorker());

  program
    .command('start')
    .description('start a conversation and print its id; TEXT, if given, is queued as the first turn ("-" reads stdin)')
    .argument('[text...]')
    .option('--id <id>', 'conversation id (default: generated)')
    .option('--cwd <dir>', 'working directory of the conversation on the workers', process.cwd())
    .addOption(new Option('--backend <cli>', 'the CLI the conversation runs on').choices([...BACKENDS]).default('claude'))
    .option('--model <model>', 'model for the CLI (opencode: provider/model, or a model of the worker\'s provider)')
    .option('--title <title>', 'a title for people')
    .option('--system-prompt <text>', 'replace the system prompt')
    .option('--append-system-prompt <text>', 'append to the system prompt')
    .option('--allowed-tools <tools...>', 'tools the CLI may use without asking, e.g. Bash Edit')
    .addOption(new Option('--permission-mode <mode>', 'CLI permission mode').choices([...PERMISSION_MODES]))
    .option('--details-refresh <seconds>', "while a turn runs, refresh its elapsed time in the Web UI's current details this often (0: off)", parseSeconds, 60)
    .action(async (text: string[], opts: Record<string, string | string[] | number | undefined>) =>
      withClient(async (client) => {
        const id = await client.start({
          prompt: text.length > 0 ? promptFrom(text) : undefined,
          id: opts.id as string | undefined,
          cwd: opts.cwd as string,
          backend: opts.backend as (typeof BACKENDS)[number],
          model: opts.model as string | undefined,
          title: opts.title as string | undefined,
          systemPrompt: opts.systemPrompt as string | undefined,
          appendSystemPrompt: opts.appendSystemPrompt as string | undefined,
          allowedTools: opts.allowedTools as string[] | undefined,
          permissionMode: opts.permissionMode as (typeof PERMISSION_MODES)[number] | undefined,
          detailsRefreshS: opts.detailsRefresh as number,
        });
        console.log(id);
      }),
    );

  program
    .command('send')
    .description('queue a turn (returns at once); TEXT "-" reads the prompt from stdin')
    .argument('<id>')
    .argument('<text...>')
    .action(async (id: string, text: string[]) => withClient((client) => client.send(id, promptFrom(text))));

  program
    .command('ask')
    .description('queue a turn and print its reply; TEXT "-" reads the prompt from stdin')
    .argument('<id>')
    .argument('<text...>')
    .action(async (id: string, text: string[]) =>
      withClient(async (client) => {
        const { reply } = await withProgress(client, id, client.ask(id, promptFrom(text)));
        console.log(reply);
      }),
    );

  program
    .command('watch')
    .description('follow a conversation live: turns, tool calls, replies, waits (Ctrl-C to stop)')
    .argument('<id>')
    .option('--until-idle', 'exit once no turn is running, queued or waiting')
    .option('--interval <ms>', 'how often to look, ms', '500')
    .action(async (id: string, opts: { untilIdle?: boolean; interval: string }) =>
      withClient((client) => watch(client, id, { untilIdle: opts.untilIdle === true, intervalMs: Number(opts.interval) })),
    );

  program
    .command('history')
    .description('print the conversation as a chat (prompts, replies, tool calls and results), from its transcript')
    .argument('<id>')
    .option('--json', 'print the turns as JSON')
    .option('--full', 'do not cut long tool results')
    .action(async (id: string, opts: { json?: boolean; full?: boolean }) =>
      withClient(async (client) => {
        const chat = await client.chat(id);
        if (opts.json) console.log(JSON.stringify(chat, null, 2));
        else console.log(chat.length === 0 ? 'no turns yet' : formatChat(chat, { maxResultLines: opts.full ? 0 : 20 }));
      }),
    );

  program
    .command('cancel')
    .description('cancel the running (or waiting) turn: its CLI is killed and the turn fails with Cancelled')
    .argument('<id>')
    .action(async (id: string) =>
      withClient(async (client) => {
        const index = await client.cancel(id);
        console.log(`cancelled turn ${index + 1} of ${id}`);
      }),
    );

  program
    .command('show')
    .description('show a conversation')
    .argument('<id>')
    .option('--json', 'print JSON')
    .action(async (id: string, opts: { json?: boolean }) =>
      withClient(async (client) => {
        const state = await client.state(id);
        console.log(opts.json ? JSON.stringify(state, null, 2) : formatState(state));
      }),
    );

  program
    .command('list')
    .description('list conversations, newest first')
    .addOption(new Option('--status <status>', 'only conversations with this status').choices([...CONVERSATION_STATUSES]))
    .option('--limit <n>', 'at most this many', '100')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean; status?: ConversationStatus; limit: string }) =>
      withClient(async (client) => {
        const rows = await client.list({ status: opts.status, limit: Number(opts.limit) });
        if (opts.json) console.log(JSON.stringify(rows, null, 2));
        else if (rows.length === 0) console.log(opts.status ? `no ${opts.status} conversations` : 'no conversations');
        else console.log(formatList(rows));
      }),
    );

  program
    .command('resume')
    .description('run again the turn that needs attention, once credentials or billing are fixed')
    .argument('<id>')
    .action(async (id: string) => withClient((client) => client.resume(id)));

  program
    .command('skip')
    .description('fail the turn that needs attention and go on with the next')
    .argument('<id>')
    .action(async (id: string) => withClient((client) => client.skip(id)));

  program
    .command('close')
    .description('close a conversation after its queued turns')
    .argument('<id>')
    .action(async (id: string) => withClient((client) => client.close(id)));

  return program;
}

function parseSeconds(value: string): number {
  const seconds = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(seconds)) throw new InvalidArgumentError('not a whole number of seconds (0 or more)');
  return seconds;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError('not a port number (0-65535)');
  return port;
}

/** Starts the codec server with the configuration's codecs; a taken port names the option to change. */
async function listenCodecServer(
  keys: EncryptionKeys | undefined,
  options: { host?: string; port: number; corsOrigins: string[]; authTokens?: string[]; portOption: string },
): Promise<CodecServer> {
  try {
    return await startCodecServer({
      codecs: createPayloadCodecs({ encryption: keys }),
      host: options.host,
      port: options.port,
      corsOrigins: options.corsOrigins,
      authTokens: options.authTokens,
      log: (line) => console.error(line),
    });
  } catch (err) {
    const message = (err as Error).message;
    throw new Error(/address in use/.test(message) ? `${message} (choose another with ${options.portOption})` : message);
  }
}

/** What the codecs of this configuration do, naming key ids only. */
function describeCodecs(keys: EncryptionKeys | undefined): string {
  if (!keys) return 'decompresses; holds no encryption key';
  const ids = [...keys.keys.keys()].join(', ');
  return `decompresses, decrypts key ids ${ids}${keys.encryptKeyId ? `, encrypts with ${keys.encryptKeyId}` : ''}`;
}

function promptFrom(text: string[]): string {
  return text.length === 1 && text[0] === '-' ? readFileSync(0, 'utf8') : text.join(' ');
}

async function withClient(run: (client: ConvoClient) => Promise<void>): Promise<void> {
  const client = await ConvoClient.connect(loadConfig());
  try {
    await run(client);
  } finally {
    await client.shutdown();
  }
}

function formatState(state: ConversationState): string {
  const lines = [
    `${state.id}  ${state.status}${state.closing && state.status !== 'closed' ? ' (closing)' : ''}`,
    `  backend ${state.backend}, session ${state.sessionId}, cwd ${state.cwd}`,
    `  transcript ${state.transcriptBytes} bytes, ${state.turns.length} turns`,
  ];
  if (state.title) lines.splice(1, 0, `  title ${state.title}`);
  if (state.rateLimitedUntil) lines.push(`  usage limit of account ${state.account} until ${state.rateLimitedUntil}: ${state.rateLimitMessage ?? ''}`);
  if (state.attention) {
    lines.push(`  needs attention: ${state.attention.type}: ${state.attention.message}`);
    lines.push(`  fix it, then \`convo resume ${state.id}\` (or \`convo skip ${state.id}\` to fail the turn)`);
  }
  for (const turn of state.turns) {
    lines.push(`  turn ${turn.index + 1} ${turn.status}: ${turn.prompt.split('\n')[0]}`);
    if (turn.reply) lines.push(`      → ${turn.reply.split('\n')[0]}`);
    if (turn.error) lines.push(`      ✗ ${turn.error.type}: ${turn.error.message}`);
  }
  return lines.join('\n');
}

/** The address `convo` connects to (profile or `TEMPORAL_ADDRESS`), for messages. */
function temporalAddress(): string {
  try {
    return loadTemporalSettings().address;
  } catch {
    return process.env.TEMPORAL_ADDRESS || DEFAULT_TEMPORAL_ADDRESS;
  }
}

/** Runs the command line; prints one-line reasons for expected failures. */
export async function main(argv: string[] = process.argv): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    if (err instanceof TurnFailedError) console.error(`${err.type}: ${err.message}`);
    else if (err instanceof ConvoError || err instanceof ConfigError) console.error(`convo: ${err.message}`);
    else if ((err as { name?: string }).name === 'TransportError' || /connect|UNAVAILABLE/i.test(String(err))) {
      console.error(
        `convo: cannot reach Temporal at ${temporalAddress()} (start one with \`convo server\`, or set TEMPORAL_ADDRESS or a TEMPORAL_PROFILE): ${(err as Error).message}`,
      );
    } else console.error(`convo: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  }
}
