/**
 * Drives one long conversation through the whole system (its own dev server, a `convo worker` process, the real
 * `claude`, the scripted model server answering every turn with ~`replyBytes` of realistic content) and measures, per
 * turn, how much the transcript and the workflow history grew. Used by `npm run bench` and `npm run test:scale`.
 */
import proto from '@temporalio/proto';
import { ScriptedModelServer } from '../testing/index.js';
import { contentForTurn } from './content.js';
import { startStack } from './stack.js';

const { temporal } = proto;

/** One turn's growth, bytes. History is as stored: compressed payloads. */
export interface TurnGrowth {
  turn: number;
  transcriptBytes: number;
  transcriptAdded: number;
  historyAdded: number;
  runId: string;
  ms: number;
}

/** What a long conversation measured. */
export interface LongConversationResult {
  turns: TurnGrowth[];
  runs: Array<{ runId: string; historyBytes: number; maxPayloadBytes: number; events: number }>;
  finalTranscriptBytes: number;
  /** Sum of history bytes added over sum of transcript bytes added, over all turns. */
  ratio: number;
  /** The same ratio over the second half of the turns (past the first turn's CLI set-up records). */
  steadyRatio: number;
  maxPayloadBytes: number;
  maxRunHistoryBytes: number;
}

/** Size of every Payloads blob in a history event, as Temporal counts it against its 2 MiB limit. */
function payloadSizes(value: unknown, out: number[] = []): number[] {
  if (!value || typeof value !== 'object') return out;
  const record = value as Record<string, unknown>;
  if (Array.isArray(record.payloads))
    out.push(temporal.api.common.v1.Payloads.encode({ payloads: record.payloads as never }).finish().length);
  for (const child of Object.values(record)) if (child && typeof child === 'object') payloadSizes(child, out);
  return out;
}

/**
 * Runs `turns` turns and measures them.
 * @param log called with a line per progress step.
 */
export async function runLongConversation(
  turns: number,
  replyBytes: number,
  log: (line: string) => void = () => undefined,
): Promise<LongConversationResult> {
  const model = await ScriptedModelServer.start({ maxReportedInputTokens: 2000, keepMessages: false });
  model.replyWith((r) => ({ text: contentForTurn(Number(/^turn (\d+)/.exec(r.lastUserText)?.[1] ?? 0), replyBytes) }));
  const stack = await startStack('long', model);
  const { client, dir } = stack;
  try {
    const id = await client.start({ cwd: dir, title: `${turns} turns` });
    const handle = client.client.workflow.getHandle(id);
    const growth: TurnGrowth[] = [];
    let lastTranscript = 0;
    let lastRun = '';
    let lastHistory = 0;
    for (let i = 1; i <= turns; i++) {
      const started = Date.now();
      await client.ask(id, `turn ${i}: show me the next file and the logs`);
      const ms = Date.now() - started;
      const [{ transcriptBytes }, description] = await Promise.all([client.state(id), handle.describe()]);
      const historyBytes = Number(description.raw.workflowExecutionInfo?.historySizeBytes ?? 0);
      const historyAdded = description.runId === lastRun ? historyBytes - lastHistory : historyBytes;
      growth.push({
        turn: i,
        transcriptBytes,
        transcriptAdded: transcriptBytes - lastTranscript,
        historyAdded,
        runId: description.runId,
        ms,
      });
      lastTranscript = transcriptBytes;
      lastRun = description.runId;
      lastHistory = historyBytes;
      if (i % 10 === 0 || i === turns) {
        log(
          `turn ${i}: transcript ${(transcriptBytes / 1e6).toFixed(1)} MB, run history ${(historyBytes / 1e6).toFixed(2)} MB, ${ms} ms`,
        );
      }
    }
    const runs: LongConversationResult['runs'] = [];
    for await (const execution of client.client.workflow.list({ query: `WorkflowId = '${id}'` })) {
      // The whole history of the run (the SDK reads it page by page), payloads as stored.
      const events = (await client.client.workflow.getHandle(id, execution.runId).fetchHistory()).events ?? [];
      const sizes = events.flatMap((e) => payloadSizes(e));
      runs.push({
        runId: execution.runId,
        historyBytes: temporal.api.history.v1.History.encode({ events }).finish().length,
        maxPayloadBytes: Math.max(0, ...sizes),
        events: events.length,
      });
    }
    const sum = (list: TurnGrowth[], key: 'historyAdded' | 'transcriptAdded') => list.reduce((n, t) => n + t[key], 0);
    const secondHalf = growth.slice(Math.floor(growth.length / 2));
    return {
      turns: growth,
      runs,
      finalTranscriptBytes: lastTranscript,
      ratio: sum(growth, 'historyAdded') / sum(growth, 'transcriptAdded'),
      steadyRatio: sum(secondHalf, 'historyAdded') / sum(secondHalf, 'transcriptAdded'),
      maxPayloadBytes: Math.max(...runs.map((r) => r.maxPayloadBytes)),
      maxRunHistoryBytes: Math.max(...runs.map((r) => r.historyBytes)),
    };
  } finally {
    await stack.dispose();
    await model.close();
  }
}
