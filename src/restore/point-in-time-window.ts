// A point in time must be inside the source's restore window when the restore is sent, not only when it is asked for.
// Atlas keeps `restoreWindowDays` back from now, so the window's start moves on while the request waits for its
// approvals and its safety snapshot: a time near the start when requested can be outside by the POST, which Atlas
// then refuses (INVALID_PIT_RESTORE_TIME) after the approvers' work, and perhaps after a safety snapshot. So the form
// asks for a margin (pointInTimeMargin), and the step looks again before the safety snapshot and the POST
// (leftRestoreWindow). Pure: the Slack layer and the step use the same numbers.
import { MIN_SUBMIT_GRACE_MS } from './submit-deadline.js';

const MINUTE_S = 60;
const DAY_S = 86_400;

/**
 * What the form counts for a safety snapshot. Not its 6-hour bound (SAFETY_SNAPSHOT_MAX_WAIT_MS): that would refuse
 * most of a short window for the rare snapshot of a very large cluster, and the check before the POST still ends a
 * request whose snapshot took longer, with nothing restored. An hour covers the usual on-demand snapshot.
 */
export const SAFETY_SNAPSHOT_ALLOWANCE_S = 60 * MINUTE_S;
/** On top: the calls before the POST, and a clock of ours a little behind Atlas's. */
export const SENDING_ALLOWANCE_S = 5 * MINUTE_S;
/**
 * Right before the POST a time must still be this far inside: the job list, the target lock and the claim come
 * between the check and the POST, and our clock may be a little behind Atlas's.
 */
export const POST_MARGIN_S = MINUTE_S;

export interface PointInTimeMargin {
  /** How far inside the window's start, at submission, a time must be. */
  seconds: number;
  /** Why, for the requester: "the approval may take up to 30 min, …". */
  why: string;
}

/**
 * The margin of a new request: the target's approval window (a request is sent once approved, up to its expiry), the
 * grace an approval given at the last minute still gets, a safety snapshot when one will be taken, and the sending.
 */
export function pointInTimeMargin(input: { approvalMinutes: number; safetySnapshot: boolean }): PointInTimeMargin {
  const approval = input.approvalMinutes * MINUTE_S;
  const sending = MIN_SUBMIT_GRACE_MS / 1000 + SENDING_ALLOWANCE_S;
  const snapshot = input.safetySnapshot ? SAFETY_SNAPSHOT_ALLOWANCE_S : 0;
  const parts = [`the approval may take up to ${minutes(approval)}`, ...(snapshot ? [`the safety snapshot about ${minutes(snapshot)}`] : []), `sending the restore up to ${minutes(sending)}`];
  return { seconds: approval + snapshot + sending, why: `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)!}` };
}

/** The first second of the restore window at `nowMs` (Atlas: `restoreWindowDays` back from now). */
export function windowStart(restoreWindowDays: number, nowMs: number): number {
  return Math.floor(nowMs / 1000) - restoreWindowDays * DAY_S;
}

/**
 * Whether a time has left the window (or is about to, within POST_MARGIN_S), right before the safety snapshot or the
 * POST. A schedule without a window (continuous cloud backup turned off since) leaves no time restorable.
 */
export function leftRestoreWindow(utcSeconds: number, restoreWindowDays: number | undefined, nowMs: number): boolean {
  if (restoreWindowDays === undefined || !(restoreWindowDays > 0)) return true;
  return utcSeconds < windowStart(restoreWindowDays, nowMs) + POST_MARGIN_S;
}

/** "30 min", "1 h", "1 h 50 min": whole minutes, for the margin's reasons. */
function minutes(seconds: number): string {
  const m = Math.round(seconds / MINUTE_S);
  if (m < 60) return `${m} min`;
  return m % 60 === 0 ? `${m / 60} h` : `${Math.floor(m / 60)} h ${m % 60} min`;
}
