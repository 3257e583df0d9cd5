// A click on Approve or Reject right after the approval window closed, while the expiry job runs too: the request
// expires once, with one audit entry and one "expired" message, whoever gets there first.
import { Queue } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { createTrackerMarks } from '../../src/restore/tracker-marks.js';
import { expiryJobId, TRACKER_QUEUE } from '../../src/restore/tracker.js';
import type { RestoreRequest } from '../../src/restore/types.js';
import { FAST_TRACKER } from '../fakes/config-for-fakes.js';
import { waitFor } from '../helpers/wait-for.js';
import { APPROVER, APPROVER_2, requestRestore, useHarness, waitForState, type Harness } from './conversation-harness.js';

const expiredMessages = (h: Harness, id: string) => h.threadTexts(id).filter((t) => /expired: it had/.test(t));

/** A pending request whose window closed a moment ago and whose expiry job has not run yet. */
async function closedWindow(h: Harness, queue: Queue): Promise<RestoreRequest> {
  const req = await requestRestore(h, { source: 'orders' });
  // The request is posted (its card saved) before its expiry job is added: wait for the job, or it would be added
  // after the removal, delayed by the whole window, and the test's own schedule would find it and add none.
  const scheduled = await waitFor(() => queue.getJob(expiryJobId(req.id)), { message: 'the expiry job scheduled at request time' });
  await scheduled.remove();
  const updated = await h.app.services.store.update(req.id, ['pending_approval'], { approvalExpiresAt: new Date(Date.now() - 1).toISOString() });
  if (!updated.ok) throw new Error('not pending');
  return updated.request;
}

async function expiryJobDone(queue: Queue, id: string): Promise<void> {
  // Not yet: thrown with what the job is doing, so that a timeout says where it stands.
  const completed = async () => {
    const job = await queue.getJob(expiryJobId(id));
    const state = job ? await job.getState() : 'missing';
    if (state === 'completed') return true;
    throw new Error(`job ${state}${job ? ` (due in ${job.timestamp + (job.delay ?? 0) - Date.now()} ms, attempts ${job.attemptsMade}, ${job.failedReason ?? 'no failure'})` : ''}`);
  };
  await waitFor(completed, { message: 'the expiry job ran' });
}

async function expiredOnce(h: Harness, id: string): Promise<void> {
  await waitForState(h, id, 'approval_expired');
  await h.waitForThread(id, /expired: it had 0 of 1 approvals/);
  expect(expiredMessages(h, id)).toHaveLength(1);
  const audit = (await h.app.services.store.readAudit(1000)).filter((e) => e.requestId === id && e.type === 'approval_expired');
  expect(audit).toHaveLength(1);
}

describe('a click racing the expiry', () => {
  // A run that finds another holding the notification comes back after the lease: short here, so a job that ran while
  // the click's run was still finishing completes within the wait (the default, 60 s, would outlast it).
  const h = useHarness({ overrides: { tracker: { ...FAST_TRACKER, notifyLeaseSeconds: 2 } } });

  it('the expiry job had begun (its intent written) when the click expired the request: one message, one audit entry', async () => {
    const queue = new Queue(TRACKER_QUEUE, { connection: h.redis.duplicate(), prefix: `${h.prefix}bull` });
    try {
      const req = await closedWindow(h, queue);
      // What the expiry job writes just before its compare-and-set; the click's own expiry then wins that race.
      const marks = createTrackerMarks({ redis: h.redis, prefix: `${h.prefix}bull:tracker:`, leaseMs: 30_000, keepSeconds: 3600 });
      await marks.setIntent(req.id, { kind: 'approval_expired' });
      const before = h.ephemeralTexts(APPROVER).length;
      await h.click(APPROVER, 'restore_approve', req.id);
      await waitFor(() => h.ephemeralTexts(APPROVER).slice(before).find((t) => t.includes(req.id)), { message: 'the click was answered' });
      // The job goes on from its intent, as it would after losing the compare-and-set.
      await h.app.services.tracker.scheduleApprovalExpiry(req.id, new Date());
      await expiryJobDone(queue, req.id);
      await expiredOnce(h, req.id);
    } finally {
      await queue.close();
    }
  });

  it('clicks and the job at the same moment, for real: one message, one audit entry', async () => {
    const queue = new Queue(TRACKER_QUEUE, { connection: h.redis.duplicate(), prefix: `${h.prefix}bull` });
    try {
      const req = await closedWindow(h, queue);
      await Promise.all([
        h.app.services.tracker.scheduleApprovalExpiry(req.id, new Date()),
        h.click(APPROVER, 'restore_approve', req.id),
        h.click(APPROVER_2, 'restore_reject', req.id),
      ]);
      await waitFor(() => h.ephemeralTexts(APPROVER).some((t) => t.includes(req.id)) && h.ephemeralTexts(APPROVER_2).some((t) => t.includes(req.id)), { message: 'the clicks were answered' });
      await expiredOnce(h, req.id);
    } finally {
      await queue.close();
    }
  });
});
