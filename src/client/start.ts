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
import { BRANCH_NAME, defaultBranch } from '../common/workspace.js';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { ClientConfig } from '../config/client.js';
import { backendNames } from '../activities/backends/registry.js';
import { createTranscriptStore } from '../storage/transcript-store.js';
import { CONVERSATION_WORKFLOW_TYPE, sendTurnSignal } from '../workflows/messages.js';
import type { conversationWorkflow } from '../workflows/conversation/workflow.js';
import { ConvoError } from './errors.js';
import { checkBackendOptions } from './options-check.js';
import { repoUrlProblem } from './repo-url.js';
import { claudeSessionId, importedCarry, type ImportedCarry, type ImportSession } from './session-import.js';

/**
 * Options for `ConvoClient.start`. Turns run in `cwd` (default the current directory; it must exist) or in a checkout
 * of `repo` (a git remote, passed on as given: `${VAR}` references are expanded by the workers), not both.
 */
export type StartOptions = Omit<ConversationOptionsInput, 'cwd' | 'forkOf'> & {
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
 * The conversation's options, checked: zod's first issue as one line (`branch: must be a git branch name`, or the
 * message alone when it is about the options as a whole, e.g. `give cwd or repo, not both`), the backend's name
 * against the registry, and the options against the backend.
 * @throws ConvoError `InvalidOptions`.
 */
export function checkedOptions(input: ConversationOptionsInput): ConversationOptions {
  const known = backendNames();
  if (input.backend !== undefined && !known.includes(input.backend)) {
    throw new ConvoError('InvalidOptions', `unknown backend ${input.backend} (known: ${known.join(', ')})`);
  }
  const problem = input.repo !== undefined ? repoUrlProblem(input.repo) : undefined;
  if (problem) throw new ConvoError('InvalidOptions', problem);
  const parsed = ConversationOptions.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.join('.');
    const message = !path || issue.message.startsWith(`${path} `) ? issue.message : `${path}: ${issue.message}`;
    throw new ConvoError('InvalidOptions', message);
  }
  checkBackendOptions(parsed.data);
  return parsed.data;
}

/**
 * Where turns run, checked: `repo` as given, else `cwd` (default the current directory) made absolute.
 * @throws ConvoError `InvalidOptions` (both given, or a cwd that is missing or not a directory).
 */
async function checkedWhere(options: Pick<StartOptions, 'cwd' | 'repo'>): Promise<{ cwd?: string }> {
  if (options.repo !== undefined) {
    if (options.cwd !== undefined) throw new ConvoError('InvalidOptions', 'give cwd or repo, not both');
    return {};
  }
  const cwd = resolve(options.cwd ?? process.cwd());
  const info = await stat(cwd).catch(() => undefined);
  if (!info?.isDirectory()) throw new ConvoError('InvalidOptions', `cwd ${cwd} does not exist or is not a directory`);
  return { cwd };
}

/** A new conversation's id: `conv-` plus 12 random hex digits. */
export function newConversationId(): string {
  return `conv-${randomUUID().replace(/-/g, '').slice(0, 12)}`;
}

/**
 * The workflow start options for `options` (the id is given or {@link newConversationId}).
 * @param account the account when `options` names none.
 * @returns them, with the prompt, and for an import the session's id and transcript (stored by the caller).
 * @throws ConvoError `InvalidPrompt`, `InvalidOptions` (cwd missing or not a directory, cwd and repo both or neither,
 *   a repo URL with a password in it, unknown backend, bad option, options the backend cannot honour, a session file
 *   that is not one, an import on a backend other than claude).
 */
export async function workflowStart(options: StartOptions, account: string, taskQueue: string) {
  const { id: givenId, prompt, importSession, ...rest } = options;
  if (prompt !== undefined) checkPrompt(prompt);
  const o = checkedOptions({ account, ...rest, ...(await checkedWhere(rest)) });
  if (importSession && o.backend !== 'claude') {
    throw new ConvoError('InvalidOptions', `--import takes a Claude Code session: not for backend ${o.backend}`);
  }
  const imported = importSession && { sessionId: claudeSessionId(importSession), transcript: importSession.transcript };
  const workflowId = givenId ?? newConversationId();
  const summary = imported
    ? `imported Claude Code session ${imported.sessionId}`
    : `conversation in ${where(o, workflowId)}`;
  return { prompt, imported, ...startOptions(o, workflowId, taskQueue, prompt, summary) };
}

/** `/srv/app`, or `https://host/app.git (branch convo/conv-1)`: where a conversation's turns run, for people. */
function where(o: ConversationOptions, id: string): string {
  return o.repo ? `${o.repo} (branch ${o.branch ?? defaultBranch(id)})` : `${o.cwd}`;
}

/**
 * The workflow start options of a conversation with options `o`, and what the Web UI shows before its first
 * workflow task runs.
 * @param summary the static summary when there is no title and no prompt.
 * @throws ConvoError `InvalidOptions` for a repo conversation whose id cannot name its checkout (letters, digits,
 *   `.`, `_`, `-`) or, with no `branch`, its default branch `convo/<id>`: the workers would refuse its turns.
 */
export function startOptions(
  o: ConversationOptions,
  workflowId: string,
  taskQueue: string,
  prompt: string | undefined,
  summary: string,
) {
  if (o.repo && (!/^[\w.-]+$/.test(workflowId) || (!o.branch && !BRANCH_NAME.test(defaultBranch(workflowId))))) {
    throw new ConvoError(
      'InvalidOptions',
      `id ${workflowId} cannot name a checkout and its branch: with repo, use letters, digits, . _ or - (no ..)`,
    );
  }
  return {
    workflowId,
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
    staticDetails: [
      `backend ${o.backend}`,
      `account ${o.account}`,
      o.repo ? `repo ${where(o, workflowId)}` : `cwd ${o.cwd}`,
      o.model && `model ${o.model}`,
    ]
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
  const { prompt, imported, ...start } = await workflowStart(options, config.account, config.taskQueue);
  const carry = imported && (await importedCarry(createTranscriptStore(config), start.workflowId, imported));
  return launchConversation(client, start, prompt, carry);
}

/**
 * Starts the workflow of a conversation: from `carry` when given (an imported or forked transcript), with a first
 * turn when `prompt` is given (signal-with-start).
 * @returns the conversation's id.
 * @throws ConvoError `AlreadyExists`.
 */
export async function launchConversation(
  client: Client,
  start: ReturnType<typeof startOptions>,
  prompt: string | undefined,
  carry: ImportedCarry | undefined,
): Promise<string> {
  const id = start.workflowId;
  const startArgs: Parameters<typeof conversationWorkflow> = carry ? [start.args[0], carry] : start.args;
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
