/**
 * Convo's custom search attributes: what the Temporal Web UI and `convo list --status` filter conversations by.
 * `convo server` (and every dev server Convo starts) registers them; other clusters register them once with
 * `temporal operator search-attribute create` (see the README), and a starting worker adds any that are missing
 * where the cluster lets it.
 *
 * Deterministic: imported by workflow code.
 */
import { SearchAttributeType, defineSearchAttributeKey } from '@temporalio/common';

/** `idle`, `running`, `rate_limited`, `needs_attention` or `closed`. */
export const ConversationStatusKey = defineSearchAttributeKey('ConversationStatus', SearchAttributeType.KEYWORD);
/** The CLI the conversation runs on, e.g. `claude`. */
export const ConversationBackendKey = defineSearchAttributeKey('ConversationBackend', SearchAttributeType.KEYWORD);
/** The account (credentials) whose usage limit the conversation shares. */
export const ConversationAccountKey = defineSearchAttributeKey('ConversationAccount', SearchAttributeType.KEYWORD);
/** Turns the conversation has been given (queued, running and ended). */
export const TurnCountKey = defineSearchAttributeKey('TurnCount', SearchAttributeType.INT);
/** While rate-limited: the reset time the conversation sleeps until. Unset otherwise. */
export const RateLimitedUntilKey = defineSearchAttributeKey('RateLimitedUntil', SearchAttributeType.DATETIME);

/** What the conversation's turns have cost so far, US dollars. */
export const CostUsdKey = defineSearchAttributeKey('CostUsd', SearchAttributeType.DOUBLE);

/** Every Convo search attribute, for registration. */
export const CONVO_SEARCH_ATTRIBUTES = [
  ConversationStatusKey,
  ConversationBackendKey,
  ConversationAccountKey,
  TurnCountKey,
  RateLimitedUntilKey,
  CostUsdKey,
] as const;

/** The `temporal` CLI spelling of each type (`--type` of `temporal operator search-attribute create`). */
export const CLI_TYPE_NAMES: Record<(typeof CONVO_SEARCH_ATTRIBUTES)[number]['type'], string> = {
  KEYWORD: 'Keyword',
  INT: 'Int',
  DATETIME: 'Datetime',
  DOUBLE: 'Double',
};

/** `--search-attribute Name=Type` arguments for `temporal server start-dev`. */
export function devServerSearchAttributeArgs(): string[] {
  return CONVO_SEARCH_ATTRIBUTES.flatMap((key) => ['--search-attribute', `${key.name}=${CLI_TYPE_NAMES[key.type]}`]);
}
