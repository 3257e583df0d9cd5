// Poll-until-true helper: tests wait for an observable event with a bounded timeout instead of sleeping.

export interface WaitForOptions {
  /**
   * Give up after this long. Default 10 000 ms: a timeout says something is wrong, not how fast it should be, and one
   * step (a BullMQ delay, a poll, an HTTP exchange) may take seconds on a loaded 2-core CI machine. Well under the
   * test timeout (vitest.config.ts), so a test that waits in vain still says what it waited for.
   */
  timeoutMs?: number;
  /** Pause between probes. Default 20 ms. */
  intervalMs?: number;
  /** Says what was awaited; included in the timeout error. */
  message?: string;
}

/**
 * Calls `probe` until it returns a truthy value and resolves with it.
 * A probe that throws is treated as "not yet"; its last error is reported on timeout.
 */
export async function waitFor<T>(
  probe: () => T | Promise<T>,
  opts: WaitForOptions = {},
): Promise<NonNullable<T>> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const intervalMs = opts.intervalMs ?? 20;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  let lastValue: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value as NonNullable<T>;
      lastValue = value;
      lastError = undefined;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, Math.min(intervalMs, Math.max(0, deadline - Date.now()))));
  }
  const what = opts.message ?? 'condition';
  const cause =
    lastError !== undefined
      ? `; last probe threw: ${lastError instanceof Error ? lastError.message : String(lastError)}`
      : `; last probe returned ${JSON.stringify(lastValue) ?? String(lastValue)}`;
  throw new Error(`waitFor timed out after ${timeoutMs} ms waiting for ${what}${cause}`, { cause: lastError });
}
