/**
 * A session transcript as the workflow holds it: segments, inline in history or claim-checked in the transcript store,
 * and the change a turn makes to them. Deterministic: imported by workflow code.
 */
import { utf8ByteLength } from './text.js';

/** Part of a transcript kept in workflow history (small parts). `data` is JSONL text. */
export interface InlineSegment {
  kind: 'inline';
  data: string;
}

/** Part of a transcript kept in the transcript store (the claim check): its key, SHA-256 and size in bytes. */
export interface StoredSegment {
  kind: 'stored';
  key: string;
  sha256: string;
  bytes: number;
}

/** A transcript is the concatenation of its segments, in order. */
export type TranscriptSegment = InlineSegment | StoredSegment;

/** Size of a segment's transcript bytes. */
export function segmentBytes(segment: TranscriptSegment): number {
  return segment.kind === 'inline' ? utf8ByteLength(segment.data) : segment.bytes;
}

/**
 * The transcript after a turn, as a change to the one the turn restored: `append` adds segments holding only the
 * bytes the CLI appended (the usual case, so history grows with the new bytes, and only while they are small);
 * `replace` gives the whole transcript anew (when the CLI rewrote earlier bytes, or to compact many segments).
 */
export interface TranscriptChange {
  mode: 'append' | 'replace';
  segments: TranscriptSegment[];
}
