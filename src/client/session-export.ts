/**
 * Writing a conversation's session out so that its CLI continues it locally (`convo export`): for Claude Code the
 * transcript itself, where `claude --resume <session>` looks for it (`<config dir>/projects/<cwd slug>/<session
 * id>.jsonl`, Claude Code 2.1.x; see shared CLI-FACTS); for opencode the session export `{info, messages}` that
 * `opencode import FILE` reads (opencode 1.18.x), rebuilt from the transcript's session and message lines.
 */
import { dirname, resolve } from 'node:path';
import type { ConversationState } from '../common/conversation.js';
import { userClaudeConfig } from '../activities/backends/claude/config-dir.js';
import { transcriptPath } from '../activities/backends/claude/transcript.js';
import { restoreSession } from '../activities/backends/opencode/transcript.js';
import { ConvoError } from './errors.js';

/** A conversation's session, ready to be written where its CLI finds it. */
export interface SessionExport {
  backend: string;
  /** The CLI's own session id (Claude Code: a UUID; opencode: `ses_…`). */
  sessionId: string;
  /** The file's bytes. */
  content: Buffer;
  /** Where to write it by default: where the CLI looks (Claude Code), or `<session id>.json` here (opencode). */
  defaultPath: string;
  /** The commands that continue the session once the file is at `path`, in order. */
  commands(path: string): string[];
}

/** A shell word for `text`: as it is when it needs no quoting, else single-quoted. */
export function shellWord(text: string): string {
  return /^[\w./:@%+=,-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * The session export of a conversation.
 * @param state the conversation's state (backend, cwd, session id).
 * @param transcript its transcript (`ConvoClient.transcript`).
 * @param env where Claude Code's config dir is (`CLAUDE_CONFIG_DIR`, else `~/.claude`); default the process's.
 * @throws ConvoError `InvalidOptions` when no turn has made a session yet, the transcript is not the backend's
 *   session, or the backend has no export.
 */
export function sessionExport(
  state: Pick<ConversationState, 'id' | 'backend' | 'cwd' | 'sessionId'>,
  transcript: string,
  env: NodeJS.ProcessEnv = process.env,
): SessionExport {
  if (transcript.trim() === '') {
    throw new ConvoError('InvalidOptions', `conversation ${state.id} has no session yet: no turn has run`);
  }
  if (!state.cwd) {
    throw new ConvoError(
      'InvalidOptions',
      `conversation ${state.id} works in a git repo, not a cwd: its work is on its branch; export is for cwd conversations`,
    );
  }
  const cwd = state.cwd;
  const cd = `cd ${shellWord(cwd)}`;
  if (state.backend === 'claude') {
    const defaultPath = transcriptPath(userClaudeConfig(env).dir, cwd, state.sessionId);
    const resume = `${cd} && claude --resume ${state.sessionId}`;
    return {
      backend: 'claude',
      sessionId: state.sessionId,
      content: Buffer.from(transcript, 'utf8'),
      defaultPath,
      // Claude Code finds a session only under its config dir's project folder for the cwd.
      commands: (path) =>
        resolve(path) === defaultPath
          ? [resume]
          : [`mkdir -p ${shellWord(dirname(defaultPath))} && cp ${shellWord(path)} ${shellWord(defaultPath)}`, resume],
    };
  }
  if (state.backend === 'opencode') {
    let restored: ReturnType<typeof restoreSession>;
    try {
      restored = restoreSession(Buffer.from(transcript, 'utf8'));
    } catch (err) {
      throw new ConvoError('InvalidOptions', `conversation ${state.id}: ${(err as Error).message}`);
    }
    return {
      backend: 'opencode',
      sessionId: restored.sessionId,
      content: Buffer.from(`${restored.exportJson}\n`, 'utf8'),
      defaultPath: resolve(`${restored.sessionId}.json`),
      commands: (path) => [`opencode import ${shellWord(path)}`, `${cd} && opencode --session ${restored.sessionId}`],
    };
  }
  throw new ConvoError('InvalidOptions', `conversation ${state.id}: backend ${state.backend} has no session export`);
}
