// The wait for the safety snapshot (DESIGN.md §6) is bounded and backs off like any wait: past the approval's horizon a
// 429 is still honoured (not retried every second), a snapshot deleted in Atlas ends the request with nothing restored
// (after the read-after-write grace), and so does one that never completes (SAFETY_SNAPSHOT_MAX_WAIT_MS). Faults come
// from the fake Atlas; the passing of time is written into the stored request, as restore-kinds.test.ts does.
import { Queue } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { SAFETY_SNAPSHOT_MAX_WAIT_MS } from '../../src/restore/safety-snapshot-step.js';
import { TRACKER_QUEUE } from '../../src/restore/tracker.js';
import type { RestoreRequest } from '../../src/restore/types.js';
import { waitFor } from '../helpers/wait-for.js';
import { waitForDelayedRestoreJob } from './delayed-restore-job.js';
import { APPROVER, requestRestore, useHarness, waitForState, waitForTargetFree, type Harness } from './conversation-harness.js';

const h = useHarness();
const taken: string[] = [];
afterEach(() => {
  // Atlas takes one on-demand snapshot at a time per cluster, and a fault left behind would hit the next test's requests.
  for (const id of taken.splice(0)) {
    try {
      h.atlas.advanceOnDemandSnapshot(id, 'failed');
    } catch {
      // already ended
    }
  }
  h.atlas.reset();
});

async function approvedWithSafetySnapshot(harness: Harness): Promise<{ req: RestoreRequest; id: string }> {
  const asked = await requestRestore(harness, { source: 'ledger' });
  const updated = await harness.app.services.store.update(asked.id, ['pending_approval'], { safetySnapshot: { retentionInDays: 1 } });
  if (!updated.ok) throw new Error('the request was not pending');
  await harness.click(APPROVER, 'restore_approve', asked.id);
  const id = await waitFor(async () => (await harness.request(asked.id))?.safetySnapshot?.id, { message: 'the safety snapshot id' });
  taken.push(id);
  return { req: updated.request, id };
}

/** Writes the passing of time into the stored request: the snapshot was asked for `agoMs` ago. */
async function snapshotAskedFor(harness: Harness, requestId: string, agoMs: number): Promise<void> {
  const current = (await harness.request(requestId))!;
  const aged = await harness.app.services.store.update(requestId, ['approved', 'submitting'], {
    safetySnapshot: { ...current.safetySnapshot!, requestedAt: new Date(Date.now() - agoMs).toISOString() },
  });
  expect(aged.ok).toBe(true);
}

const restorePosts = () => h.atlas.requests.filter((r) => r.method === 'POST' && r.authorized && r.path.endsWith('/clusters/ledger/backup/restoreJobs'));
const snapshotGets = (id: string) => h.atlas.requests.filter((r) => r.method === 'GET' && r.authorized && r.path.endsWith(`/snapshots/${id}`));

