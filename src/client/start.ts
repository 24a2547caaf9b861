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
import { backendNames } from '../activities/backends/registry.js';
import { ConvoError } from './errors.js';

/** Options for `ConvoClient.start`. `cwd` defaults to the current directory and must exist. */
export type StartOptions = Omit<ConversationOptionsInput, 'cwd'> & {
  id?: string;
  cwd?: string;
  /** A first turn, queued with the start (signal-with-start); it also becomes the static summary when no title. */
  prompt?: string;
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
 * @throws ConvoError `InvalidPrompt`, `InvalidOptions` (cwd missing or not a directory, unknown backend, bad option).
 */
export async function workflowStart(options: StartOptions, account: string, taskQueue: string) {
  const { id: givenId, prompt, ...rest } = options;
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
  return {
    prompt,
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
    staticSummary: o.title ?? (prompt ? excerpt(prompt, 120) : `conversation in ${o.cwd}`),
    staticDetails: [`backend ${o.backend}`, `account ${o.account}`, `cwd ${o.cwd}`, o.model && `model ${o.model}`]
      .filter(Boolean)
      .join(' · '),
  };
}
