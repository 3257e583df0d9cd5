// The search for the job of a POST whose answer was lost, when Atlas also refuses the search: a 403 (the bot's IP
// left the access list) is said in the thread once, with what to fix, and the search goes on; a 429's Retry-After is
// honoured by the next search instead of asking again within seconds. Faults come from the fake Atlas.
import { Queue } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { TRACKER_QUEUE } from '../../src/restore/tracker.js';
import { waitFor } from '../helpers/wait-for.js';
import { waitForDelayedRestoreJob } from './delayed-restore-job.js';
import { APPROVER, GROUP_ID, requestRestore, useHarness, waitForState } from './conversation-harness.js';

const h = useHarness();
afterEach(() => h.atlas.reset());

const LIST = '/clusters/ledger/backup/restoreJobs';
const lists = () => h.atlas.requests.filter((r) => r.method === 'GET' && r.authorized && r.path.endsWith(LIST));

/** The POST's answer is lost (a 500); the list before it is answered for real ('slow' by 0 ms), the next `then` ones not. */
function losePostThen(then: { status: number; errorCode: string; count: number; retryAfterSeconds?: number }): void {
  h.atlas.inject({ kind: 'slow', delayMs: 0, method: 'GET', pathIncludes: LIST });
  h.atlas.inject({ kind: 'status', status: 500, errorCode: 'UNEXPECTED_ERROR', method: 'POST', pathIncludes: LIST });
  h.atlas.inject({ kind: 'status', method: 'GET', pathIncludes: LIST, ...then });
}

describe('looking for the job of a lost POST while Atlas refuses the bot', () => {
  it('a 403: the thread says once what to fix, the target stays locked, and the job is adopted once Atlas answers', async () => {
    const req = await requestRestore(h, { source: 'ledger', snapshotIndex: 0 });
    losePostThen({ status: 403, errorCode: 'IP_ADDRESS_NOT_ON_ACCESS_LIST', count: 3 });
    await h.click(APPROVER, 'restore_approve', req.id);

    const text = await h.waitForThread(req.id, /Atlas refuses the bot while I look for the restore job/);
    expect(text).toContain('IP_ADDRESS_NOT_ON_ACCESS_LIST');
    expect(text).toMatch(/stays locked/);
    expect(text).toMatch(/won't send the restore again/);
    // All three refusals are used up before the job appears: one warning for them all.
    await waitFor(() => lists().filter((r) => r.status === 403).length === 3, { timeoutMs: 10_000, message: 'three refused searches' });
    const job = h.atlas.seedRestoreJob({ groupId: GROUP_ID, name: 'ledger' }, { snapshotId: req.snapshot.id, targetGroupId: GROUP_ID, targetClusterName: 'ledger' });
    const running = await waitForState(h, req.id, 'running', 10_000);
    expect(running.atlasJobId).toBe(job.id);
    expect(h.threadTexts(req.id).filter((t) => /Atlas refuses the bot/.test(t))).toHaveLength(1);
    expect(h.atlas.requests.filter((r) => r.method === 'POST' && r.authorized && r.path.endsWith(LIST))).toHaveLength(1);
    h.atlas.advanceJob(job.id, 'completed');
    await waitForState(h, req.id, 'completed');
  });

  it('a 429 with Retry-After 120 s: the next search is two minutes away, not a second', async () => {
    const req = await requestRestore(h, { source: 'ledger', snapshotIndex: 1 });
    // Longer than the Atlas client waits by itself (60 s): it hands the 429 to the restore's job at once.
    losePostThen({ status: 429, errorCode: 'RATE_LIMITED', count: 1, retryAfterSeconds: 120 });
    await h.click(APPROVER, 'restore_approve', req.id);
    await waitFor(() => lists().some((r) => r.status === 429), { message: 'the 429 on the search' });
    const refusedAt = Date.now();

    const queue = new Queue(TRACKER_QUEUE, { connection: h.redis.duplicate(), prefix: `${h.prefix}bull` });
    try {
      const delayed = await waitForDelayedRestoreJob(queue, req.id, (d) => d.step === 'find' && (d.findAttempts ?? 0) >= 1, 'the restore job delayed after the refused search');
      expect(delayed.data.dueAt! - refusedAt).toBeGreaterThanOrEqual(115_000);
      expect(h.threadTexts(req.id).some((t) => /Atlas refuses the bot/.test(t))).toBe(false);

      // Two minutes on: the job Atlas made is there, and the search finds it.
      const job = h.atlas.seedRestoreJob({ groupId: GROUP_ID, name: 'ledger' }, { snapshotId: req.snapshot.id, targetGroupId: GROUP_ID, targetClusterName: 'ledger' });
      await delayed.job.promote();
      const running = await waitForState(h, req.id, 'running', 10_000);
      expect(running.atlasJobId).toBe(job.id);
      h.atlas.advanceJob(job.id, 'completed');
      await waitForState(h, req.id, 'completed');
    } finally {
      await queue.close();
    }
  });
});
