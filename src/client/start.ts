/**
 * Checking what `ConvoClient.start` is given, and the workflow start options it makes of it: the input, and what
 * the Web UI shows before the workflow's first task runs (search attributes, memo, static summary and details).
 */
import { randomUUID } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ConversationOptions, promptProblem, type ConversationOptionsInput } from '../common/conversation.js';
import {
  ConversationAccountKey,
  ConversationBackendKey,
  ConversationStatusKey,
  TurnCountKey,
} from '../common/search-attributes.js';
import { excerpt } from '../common/text.js';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { ClientConfig } from '../config/client.js';
import { backendNames } from '../activities/backends/registry.js';
import { createTranscriptStore } from '../storage/transcript-store.js';
import { CONVERSATION_WORKFLOW_TYPE, sendTurnSignal } from '../workflows/messages.js';
import type { conversationWorkflow } from '../workflows/conversation/workflow.js';
import { ConvoError } from './errors.js';
import { checkBackendOptions } from './options-check.js';
import { claudeSessionId, importedCarry, type ImportSession } from './session-import.js';

/** Options for `ConvoClient.start`. `cwd` defaults to the current directory and must exist. */
export type StartOptions = Omit<ConversationOptionsInput, 'cwd'> & {
  id?: string;
  cwd?: string;
  /** A first turn, queued with the start (signal-with-start); it also becomes the static summary when no title. */
  prompt?: string;
  /** Start from this Claude Code session (backend `claude` only): the conversation continues it. */
  importSession?: ImportSession;
};

/**
 * @throws ConvoError `InvalidPrompt` (empty, or over the size limit).
 */
export function checkPrompt(prompt: string): void {
  const problem = promptProblem(prompt);
  if (problem) throw new ConvoError('InvalidPrompt', problem);
}

/**
 * The workflow start options for `options` (the id is given or `conv-` plus 12 random hex digits).
 * @param account the account when `options` names none.
 * @returns them, with the prompt, and for an import the session's id and transcript (stored by the caller).
 * @throws ConvoError `InvalidPrompt`, `InvalidOptions` (cwd missing or not a directory, unknown backend, bad option,
 *   options the backend cannot honour, a session file that is not one, an import on a backend other than claude).
 */
export async function workflowStart(options: StartOptions, account: string, taskQueue: string) {
  const { id: givenId, prompt, importSession, ...rest } = options;
  if (prompt !== undefined) checkPrompt(prompt);
  const cwd = resolve(rest.cwd ?? process.cwd());
  const info = await stat(cwd).catch(() => undefined);
  if (!info?.isDirectory()) throw new ConvoError('InvalidOptions', `cwd ${cwd} does not exist or is not a directory`);
  const known = backendNames();
  if (rest.backend !== undefined && !known.includes(rest.backend)) {
    throw new ConvoError('InvalidOptions', `unknown backend ${rest.backend} (known: ${known.join(', ')})`);
  }
  const parsed = ConversationOptions.safeParse({ account, ...rest, cwd });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConvoError('InvalidOptions', `${issue.path.join('.')}: ${issue.message}`);
  }
  const o = parsed.data;
  checkBackendOptions(o);
  if (importSession && o.backend !== 'claude') {
    throw new ConvoError('InvalidOptions', `--import takes a Claude Code session: not for backend ${o.backend}`);
  }
  const imported = importSession && { sessionId: claudeSessionId(importSession), transcript: importSession.transcript };
  const summary = imported ? `imported Claude Code session ${imported.sessionId}` : `conversation in ${o.cwd}`;
  return {
    prompt,
    imported,
    workflowId: givenId ?? `conv-${randomUUID().replace(/-/g, '').slice(0, 12)}`,
    taskQueue,
    args: [o] as [ConversationOptionsInput],
    memo: o.title ? { title: o.title } : undefined,
    // What the Web UI shows before the first workflow task runs; the workflow keeps them up to date after.
    typedSearchAttributes: [
      { key: ConversationStatusKey, value: prompt ? 'running' : 'idle' },
      { key: ConversationBackendKey, value: o.backend },
      { key: ConversationAccountKey, value: o.account },
      { key: TurnCountKey, value: prompt ? 1 : 0 },
    ],
    staticSummary: o.title ?? (prompt ? excerpt(prompt, 120) : summary),
    staticDetails: [`backend ${o.backend}`, `account ${o.account}`, `cwd ${o.cwd}`, o.model && `model ${o.model}`]
      .filter(Boolean)
      .join(' · '),
  };
}

/**
 * Starts a conversation workflow (`ConvoClient.start`): with its first turn when `options.prompt` is given
 * (signal-with-start), from an imported session's transcript (stored first) when `options.importSession` is.
 * @returns the conversation's id.
 * @throws ConvoError as {@link workflowStart}, and `AlreadyExists`.
 */
export async function startConversation(client: Client, config: ClientConfig, options: StartOptions): Promise<string> {
  const { prompt, imported, args, ...start } = await workflowStart(options, config.account, config.taskQueue);
  const id = start.workflowId;
  const carry = imported && (await importedCarry(createTranscriptStore(config), id, imported));
  const startArgs: Parameters<typeof conversationWorkflow> = carry ? [args[0], carry] : args;
  try {
    if (prompt) {
      await client.workflow.signalWithStart<typeof conversationWorkflow, [string]>(CONVERSATION_WORKFLOW_TYPE, {
        ...start,
        args: startArgs,
        signal: sendTurnSignal,
        signalArgs: [prompt],
      });
    } else {
      await client.workflow.start<typeof conversationWorkflow>(CONVERSATION_WORKFLOW_TYPE, {
        ...start,
        args: startArgs,
      });
    }
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) {
      throw new ConvoError('AlreadyExists', `conversation ${id} already exists`);
    }
    throw err;
  }
  return id;
}
