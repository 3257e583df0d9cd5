// Part of what one BullMQ step costs Redis is paid per fetch, not per job: the worker's fetch that finds nothing
// right after a step, the scan of the delayed set for jobs that are due, the marker that wakes a blocked worker.
// Steps that fall due at the same millisecond share those. Rounding a long step's due time up to a whole second
// makes the polls due within one second due together: bench/step-job-floor.ts measures about 30 instead of 36
// commands per step and half of BullMQ's CPU at 200 steps/s. Lateness is not made worse: it is measured against
// the rounded time. Up, never down, so a Retry-After or a minimum delay stays honoured. A delay under 3 s (a quick
// retry, the tests' polls) is left alone: a whole second more would stretch it by a third or more.

/** The grid that due times of long steps are rounded up to. */
export const DUE_TIME_GRID_MS = 1000;
/** Delays shorter than this many grid steps are not rounded. */
const MIN_GRID_STEPS = 3;

/** The time a step delayed by `delayMs` at `now` falls due: on the grid when the delay is long enough. */
export function alignDueTime(now: number, delayMs: number, gridMs: number = DUE_TIME_GRID_MS): number {
  const due = now + Math.max(0, delayMs);
  if (!(gridMs > 0) || delayMs < MIN_GRID_STEPS * gridMs) return Math.round(due);
  return Math.ceil(due / gridMs) * gridMs;
}
