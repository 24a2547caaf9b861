/**
 * The worker's warm sessions: live CLI processes kept between turns, one per conversation, so that the conversation's
 * next turn writes its prompt to the live process instead of restoring the transcript and spawning the CLI.
 *
 * Bounded: at most `max` sessions (idle or running a turn); starting or parking one more ends the least recently used
 * idle one; an idle one is ended after `idleMs`. A session's private dir (the CLI's config dir, with its transcript) lives as
 * long as its process and is removed when it ends. Which session fits a turn is the backend's to decide (the options
 * fingerprint `key`, and the transcript compared byte for byte): this module only keeps them.
 */
import { removeTurnDir } from '../turn/turn-dir.js';
import type { LiveProcess } from './live-process.js';

/** What the pool keeps for a session. */
export interface WarmSessionInit {
  /** The conversation (workflow id) whose session this is. */
  conversationId: string;
  /** What the turn must match to use it: a fingerprint of the options it was started with (the backend's). */
  key: string;
  /** Its private dir: removed when the process ends. */
  dir: string;
  /** Where its transcript is, in `dir`. */
  transcriptPath: string;
  process: LiveProcess;
  /** What its transcript file was when its last turn was captured, and the conversation's transcript then. */
  held?: HeldTranscript;
}

/**
 * A live CLI's transcript file as its last turn left it (size and modification time) and the conversation's
 * transcript that turn ended with (its segments, as JSON): while both still hold, the file is that transcript.
 */
export interface HeldTranscript {
  segments: string;
  bytes: number;
  mtimeMs: number;
}

/** A session the pool keeps. */
export interface WarmSession extends WarmSessionInit {
  /** When it last finished a turn, ms since the epoch. */
  lastUsed: number;
}

/** The pool's bounds and name. */
export interface WarmPoolSettings {
  /** Sessions kept at most; 0 keeps none. */
  max: number;
  /** An idle session is ended after this long, ms. */
  idleMs: number;
  /** The task queue this worker serves its warm sessions' turns on. */
  taskQueue: string;
  /** False once the worker stops taking turns (shutting down): no session is kept from then on. Default: always. */
  accepting?: () => boolean;
}

/** The worker's live sessions. One per worker process, shared by the activities of both of its task queues. */
export class WarmPool {
  private readonly idle = new Map<string, { session: WarmSession; timer: NodeJS.Timeout }>();
  private readonly inUse = new Set<WarmSession>();
  private closed = false;

  constructor(
    readonly settings: WarmPoolSettings,
    private readonly now: () => number = Date.now,
  ) {}

  /** The task queue whose turns reach this worker's sessions. */
  get taskQueue(): string {
    return this.settings.taskQueue;
  }

  /** Whether sessions may be kept at all (`max` > 0 and the pool is not closed). */
  get enabled(): boolean {
    return this.settings.max > 0 && !this.closed && (this.settings.accepting?.() ?? true);
  }

  /** Sessions alive now (idle or running a turn). */
  get size(): number {
    return this.idle.size + this.inUse.size;
  }

  /**
   * Takes the idle session of `conversationId` for a turn: it is no longer idle (no idle timer, never ended for room)
   * until {@link park} or {@link end}. Undefined when there is none (or its process has died).
   */
  take(conversationId: string): WarmSession | undefined {
    const entry = this.idle.get(conversationId);
    if (!entry) return undefined;
    this.idle.delete(conversationId);
    clearTimeout(entry.timer);
    if (!entry.session.process.alive) {
      void this.end(entry.session);
      return undefined;
    }
    this.inUse.add(entry.session);
    return entry.session;
  }

  /**
   * Makes room for a session about to start (a turn that will keep its CLI): ends the least recently used idle
   * sessions while the pool is full, so that the new process never makes more than `max`.
   */
  makeRoom(): void {
    while (this.size >= this.settings.max && this.idle.size > 0) this.drop(this.idle.values().next().value!.session);
  }

  /**
   * Keeps `session` idle after a turn it completed: the least recently used idle sessions are ended when that makes
   * more than `max`. A session taken with {@link take} or a new one.
   * @returns false when it is not kept (warm sessions off, the pool closed, its process gone, or every other session
   *   busy and the pool full): the caller ends it.
   */
  park(session: WarmSessionInit | WarmSession): boolean {
    this.inUse.delete(session as WarmSession);
    if (!this.enabled || !session.process.alive) return false;
    // Another session of the same conversation (a turn that fell back to a restore) is out of date: ended.
    const stale = this.idle.get(session.conversationId);
    if (stale) this.drop(stale.session);
    this.makeRoom();
    if (this.size >= this.settings.max) return false;
    const kept: WarmSession = Object.assign(session, { lastUsed: this.now() });
    const timer = setTimeout(() => {
      if (this.idle.get(kept.conversationId)?.session === kept) this.drop(kept);
    }, this.settings.idleMs);
    timer.unref();
    this.idle.set(kept.conversationId, { session: kept, timer });
    // Dying idle (crashed, killed by someone): forgotten, its dir removed.
    void kept.process.exited.then(() => {
      if (this.idle.get(kept.conversationId)?.session === kept) this.drop(kept);
    });
    return true;
  }

  /** Ends `session`'s process and removes its dir; resolves once both are done. */
  async end(session: WarmSessionInit | WarmSession): Promise<void> {
    this.inUse.delete(session as WarmSession);
    const entry = this.idle.get(session.conversationId);
    if (entry?.session === session) {
      clearTimeout(entry.timer);
      this.idle.delete(session.conversationId);
    }
    await session.process.end();
    await removeTurnDir(session.dir);
  }

  /** Ends every idle session and keeps no more (worker shutdown); sessions running a turn end when it does. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.idle.values()].map(({ session }) => this.end(session)));
  }

  /** Ends `session` without waiting (room, idle timeout). */
  private drop(session: WarmSession): void {
    void this.end(session);
  }
}
