/**
 * The transcript of an opencode conversation: the session export (`opencode export <sessionID>`, JSON
 * `{info, messages: [{info, parts}]}`), kept as JSON Lines so that a turn adds lines instead of rewriting a document:
 *
 *     {"type":"session","info":{…the export's info…}}
 *     {"type":"message","info":{…},"parts":[…]}      one line per message, in the export's order
 *
 * Lines are canonical JSON (object keys sorted): opencode writes the same message with its keys in another order once
 * it has been imported. The session line is the one written when the transcript was first captured and is kept as it
 * is while the messages only grow, so the next capture starts with the previous one's bytes and is stored as a delta. (opencode updates the
 * session's cost, token totals and `time.updated` on every turn; those are statistics, not conversation, and the
 * import does not need them current.) When earlier messages changed (opencode compacted or reverted the session), the
 * transcript is written anew with the current session info.
 *
 * Restoring turns the lines back into the export JSON for `opencode import <file>`.
 *
 * Source: the export format of opencode 1.18.33 (see `test/fixtures/opencode`).
 */
import { ApplicationFailure } from '@temporalio/activity';
import { z } from 'zod';
import type { OpencodeError } from './events.js';
import { OpencodeError as OpencodeErrorSchema } from './events.js';

/** The parts of the export Convo relies on (everything else passes through untouched). */
export const OpencodeExport = z.looseObject({
  info: z.looseObject({ id: z.string().startsWith('ses_') }),
  messages: z.array(
    z.looseObject({
      info: z.looseObject({ id: z.string(), role: z.string(), error: z.unknown().optional() }),
      parts: z.array(z.unknown()),
    }),
  ),
});
export type OpencodeExport = z.infer<typeof OpencodeExport>;

/** A transcript read back: the session id, and the export JSON to import. */
export interface RestoredSession {
  sessionId: string;
  /** `{info, messages}` as `opencode import` reads it. */
  exportJson: string;
}

function invalid(message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: 'TranscriptInvalid', message, nonRetryable: true });
}

/**
 * Parses an export as `opencode export` printed it.
 * @throws ApplicationFailure `Unknown` (retryable) when it is not an export: the capture failed, not the conversation.
 */
export function parseExport(text: string): { raw: Record<string, unknown>; parsed: OpencodeExport } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw ApplicationFailure.create({
      type: 'Unknown',
      message: `opencode export printed no JSON: ${(err as Error).message}`,
    });
  }
  const parsed = OpencodeExport.safeParse(raw);
  if (!parsed.success) {
    throw ApplicationFailure.create({
      type: 'Unknown',
      message: `opencode export is not a session: ${parsed.error.issues[0]?.message}`,
    });
  }
  return { raw: raw as Record<string, unknown>, parsed: parsed.data };
}

/**
 * Renders an export as transcript lines. The session line is `previous`'s when `previous` (the transcript restored
 * for this turn) still is a prefix of the result, else the export's own.
 * @param raw the export as parsed from JSON (not through zod, so that every field stays as opencode wrote it).
 */
export function renderTranscript(raw: Record<string, unknown>, previous: Buffer = Buffer.alloc(0)): Buffer {
  const messages = (raw.messages as Array<Record<string, unknown>>).map(
    (m) => `${canonicalJson({ type: 'message', info: m.info, parts: m.parts })}\n`,
  );
  const body = messages.join('');
  if (previous.length > 0) {
    const previousSession = previous.subarray(0, previous.indexOf(0x0a) + 1);
    const kept = Buffer.concat([previousSession, Buffer.from(body, 'utf8')]);
    if (previousSession.length > 0 && kept.subarray(0, previous.length).equals(previous)) return kept;
  }
  return Buffer.from(`${canonicalJson({ type: 'session', info: raw.info })}\n${body}`, 'utf8');
}

/** JSON with every object's keys in sorted order, so that equal values give equal bytes. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, (v as Record<string, unknown>)[k]]),
        )
      : v,
  );
}

/**
 * Reads a transcript back into an export.
 * @throws ApplicationFailure `TranscriptInvalid` (non-retryable) when a line is not JSON, the first line is not the
 *   session line with a `ses_` id, or a message line lacks its info or parts.
 */
export function restoreSession(transcript: Buffer): RestoredSession {
  const lines = transcript
    .toString('utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
  const records = lines.map((line, i) => {
    try {
      return JSON.parse(line) as Record<string, unknown>;
    } catch {
      throw invalid(`opencode transcript line ${i + 1} is not JSON: ${line.slice(0, 120)}`);
    }
  });
  const [session, ...rest] = records;
  if (session?.type !== 'session') throw invalid('opencode transcript does not start with its session line');
  const parsed = OpencodeExport.safeParse({
    info: session.info,
    messages: rest.map(({ info, parts }) => ({ info, parts })),
  });
  if (!parsed.success || rest.some((r) => r.type !== 'message')) {
    const issue = parsed.error?.issues[0];
    throw invalid(
      `opencode transcript is not a session: ${issue ? `${issue.path.join('.')}: ${issue.message}` : 'a line is not a message'}`,
    );
  }
  const exportJson = JSON.stringify({ info: session.info, messages: rest.map(({ info, parts }) => ({ info, parts })) });
  return { sessionId: parsed.data.info.id, exportJson };
}

/** The error recorded on the last assistant message of an export, when there is one. */
export function lastAssistantError(exp: OpencodeExport): OpencodeError | undefined {
  const last = [...exp.messages].reverse().find((m) => m.info.role === 'assistant');
  const error = OpencodeErrorSchema.safeParse(last?.info.error);
  return error.success ? error.data : undefined;
}
