/**
 * Where Claude Code keeps a session transcript, and how a turn restores it before the run and captures it after.
 *
 * Layout (Claude Code 2.1.x, see shared CLI-FACTS): `<config dir>/projects/<cwd slug>/<session_id>.jsonl`, where the
 * slug is the cwd with every non-alphanumeric character replaced by `-` (`/home/me/my_app` → `-home-me-my-app`).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ApplicationFailure } from '@temporalio/activity';
import type { TranscriptChange, TranscriptSegment } from '../../../common/conversation.js';
import type { TranscriptStore } from '../../../storage/transcript-store.js';
import { DEFAULT_SEGMENT_POLICY, transcriptChange, type SegmentPolicy } from '../../turn/transcript-segments.js';

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
    let ok: boolean;
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

/** Writes the transcript where `claude --resume` looks for it, after checking it parses. Nothing for an empty one. */
export async function restoreTranscript(path: string, transcript: Buffer): Promise<void> {
  if (transcript.length === 0) return;
  assertTranscriptParses(transcript.toString('utf8'));
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, transcript);
}

/** The transcript the CLI left at `path`; undefined when it wrote none. */
export async function readTranscript(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
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
  const after = await readTranscript(path);
  return after && transcriptChange(after, before, segments, store, conversationId, policy);
}
