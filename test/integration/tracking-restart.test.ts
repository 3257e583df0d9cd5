// Nothing is lost across restarts, and replicas don't double-post (project issue 4): a restore running when
// the app stops is followed to its end by the next instance, and two instances on the same prefix post
// each state change once.
import { Queue } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { createRestoreStore } from '../../src/restore/store.js';
import { restoreJobId, TRACKER_QUEUE } from '../../src/restore/tracker.js';
import type { RestoreRequest } from '../../src/restore/types.js';
import { waitFor } from '../helpers/wait-for.js';
import { APPROVER, clearLocks, GROUP_ID, requestRestore, startHarness, waitForState, type Harness } from './conversation-harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function startRunning(harness: Harness, source: string): Promise<RestoreRequest> {
  await clearLocks(harness);
  const req = await requestRestore(harness, { source });
  await harness.click(APPROVER, 'restore_approve', req.id);
  return waitForState(harness, req.id, 'running');
}

const FINAL = /Restore (completed|failed|cancelled|expired)/;
const count = (harness: Harness, id: string, pattern: RegExp) => harness.threadTexts(id).filter((t) => pattern.test(t)).length;

/** The records while no app runs: the stopped app's own connection is closed. */
const offlineStore = (harness: Harness) => createRestoreStore({ redis: harness.redis, prefix: harness.prefix });

async function withQueue<T>(harness: Harness, fn: (queue: Queue) => Promise<T>): Promise<T> {
  const queue = new Queue(TRACKER_QUEUE, { connection: harness.redis.duplicate(), prefix: `${harness.prefix}bull` });
  try {
    return await fn(queue);
  } finally {
    await queue.close();
  }
}

async function pollFinished(harness: Harness, id: string): Promise<void> {
  await withQueue(harness, (queue) =>
    waitFor(async () => (await (await queue.getJob(restoreJobId(id)))?.getState()) === 'completed', { timeoutMs: 8000, message: `poll job of ${id} completed` }),
  );
}

describe('a restart', () => {
  it('a restore that completes while the app is down is reported once by the next instance', async () => {
    h = await startHarness();
    const req = await startRunning(h, 'ledger');
    await h.app.stop();
    h.atlas.advanceJob(req.atlasJobId!, 'completed');
    expect((await offlineStore(h).get(req.id))?.state).toBe('running');
    expect(count(h, req.id, FINAL)).toBe(0);

    await h.restart();
    const final = await h.waitForThread(req.id, /Restore completed/);
    expect(final).toContain(req.atlasJobId!);
    await waitForState(h, req.id, 'completed');
    await pollFinished(h, req.id);
    expect(count(h, req.id, FINAL)).toBe(1);
    expect(h.postsToAtlas()).toBe(1);
  });

  it('start-up reconciliation gives a running restore whose poll job was lost a new one', async () => {
    h = await startHarness();
    const flex = await startRunning(h, 'orders');
    const dedicated = await startRunning(h, 'ledger');
    await h.app.stop();
    // Lost poll jobs (e.g. a Redis restored from an older backup): only the requests remain.
    await withQueue(h, async (queue) => {
      for (const id of [flex.id, dedicated.id]) {
        const job = await queue.getJob(restoreJobId(id));
        expect(job).toBeDefined();
        await job!.remove();
        expect(await queue.getJob(restoreJobId(id))).toBeUndefined();
      }
    });
    h.atlas.advanceJob(flex.atlasJobId!, 'running');
    h.atlas.advanceJob(flex.atlasJobId!, 'completed');
    h.atlas.advanceJob(dedicated.atlasJobId!, 'failed');

    await h.restart();
    await h.waitForThread(flex.id, /Restore completed/);
    await h.waitForThread(dedicated.id, /Restore failed/);
    for (const id of [flex.id, dedicated.id]) {
      await pollFinished(h, id);
      expect(count(h, id, FINAL)).toBe(1);
    }
    const audit = await h.app.services.store.readAudit(500);
    expect(audit.filter((e) => e.type === 'finished' && (e.requestId === flex.id || e.requestId === dedicated.id))).toHaveLength(2);
  });

  it('a request left in submitting is reconciled at start-up: the Atlas job is adopted, not posted again', async () => {
    h = await startHarness();
    await clearLocks(h);
    const req = await requestRestore(h, { source: 'ledger' });
    await h.app.stop();
    // The app died after recording `submitting` and after Atlas created the job, before it stored the job id.
    const store = offlineStore(h);
    const intentAt = new Date().toISOString();
    expect((await store.transition(req.id, ['pending_approval'], 'approved', { approvals: [{ user: APPROVER, at: intentAt }] })).ok).toBe(true);
    expect((await store.transition(req.id, ['approved'], 'submitting', { submittingAt: intentAt, jobIdsBeforeSubmit: [] })).ok).toBe(true);
    const seeded = h.atlas.seedRestoreJob(
      { groupId: GROUP_ID, name: 'ledger' },
      { snapshotId: req.snapshot.id, targetGroupId: GROUP_ID, targetClusterName: 'ledger', createdAt: new Date(Date.now() + 1000).toISOString() },
    );
    const postsBefore = h.postsToAtlas();

    await h.restart();
    const running = await waitForState(h, req.id, 'running');
    expect(running.atlasJobId).toBe(seeded.id);
    h.atlas.advanceJob(seeded.id, 'completed');
    await h.waitForThread(req.id, /Restore completed/);
    await pollFinished(h, req.id);
    expect(count(h, req.id, FINAL)).toBe(1);
    expect(h.postsToAtlas()).toBe(postsBefore);
  });
});

describe('two replicas on the same prefix', () => {
  it('each state change of each restore is posted exactly once', async () => {
    h = await startHarness();
    await h.startReplica();
    // Restores on three targets, followed by both replicas' workers at once.
    const reqs = [await startRunning(h, 'orders'), await startRunning(h, 'ledger'), await startRunning(h, 'legacy')];
    for (const req of reqs) h.atlas.advanceJob(req.atlasJobId!, 'running');
    await h.waitForThread(reqs[0]!.id, /is running/);
    h.atlas.advanceJob(reqs[0]!.atlasJobId!, 'completed');
    h.atlas.advanceJob(reqs[1]!.atlasJobId!, 'cancelled');
    h.atlas.advanceJob(reqs[2]!.atlasJobId!, 'failed');
    await h.waitForThread(reqs[0]!.id, /Restore completed/);
    await h.waitForThread(reqs[1]!.id, /Restore cancelled/);
    await h.waitForThread(reqs[2]!.id, /Restore failed/);
    for (const req of reqs) {
      await pollFinished(h, req.id);
      expect(count(h, req.id, FINAL)).toBe(1);
      expect(count(h, req.id, /Restore submitted to Atlas/)).toBe(1);
    }
    expect(count(h, reqs[0]!.id, /is running/)).toBe(1);
    expect(h.postsToAtlas()).toBe(3);
  });
});
