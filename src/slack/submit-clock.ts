// Slack gives a view_submission 3 s. An answer that comes later is lost: Slack shows the form an error of its own,
// and whatever the handler did meanwhile (a stored request holding the target's lock) nobody sees. So the
// submission's steps share one clock, each takes at most what is left of it, and the request is created only while
// there is still time to answer. (Not the restore's submit deadline, restore/submit-deadline.ts: that is how long an
// approved request may take to reach Atlas; this is the form's 3 s.)

/** When the submission stops looking things up and answers; the rest of the 3 s is for Redis and the network. */
export const SUBMIT_DEADLINE_MS = 2300;

export interface SubmitClock {
  /** Milliseconds left before the deadline (0 once it has passed). */
  left(): number;
  /** `budgetMs`, or less when less is left (never negative). */
  budget(budgetMs: number): number;
  /** Milliseconds since the submission came in, past the deadline too (was the answer late for Slack's 3 s?). */
  elapsed(): number;
}

export function startSubmitClock(deadlineMs = SUBMIT_DEADLINE_MS, now: () => number = () => performance.now()): SubmitClock {
  const start = now();
  const end = start + deadlineMs;
  const left = () => Math.max(0, end - now());
  return { left, budget: (budgetMs) => Math.min(budgetMs, left()), elapsed: () => now() - start };
}
