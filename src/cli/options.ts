/**
 * Parsers of the `convo` options that take a number, and the choices of those that take a name. A value that does
 * not parse is a one-line error naming the option, e.g.
 * `error: option '--limit <n>' argument 'abc' is invalid. not a positive whole number` (commander's wording around
 * the reason thrown here), never a NaN passed on.
 */
import { readFileSync } from 'node:fs';
import { InvalidArgumentError } from 'commander';
import ms from 'ms';
import { backendNames } from '../activities/backends/registry.js';
import { oneLine } from '../common/text.js';

/** Digits only (no sign, point, exponent or hex), so that `1e3`, `0x10` and `1.0` are refused like `abc`. */
function wholeNumber(value: string): number | undefined {
  const text = value.trim();
  if (!/^\d+$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : undefined;
}

/**
 * A count of 1 or more (`--limit`).
 * @throws InvalidArgumentError `not a positive whole number`.
 */
export function parsePositiveInt(value: string): number {
  const n = wholeNumber(value);
  if (n === undefined || n < 1) throw new InvalidArgumentError('not a positive whole number');
  return n;
}

/**
 * A period in milliseconds, 1 or more (`--interval`).
 * @throws InvalidArgumentError `not a positive whole number of milliseconds`.
 */
export function parseMilliseconds(value: string): number {
  const n = wholeNumber(value);
  if (n === undefined || n < 1) throw new InvalidArgumentError('not a positive whole number of milliseconds');
  return n;
}

/**
 * A period in whole seconds, 0 or more (`--details-refresh`, where 0 means off).
 * @throws InvalidArgumentError `not a whole number of seconds (0 or more)`.
 */
export function parseSeconds(value: string): number {
  const n = wholeNumber(value);
  if (n === undefined) throw new InvalidArgumentError('not a whole number of seconds (0 or more)');
  return n;
}

/**
 * A TCP port, 0 to 65535 (0: the system picks a free one) (`--port`, `--ui-port`, `--codec-port`).
 * @throws InvalidArgumentError `not a port number (0-65535)`.
 */
export function parsePort(value: string): number {
  const n = wholeNumber(value);
  if (n === undefined || n > 65535) throw new InvalidArgumentError('not a port number (0-65535)');
  return n;
}

/**
 * A duration of 1 s or more in whole seconds (`--approval-timeout`): a number and a unit as `ms` reads them (`90s`,
 * `15m`, `2h`, `3d`, `1.5h`, `2 weeks`); bare digits are seconds.
 * @throws InvalidArgumentError `not a duration of whole seconds (e.g. 90s, 15m, 2h, 3d)`.
 */
export function parseDurationSeconds(value: string): number {
  const text = value.trim();
  const whole = wholeNumber(text);
  // `ms` reads bare digits as milliseconds; here they are seconds, like the other options' periods.
  const millis =
    whole !== undefined ? whole * 1000 : /^[\d.]+\s*[a-z]+$/i.test(text) ? ms(text as ms.StringValue) : NaN;
  const seconds = millis / 1000;
  if (!Number.isSafeInteger(seconds) || seconds < 1) {
    throw new InvalidArgumentError('not a duration of whole seconds (e.g. 90s, 15m, 2h, 3d)');
  }
  return seconds;
}

/** The choices of `--backend`: every backend of this build. */
export function backendChoices(): string[] {
  return backendNames();
}

/**
 * An amount of US dollars above 0 (`--max-cost-usd`): digits with an optional decimal point.
 * @throws InvalidArgumentError `not a positive number of US dollars`.
 */
export function parseUsd(value: string): number {
  const text = value.trim();
  const n = /^(\d+(\.\d*)?|\.\d+)$/.test(text) ? Number(text) : NaN;
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('not a positive number of US dollars');
  return n;
}

/**
 * A JSON object given inline (text starting with `{`) or as a file holding one (`--json-schema`, `--settings`).
 * @throws InvalidArgumentError naming what is wrong: an unreadable file, text that is not JSON, or JSON that is not
 *   an object (one line).
 */
export function parseJsonObject(value: string): Record<string, unknown> {
  const inline = value.trim().startsWith('{');
  let text = value;
  if (!inline) {
    try {
      text = readFileSync(value, 'utf8');
    } catch (err) {
      throw new InvalidArgumentError(
        `neither inline JSON nor a readable file (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
      );
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new InvalidArgumentError(`${inline ? '' : `${value}: `}not JSON (${oneLine((err as Error).message, 200)})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new InvalidArgumentError(`${inline ? '' : `${value}: `}not a JSON object`);
  }
  return parsed as Record<string, unknown>;
}
