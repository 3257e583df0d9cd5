// Slack refusing a request's last word must not end the work that comes after it (DESIGN.md §5: a job that appears
// after an unconfirmed POST is still adopted; every request ends with one final message). The failures outnumber
// BullMQ's attempts (10): a step that let them through would use those up and leave the job failed for good.
import type { Queue } from 'bullmq';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { expiryJobId, restoreJobId } from '../../src/restore/tracker.js';
import type { RestoreRequest } from '../../src/restore/types.js';
import { waitFor } from '../helpers/wait-for.js';
import { waitForDelayedRestoreJob } from './delayed-restore-job.js';
import { recordingNotifier, useTrackerHarness } from './tracker-harness.js';
import { makeRequest } from './store-fixtures.js';

const world = useTrackerHarness();
const MORE_THAN_BULLMQ_ATTEMPTS = 12;
let queue: Queue | undefined;
afterAll(async () => queue?.close());

async function waitForState(id: string, state: RestoreRequest['state'], timeoutMs = 8000): Promise<RestoreRequest> {
  return waitFor(async () => {
    const r = await world.h.store.get(id);
    return r?.state === state ? r : null;
  }, { timeoutMs, message: `request ${id} to be ${state}` });
}

/** A request whose POST went out and whose answer was lost; the job listed before it is not ours. */
async function seedUnconfirmedPost(): Promise<{ req: RestoreRequest; groupId: string; source: string }> {
  const { h } = world;
  const a = h.seedAtlas('dedicated');
  const at = new Date(Date.now() - 1000).toISOString();
  const req = makeRequest({
    id: `RR-${randomBytes(4).toString('hex').toUpperCase()}`,
    source: { project: 'shop', groupId: a.groupId, cluster: a.source, type: 'dedicated' },
    target: { project: 'shop', groupId: a.groupId, cluster: a.target, type: 'dedicated' },
    snapshot: { id: a.snapshotId, createdAt: at },
    state: 'submitting',
    approvals: [{ user: 'U0APPROVER', at }],
    submittingAt: at,
    postStartedAt: at,
    priorJobIds: [a.jobId],
  });
  await h.store.create(req);
  const lock = await h.store.acquireTargetLock(req.target, req.id, 600);
  if (!lock.ok) throw new Error('test setup: target lock taken');
  return { req, groupId: a.groupId, source: a.source };
}

/**
 * The late search comes back every few seconds to minutes: its next run is brought forward until `done` says so. A
 * run BullMQ holds back after a thrown error is brought forward too, so a step that throws uses its attempts up here.
 */
async function runLateStepsUntil(requestId: string, done: () => boolean): Promise<void> {
  queue ??= world.h.queue();
  while (!done()) {
    const { job } = await waitForDelayedRestoreJob(queue, requestId, () => true, 'the restore job delayed');
    await job.promote().catch(() => undefined); // it may have fallen due by itself meanwhile
    await waitFor(async () => done() || (await job.getState()) !== 'delayed', { message: 'the promoted run started' });
  }
}

