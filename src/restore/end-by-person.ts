// A person ends a pending request: an approver's Reject, the requester's Cancel. The end is recorded with its intent
// like every tracker ending, and settled (lock, audit, metric, card, last word) by a job of its own, which tries the
// last word again while Slack refuses it. Should this process die between the two, the request's expiry job, armed
// since the request was made, settles it at the approval's expiry.
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
  // At once, so the requester may ask again for the same target; the settle's own release is then a no-op.
  await ctx.store.releaseTargetLock(ended.target, ended.id).catch((err: unknown) => ctx.logger.warn({ err, requestId: ended.id }, 'could not release the target lock; the settle will'));
  // Redis refusing the job now leaves the request ended; its expiry job settles it at the approval's expiry.
  await settleSoon(ended.id).catch((err: unknown) => ctx.logger.error({ err, requestId: ended.id }, 'could not hand the ended request to its settle job; its expiry job settles it'));
  return ended;
}
