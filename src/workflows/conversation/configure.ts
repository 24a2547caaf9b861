/**
 * The `configure` update's validator: the input must parse as a `ConfigureInput` (the client checks the backend can
 * honour it; the workflow cannot reach the backend plug-ins) and the conversation must still take work.
 */
import { ApplicationFailure } from '@temporalio/workflow';
import type { z } from 'zod';
import { ConfigureInput } from '../../common/conversation.js';
import type { Conversation } from './state.js';

/**
 * Validator of `configure`.
 * @throws ApplicationFailure `Closed` once the conversation is closing; `InvalidOptions` with the first problem on one
 * line (e.g. `maxCostUsd: Too small: expected number to be >0`) when the input does not parse or changes nothing.
 */
export function refuseBadConfiguration(c: Conversation, input: unknown): void {
  if (c.closing) throw ApplicationFailure.nonRetryable('conversation is closed', 'Closed');
  const parsed = ConfigureInput.safeParse(input);
  if (!parsed.success) throw ApplicationFailure.nonRetryable(problemOf(parsed.error), 'InvalidOptions');
  if (Object.values(parsed.data).every((v) => v === undefined)) {
    throw ApplicationFailure.nonRetryable('configure changes nothing: give at least one option', 'InvalidOptions');
  }
}

/** The `configure` input as the validator accepted it (parsed again: a validator cannot hand its result on). */
export function parseConfiguration(input: ConfigureInput): ConfigureInput {
  return ConfigureInput.parse(input);
}

/** The first problem of a zod error on one line, with where it is (e.g. `maxCostUsd: Too small: expected …`). */
export function problemOf(error: z.ZodError): string {
  const issue = error.issues[0]!;
  const where = issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  return `${where}${issue.message}`.replace(/\s+/g, ' ');
}
