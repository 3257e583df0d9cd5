// A person ends a pending request: an approver's Reject, the requester's Cancel. The end is recorded with its intent
// like every tracker ending and settled (lock, audit, metric, card, last word) at once; what Slack refused is tried
// again by a job of its own. Should this process die between the two, the request's expiry job, armed
// since the request was made, settles it at the approval's expiry.
import { trySettle } from './settle-step.js';
import { endRequest } from './tracker-settle.js';
import type { TrackerContext } from './tracker-types.js';
import type { RestoreRequest } from './types.js';

export interface PersonEnd {
  requestId: string;
  to: 'rejected' | 'cancelled';
  by: string;
  patch: Partial<RestoreRequest>;
}

/** The ended request, or null when it was no longer pending (approved, expired or ended by someone else first). */
export async function endByPerson(ctx: TrackerContext, settleSoon: (requestId: string) => Promise<void>, end: PersonEnd): Promise<RestoreRequest | null> {
  const req = await ctx.store.get(end.requestId);
  if (!req) return null;
  const who = end.to === 'rejected' ? { rejectedBy: end.by } : { cancelledBy: end.by };
  const ended = await endRequest(ctx, req, ['pending_approval'], { kind: end.to, by: end.by }, { ...end.patch, ...who });
  // Ended the same way by someone else a moment before (two approvers' Rejects at once): theirs, not this click's.
  const endedBy = end.to === 'rejected' ? ended?.rejectedBy : ended?.cancelledBy;
  if (!ended || endedBy !== end.by) return null;
  // Settled here first, as a click was before: a replica of the version before, taking the job during a rolling
  // upgrade, would not know this kind of end. The job is for what this try left owed (Slack refused, another run busy).
  const settled = await trySettle(ctx, ended);
  if (settled.ok && settled.outcome !== 'busy') return ended;
  if (!settled.ok) ctx.logger.warn({ requestId: ended.id, err: settled.error }, 'the end of the request could not be settled yet; its job tries again');
  // Redis refusing the job now leaves the request ended; its expiry job settles it at the approval's expiry.
  await settleSoon(ended.id).catch((err: unknown) => ctx.logger.error({ err, requestId: ended.id }, 'could not hand the ended request to its settle job; its expiry job settles it'));
  return ended;
}
