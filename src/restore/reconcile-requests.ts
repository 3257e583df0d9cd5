// Start-up and periodic: every request in flight must have its live job. A request whose job is running (its BullMQ
// lock is the lease on the submission) is left alone however old it is; one whose job was lost gets a new one, which
// resumes from the stored state. Overdue approvals are expired, and every pending one has its expiry job.
import { expireApproval, isExpiryNoticeOwed } from './tracker-expiry.js';
import type { TrackerContext } from './tracker-types.js';

export interface ReconcileJobs {
  /** Adds the request's restore job unless one is live; true when it added one. */
  ensureRestoreJob(requestId: string): Promise<boolean>;
  scheduleApprovalExpiry(requestId: string, at: Date): Promise<void>;
}

export async function reconcileRequests(ctx: TrackerContext, jobs: ReconcileJobs): Promise<{ resumed: number; expired: number }> {
  let resumed = 0;
  let expired = 0;
  const now = Date.now();
  for (const req of await ctx.store.listActive()) {
    try {
      if (req.state === 'approved' || req.state === 'submitting' || req.state === 'running') {
        if (await jobs.ensureRestoreJob(req.id)) {
          resumed += 1;
          ctx.logger.info({ requestId: req.id, state: req.state }, 'resumed a request in flight that had no live job');
        }
      } else if (req.state === 'pending_approval') {
        if (Date.parse(req.approvalExpiresAt) <= now) {
          const outcome = await expireApproval(ctx, req.id, now);
          if (outcome.kind === 'expired' || (outcome.kind === 'unsettled' && outcome.expiredNow)) expired += 1;
          if (isExpiryNoticeOwed(outcome)) await jobs.scheduleApprovalExpiry(req.id, new Date());
        } else {
          await jobs.scheduleApprovalExpiry(req.id, new Date(req.approvalExpiresAt));
        }
      }
    } catch (err) {
      ctx.logger.error({ requestId: req.id, state: req.state, err }, 'reconcile failed for a request');
    }
  }
  return { resumed, expired };
}
