// How long a drill run waits before it tries again (Atlas down, Redis refusing it): doubling from the poll policy's
// base with each try, never under its shortest delay, never over 5 minutes or `capMs` (the end of the run's window).
import type { TrackerContext } from './tracker-types.js';

const LONGEST_WAIT_MS = 5 * 60_000;

export function drillRetryDelayMs(ctx: Pick<TrackerContext, 'policy'>, tries: number, capMs = LONGEST_WAIT_MS): number {
  return Math.round(Math.max(ctx.policy.minDelayMs, Math.min(LONGEST_WAIT_MS, capMs, ctx.policy.baseMs * 2 ** Math.min(tries, 10))));
}
