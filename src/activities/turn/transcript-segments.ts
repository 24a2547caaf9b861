/**
 * Transcript segments, for every backend: reading a transcript from the segments the workflow holds (inline parts and
 * claim checks into the transcript store), and expressing the transcript a run left as a change to the one restored
 * (an `append` of only the new bytes when the old ones are still its prefix, else a `replace`).
 */
import { ApplicationFailure } from '@temporalio/activity';
import { segmentBytes, type TranscriptChange, type TranscriptSegment } from '../../common/conversation.js';
import {
  readTranscriptSegments,
  TranscriptIntegrityError,
  type TranscriptStore,
} from '../../storage/transcript-store.js';

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
    return await readTranscriptSegments(store, segments);
  } catch (err) {
    if (err instanceof TranscriptIntegrityError) {
      throw ApplicationFailure.create({ type: 'TranscriptInvalid', message: err.message, nonRetryable: true });
    }
    throw err;
  }
}

/**
 * Expresses the transcript after a run (`after`) as a change to the one restored (`before`, made of `segments`): the
 * appended bytes as a new segment when `before` is still its prefix, else the whole transcript. Small parts stay
 * inline; the others go to the store; a transcript of too many segments is stored anew as one.
 */
export async function transcriptChange(
  after: Buffer,
  before: Buffer,
  segments: TranscriptSegment[],
  store: TranscriptStore,
  conversationId: string,
  policy: SegmentPolicy = DEFAULT_SEGMENT_POLICY,
): Promise<TranscriptChange> {
  const appended = after.length >= before.length && after.subarray(0, before.length).equals(before);
  if (appended && segments.length + 1 <= policy.maxSegments) {
    const delta = after.subarray(before.length);
    if (delta.length === 0) return { mode: 'append', segments: [] };
    const inlineSoFar = segments.reduce((n, s) => n + (s.kind === 'inline' ? segmentBytes(s) : 0), 0);
    const inline =
      delta.length <= policy.inlineSegmentMaxBytes && inlineSoFar + delta.length <= policy.inlineTotalMaxBytes;
    return {
      mode: 'append',
      segments: [inline ? { kind: 'inline', data: delta.toString('utf8') } : await store.put(conversationId, delta)],
    };
  }
  const whole: TranscriptSegment =
    after.length <= policy.inlineTotalMaxBytes
      ? { kind: 'inline', data: after.toString('utf8') }
      : await store.put(conversationId, after);
  return { mode: 'replace', segments: [whole] };
}
