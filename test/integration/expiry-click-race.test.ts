// A click on Approve or Reject right after the approval window closed, while the expiry job runs too: the request
// expires once, with one audit entry and one "expired" message, whoever gets there first.
import { Queue } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { expiryJobId, TRACKER_QUEUE } from '../../src/restore/tracker.js';
import { waitFor } from '../helpers/wait-for.js';
import { APPROVER, APPROVER_2, requestRestore, useHarness, waitForState } from './conversation-harness.js';

describe('a click racing the expiry', () => {
  const h = useHarness();

  it('expires the request once, whichever of the clicks and the expiry job wins', async () => {
    for (let round = 0; round < 4; round++) {
      const req = await requestRestore(h, { source: 'orders' });
      // The window closed a moment ago, and the expiry job is due now: clicks and job race for real.
      const queue = new Queue(TRACKER_QUEUE, { connection: h.redis.duplicate(), prefix: `${h.prefix}bull` });
      try {
        await (await queue.getJob(expiryJobId(req.id)))?.remove();
      } finally {
        await queue.close();
      }
      const updated = await h.app.services.store.update(req.id, ['pending_approval'], { approvalExpiresAt: new Date(Date.now() - 1).toISOString() });
      expect(updated.ok).toBe(true);
      await Promise.all([
        h.app.services.tracker.scheduleApprovalExpiry(req.id, new Date()),
        h.click(APPROVER, 'restore_approve', req.id),
        h.click(APPROVER_2, 'restore_reject', req.id),
        h.click(APPROVER, 'restore_approve', req.id),
      ]);
      await waitForState(h, req.id, 'approval_expired');
      await h.waitForThread(req.id, /expired: it had 0 of 1 approvals/);
      // Give every racer time to finish what it would post: the refusals of the three clicks arrive last.
      await waitFor(() => h.ephemeralTexts(APPROVER).filter((t) => t.includes(req.id)).length >= 2 && h.ephemeralTexts(APPROVER_2).some((t) => t.includes(req.id)), { message: 'the clicks were answered' });
      expect(h.threadTexts(req.id).filter((t) => /expired: it had/.test(t))).toHaveLength(1);
      const audit = (await h.app.services.store.readAudit(1000)).filter((e) => e.requestId === req.id && e.type === 'approval_expired');
      expect(audit).toHaveLength(1);
    }
  });
});