describe('the wait for the safety snapshot', () => {
  it('past the approval horizon, a 429 with Retry-After 120 s is honoured: the next look is two minutes away, not a second', async () => {
    const { req, id } = await approvedWithSafetySnapshot(h);
    // As if Atlas had taken two hours: the approval and its grace ran out while the snapshot was under way.
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000).toISOString();
    const aged = await h.app.services.store.update(req.id, ['approved', 'submitting'], {
      submitBy: new Date(Date.now() - 3600_000).toISOString(),
      approvalExpiresAt: twoHoursAgo,
      approvals: (await h.request(req.id))!.approvals.map((a) => ({ ...a, at: twoHoursAgo })),
    });
    expect(aged.ok).toBe(true);
    const seen = snapshotGets(id).length;
    // Longer than the Atlas client waits by itself (60 s): it hands the 429 to the restore's job at once.
    h.atlas.inject({ kind: 'status', status: 429, errorCode: 'RATE_LIMITED', retryAfterSeconds: 120, count: 1, method: 'GET', pathIncludes: `/snapshots/${id}` });
    await waitFor(() => snapshotGets(id).slice(seen).some((r) => r.status === 429), { message: 'the 429 on the safety snapshot' });
    const refusedAt = Date.now();

    const queue = new Queue(TRACKER_QUEUE, { connection: h.redis.duplicate(), prefix: `${h.prefix}bull` });
    try {
      // The job's next run, as written when it was delayed after the 429.
      const { data } = await waitForDelayedRestoreJob(queue, req.id, (d) => d.dueAt !== undefined && d.dueAt >= refusedAt - 1000, 'the restore job delayed after the 429');
      expect(data.dueAt! - refusedAt).toBeGreaterThanOrEqual(115_000);
    } finally {
      await queue.close();
    }
    expect(snapshotGets(id).slice(seen)).toHaveLength(1);
    expect((await h.request(req.id))?.state).not.toBe('failed');
  });

  it('a 404 right after the snapshot was asked for is Atlas lagging: the wait goes on, then the restore is sent', async () => {
    const { req, id } = await approvedWithSafetySnapshot(h);
    const seen = snapshotGets(id).length;
    h.atlas.inject({ kind: 'status', status: 404, errorCode: 'SNAPSHOT_NOT_FOUND', count: 2, method: 'GET', pathIncludes: `/snapshots/${id}` });
    await waitFor(() => snapshotGets(id).slice(seen).filter((r) => r.status === 404).length === 2, { message: 'two 404s' });
    h.atlas.advanceOnDemandSnapshot(id, 'completed');
    const running = await waitForState(h, req.id, 'running');
    expect(h.threadTexts(req.id).some((t) => /not submitted yet/.test(t))).toBe(false); // lag is not trouble to report
    h.atlas.advanceJob(running.atlasJobId!, 'completed');
    await waitForState(h, req.id, 'completed');
  });

  it('a safety snapshot deleted in Atlas (404 after the grace): the request fails, nothing is restored, the target is freed', async () => {
    const { req, id } = await approvedWithSafetySnapshot(h);
    const before = restorePosts().length;
    await snapshotAskedFor(h, req.id, 3 * 60_000); // past the 2 min read-after-write grace
    h.atlas.inject({ kind: 'status', status: 404, errorCode: 'SNAPSHOT_NOT_FOUND', count: 1000, method: 'GET', pathIncludes: `/snapshots/${id}` });
    const failed = await waitForState(h, req.id, 'failed');
    expect(failed.failureReason).toMatch(new RegExp(`safety snapshot \`${id}\` of the target failed: Atlas no longer has it.*nothing was restored`));
    await h.waitForThread(req.id, /was not submitted: the safety snapshot .* failed.*nothing was restored.* A new request is needed/);
    expect(restorePosts().length).toBe(before);
    expect((await h.app.services.store.readAudit(500)).some((e) => e.requestId === req.id && e.type === 'safety_snapshot_failed')).toBe(true);
    await waitForTargetFree(h, 'ledger');
  });

  it(`a safety snapshot still queued after ${SAFETY_SNAPSHOT_MAX_WAIT_MS / 3600_000} h: the request fails and says so, nothing is restored`, async () => {
    const { req, id } = await approvedWithSafetySnapshot(h);
    const before = restorePosts().length;
    await snapshotAskedFor(h, req.id, SAFETY_SNAPSHOT_MAX_WAIT_MS + 60_000);
    const failed = await waitForState(h, req.id, 'failed');
    expect(failed.failureReason).toMatch(new RegExp(`safety snapshot \`${id}\` of the target failed: it was still queued in Atlas after 6 h, so nothing was restored`));
    await h.waitForThread(req.id, /was not submitted: the safety snapshot .* failed/);
    // The card says it failed, and no longer that the restore waits for it (DESIGN.md §6).
    const card = await waitFor(() => {
      const text = JSON.stringify(h.rootCard(req.id)?.blocks ?? []);
      return text.includes('Not submitted') ? text : undefined;
    }, { message: 'the card of the failed request' });
    // Nothing was sent: no "Restore failed", and the card says so once (the status line), not again beside it.
    expect(card).toContain(`:no_entry: *Not submitted*: the safety snapshot \`${id}\` of the target failed: it was still queued in Atlas after 6 h, so nothing was restored. A new request is needed: run \`/atlas-restore shop/`);
    expect(card).toContain(`The safety snapshot \`${id}\` of \`shop/ledger\` (dedicated) failed.`);
    expect(card).not.toContain('Restore failed');
    expect(card.match(/nothing was restored/gi)).toHaveLength(1);
    expect(card).not.toContain('waits for it');
    expect(restorePosts().length).toBe(before);
    expect((await h.app.services.store.readAudit(500)).some((e) => e.requestId === req.id && e.type === 'safety_snapshot_failed')).toBe(true);
    await waitForTargetFree(h, 'ledger');
  });
});
