/** Waiting for something to become true, by polling: the one copy every test uses. */

/** Options for {@link waitFor} and {@link waitUntil}. */
export interface WaitOptions {
  /** Give up after this long, ms; default 60 000. */
  timeoutMs?: number;
  /** Poll this often, ms; default 200. */
  intervalMs?: number;
}

/**
 * Calls `get` every `intervalMs` until it returns something other than `undefined`, and resolves to that.
 * @throws Error 'condition not met within N s' after `timeoutMs` (errors `get` throws propagate at once).
 */
export async function waitFor<T>(
  get: () => Promise<T | undefined> | T | undefined,
  { timeoutMs = 60_000, intervalMs = 200 }: WaitOptions = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await get();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/**
 * Calls `check` every `intervalMs` until it returns true.
 * @param options a timeout in ms (default 60 000), or {@link WaitOptions}.
 * @throws Error 'condition not met within N s' after the timeout.
 */
export async function waitUntil(
  check: () => Promise<boolean> | boolean,
  options: number | WaitOptions = {},
): Promise<void> {
  await waitFor(
    async () => ((await check()) ? true : undefined),
    typeof options === 'number' ? { timeoutMs: options } : options,
  );
}
