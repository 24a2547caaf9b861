/**
 * Where Claude Code keeps a session transcript, and how a turn restores it before the run and captures it after.
 *
 * Layout (Claude Code 2.1.x, see shared CLI-FACTS): `<config dir>/projects/<cwd slug>/<session_id>.jsonl`, where the
 * slug is the cwd with every non-alphanumeric character replaced by `-` (`/home/me/my_app` → `-home-me-my-app`).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ApplicationFailure } from '@temporalio/activity';
import { segmentBytes, type TranscriptChange, type TranscriptSegment } from '../../common/conversation.js';
import { TranscriptIntegrityError, type TranscriptStore } from '../../storage/transcript-store.js';

/** The project folder name Claude Code derives from a cwd. */
export function projectSlug(cwd: string): string {
  return cwd.replace(/[^a-zA-Z0-9]/g, '-');
}

/** Absolute path of a session's transcript under a config dir. */
export function transcriptPath(configDir: string, cwd: string, sessionId: string): string {
  return join(configDir, 'projects', projectSlug(cwd), `${sessionId}.jsonl`);
}

/**
 * Checks that every non-empty line of a transcript is a JSON object.
 * @throws ApplicationFailure `TranscriptInvalid` (non-retryable) naming the first bad line.
 */
export function assertTranscriptParses(text: string): void {
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    let ok = false;
    try {
      const value: unknown = JSON.parse(line);
      ok = typeof value === 'object' && value !== null && !Array.isArray(value);
    } catch {
      ok = false;
    }
    if (!ok) {
      throw ApplicationFailure.create({
        type: 'TranscriptInvalid',
        message: `transcript line ${i + 1} is not a JSON object: ${line.slice(0, 120)}`,
        nonRetryable: true,
      });
    }
  });
}

/** Limits on what stays in workflow history; the rest goes to the transcript store. Bytes. */
export interface SegmentPolicy {
  /** Largest appended part kept inline (default 32 KiB). */
  inlineSegmentMaxBytes: number;
  /** Largest total of inline segments (default 256 KiB). */
  inlineTotalMaxBytes: number;
  /** Past this many segments, the transcript is stored anew as one segment (default 64). */
  maxSegments: number;
}

export const DEFAULT_SEGMENT_POLICY: SegmentPolicy = {
  inlineSegmentMaxBytes: 32 * 1024,
  inlineTotalMaxBytes: 256 * 1024,
  maxSegments: 64,
};

/**
 * Reads a transcript from its segments.
 * @throws ApplicationFailure `TranscriptInvalid` (non-retryable) when a stored segment is missing or fails its
 *   SHA-256 check.
 */
export async function readSegments(store: TranscriptStore, segments: TranscriptSegment[]): Promise<Buffer> {
  try {
    const parts = await Promise.all(segments.map((s) => (s.kind === 'inline' ? Buffer.from(s.data, 'utf8') : store.get(s))));
    return Buffer.concat(parts);
  } catch (err) {
    if (err instanceof TranscriptIntegrityError) {
      throw ApplicationFailure.create({ type: 'TranscriptInvalid', message: err.message, nonRetryable: true });
    }
    throw err;
  }
}

/** Writes the transcript where `claude --resume` looks for it, after checking it parses. Nothing for an empty one. */
export async function restoreTranscript(path: string, transcript: Buffer): Promise<void> {
  if (transcript.length === 0) return;
  assertTranscriptParses(transcript.toString('utf8'));
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, transcript);
}

/**
 * Reads the transcript back after a run and expresses it as a change to the one restored (`before`, made of
 * `segments`): the appended bytes as a new segment when `before` is still its prefix, else the whole file. Small
 * parts stay inline; the others go to the store; a transcript of too many segments is stored anew as one.
 * @returns undefined when the CLI left no transcript.
 */
export async function captureTranscript(
  path: string,
  before: Buffer,
  segments: TranscriptSegment[],
  store: TranscriptStore,
  conversationId: string,
  policy: SegmentPolicy = DEFAULT_SEGMENT_POLICY,
): Promise<TranscriptChange | undefined> {
  let after: Buffer;
  try {
    after = await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const appended = after.length >= before.length && after.subarray(0, before.length).equals(before);
  if (appended && segments.length + 1 <= policy.maxSegments) {
    const delta = after.subarray(before.length);
    if (delta.length === 0) return { mode: 'append', segments: [] };
    const inlineSoFar = segments.reduce((n, s) => n + (s.kind === 'inline' ? segmentBytes(s) : 0), 0);
    const inline = delta.length <= policy.inlineSegmentMaxBytes && inlineSoFar + delta.length <= policy.inlineTotalMaxBytes;
    return { mode: 'append', segments: [inline ? { kind: 'inline', data: delta.toString('utf8') } : await store.put(conversationId, delta)] };
  }
  const whole: TranscriptSegment =
    after.length <= policy.inlineTotalMaxBytes ? { kind: 'inline', data: after.toString('utf8') } : await store.put(conversationId, after);
  return { mode: 'replace', segments: [whole] };
}