describe('Slack refuses the "unconfirmed" message', () => {
  it('over and over: a job that turns up in Atlas is still adopted and followed, the target locked until its end', async () => {
    const { h, fake } = world;
    const { req, groupId, source } = await seedUnconfirmedPost();
    let refused = 0;
    const tracker = await h.startTracker('late-search', {
      findWindowMs: 100,
      lateAdoptWindowMs: 10 * 60_000,
      notifier: recordingNotifier(h.calls, 'late-search', {
        submitUnconfirmed: async () => {
          refused += 1;
          throw new Error('slack internal_error');
        },
      }),
    });
    await tracker.track(req.id);
    await waitForState(req.id, 'failed');
    await runLateStepsUntil(req.id, () => refused > MORE_THAN_BULLMQ_ATTEMPTS);
    expect(await h.lockIsFree(req)).toBe(false);

    const job = fake.seedRestoreJob({ groupId, name: source }, { snapshotId: req.snapshot.id, targetGroupId: groupId, targetClusterName: req.target.cluster });
    await runLateStepsUntil(req.id, () => h.callsFor(req.id, 'submitted').length > 0);
    const running = await waitForState(req.id, 'running');
    expect(running.atlasJobId).toBe(job.id);
    expect(h.callsFor(req.id, 'submitted').map((c) => c.how)).toEqual(['adopted_late']);
    expect(await h.lockIsFree(req)).toBe(false);

    fake.advanceJob(job.id, 'completed');
    await waitForState(req.id, 'completed');
    await waitFor(() => h.callsFor(req.id, 'restoreFinished').length === 1, { message: 'the final message' });
    // Adopted: "unconfirmed" is no longer true, and it is not said after the fact.
    expect(h.callsFor(req.id, 'submitUnconfirmed')).toHaveLength(0);
    await waitFor(() => h.lockIsFree(req), { message: 'the target released' });
    await tracker.close({ force: true });
  });

  it(`${MORE_THAN_BULLMQ_ATTEMPTS} times, past the end of the late search: it arrives once, and the target is freed`, async () => {
    const { h } = world;
    const { req } = await seedUnconfirmedPost();
    let refusals = MORE_THAN_BULLMQ_ATTEMPTS;
    const tracker = await h.startTracker('late-search-ends', {
      findWindowMs: 100,
      lateAdoptWindowMs: 10 * 60_000,
      maxDelayMs: 100, // the settle step's retries, once the search is over
      notifier: recordingNotifier(h.calls, 'late-search-ends', {
        submitUnconfirmed: async () => {
          if (refusals-- > 0) throw new Error('slack internal_error');
        },
      }),
    });
    await tracker.track(req.id);
    await waitForState(req.id, 'failed');
    await runLateStepsUntil(req.id, () => refusals <= MORE_THAN_BULLMQ_ATTEMPTS / 2);

    // The late search ends while Slack still refuses: the target is freed, and the message is still owed.
    const ended = await h.store.update(req.id, ['failed'], { lateAdoptUntil: new Date(Date.now() - 1000).toISOString() });
    expect(ended.ok).toBe(true);
    await runLateStepsUntil(req.id, () => refusals < MORE_THAN_BULLMQ_ATTEMPTS / 2);
    await waitFor(() => h.lockIsFree(req), { message: 'the target released' });
    await waitFor(() => h.callsFor(req.id, 'submitUnconfirmed').length === 1, { timeoutMs: 10_000, message: 'the message delivered' });
    expect(refusals).toBe(-1);
    await waitFor(async () => (await queue!.getJob(restoreJobId(req.id)))?.finishedOn !== undefined, { message: 'the restore job finished' });
    expect(await (await queue!.getJob(restoreJobId(req.id)))?.getState()).toBe('completed');
    expect(h.callsFor(req.id, 'submitUnconfirmed')).toHaveLength(1);
    expect((await h.store.get(req.id))?.state).toBe('failed');
    await tracker.close({ force: true });
  });
});

describe('Slack refuses the "expired" message', () => {
  it(`${MORE_THAN_BULLMQ_ATTEMPTS} times: the expiry job keeps trying, and it arrives once`, async () => {
    const { h } = world;
    let refusals = MORE_THAN_BULLMQ_ATTEMPTS;
    const tracker = await h.startTracker('expiry', {
      maxDelayMs: 100,
      notifier: recordingNotifier(h.calls, 'expiry', {
        approvalExpired: async () => {
          if (refusals-- > 0) throw new Error('slack internal_error');
        },
      }),
    });
    const req = await h.seedPending(100);
    await tracker.scheduleApprovalExpiry(req.id, new Date(req.approvalExpiresAt));
    await waitFor(() => h.callsFor(req.id, 'approvalExpired').length === 1, { timeoutMs: 15_000, message: 'the expired message' });
    expect(refusals).toBe(-1);
    expect((await h.store.get(req.id))?.state).toBe('approval_expired');
    expect(await h.lockIsFree(req)).toBe(true);
    queue ??= h.queue();
    const job = await waitFor(async () => {
      const j = await queue!.getJob(expiryJobId(req.id));
      return j?.finishedOn !== undefined ? j : undefined;
    }, { message: 'the expiry job finished' });
    expect(await job.getState()).toBe('completed');
    expect(h.callsFor(req.id, 'approvalExpired')).toHaveLength(1);
    const audit = await h.store.readAudit(500);
    expect(audit.filter((e) => e.requestId === req.id && e.type === 'approval_expired')).toHaveLength(1);
    await tracker.close({ force: true });
  });
});
