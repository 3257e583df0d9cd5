// When an approved request must have been sent to Atlas, or end with nothing restored (DESIGN.md §5: only a bounded
// horizon, the approval's expiry, ends an approved request). Pure: the submit step keeps to it, and the form uses it
// to know how long a request may wait before its restore is sent (point-in-time-window.ts).
import type { RestoreRequest } from './types.js';

/** An approval given in the last minutes of its window still gets this long for Atlas to answer. */
export const MIN_SUBMIT_GRACE_MS = 15 * 60_000;

/**
 * When the request must have been submitted, or end with nothing restored. A safety snapshot that took longer than
 * the approval had left gives the same grace after it completed: the wait was Atlas working, not a fault, and a
 * passing fault right after it must not end what two people approved.
 */
export function submitDeadline(req: RestoreRequest): number {
  const lastApproval = Date.parse(req.approvals.at(-1)?.at ?? req.updatedAt);
  const deadline = req.submitBy ? Date.parse(req.submitBy) : Math.max(Date.parse(req.approvalExpiresAt), lastApproval + MIN_SUBMIT_GRACE_MS);
  const snapshotDone = req.safetySnapshot?.completedAt ? Date.parse(req.safetySnapshot.completedAt) : Number.NaN;
  return Number.isFinite(snapshotDone) ? Math.max(deadline, snapshotDone + MIN_SUBMIT_GRACE_MS) : deadline;
}
