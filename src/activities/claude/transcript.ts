/**
 * Where Claude Code keeps a session transcript, and how a turn restores it before the run and captures it after.
 *
 * Layout (Claude Code 2.1.x, see shared CLI-FACTS): `<config dir>/projects/<cwd slug>/<session_id>.jsonl`, where the
 * slug is the cwd with every non-alphanumeric character replaced by `-` (`/home/me/my_app` → `-home-me-my-app`).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ApplicationFailure } from '@temporalio/activity';
import type { TranscriptChange } from '../../common/conversation.js';

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

/** Writes the transcript where `claude --resume` looks for it. Nothing is written for an empty transcript. */
export async function restoreTranscript(path: string, transcript: string): Promise<void> {
  if (!transcript) return;
  assertTranscriptParses(transcript);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, transcript, 'utf8');
}

/**
 * Reads the transcript back after a run and expresses it as a change to the one restored: only the appended bytes
 * when the restored transcript is still its prefix, the whole file otherwise.
 * @returns undefined when the CLI left no transcript.
 */
export async function captureTranscript(path: string, before: string): Promise<TranscriptChange | undefined> {
  let after: string;
  try {
    after = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  return diffTranscript(before, after);
}

/** The change from `before` to `after`: `append` when `before` is a prefix of `after`, else `replace`. */
export function diffTranscript(before: string, after: string): TranscriptChange {
  return after.startsWith(before) ? { mode: 'append', data: after.slice(before.length) } : { mode: 'replace', data: after };
}
