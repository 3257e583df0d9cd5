// Submitting an approved restore to Atlas exactly once (DESIGN.md §5) through the real HTTP receiver: crashes between
// the intent and the POST, POSTs whose outcome is unknown (lost answers, unreadable 2xx, 5xx), jobs that turn up
// late, POSTs Atlas refuses, a reconciler racing a submission in flight, snapshots gone before approval, audit.
// Each test uses its own (source, snapshot) pair: a job left by one test can never be "adopted" by another.
import { afterAll, describe, expect, it } from 'vitest';
import type { RunningApp } from '../../src/app.js';
import { waitFor } from '../helpers/wait-for.js';
import { APPROVER, GROUP_ID, OUTSIDER, REQUESTER, leaveInSubmitting, requestRestore, useHarness, waitForState, waitForTargetFree } from './conversation-harness.js';

const h = useHarness();

const restorePosts = () => h.atlas.requests.filter((r) => r.method === 'POST' && r.path.includes('restoreJobs'));
const auditOf = async (id: string) => (await h.app.services.store.readAudit(1000)).filter((e) => e.requestId === id);
const cardText = (id: string) => JSON.stringify(h.rootCard(id)?.blocks ?? []);

/** The target is free: a brand-new request for it gets a card (requestRestore throws on an inline error). */
async function targetIsFree(source: string, snapshotIndex: number): Promise<void> {
  await waitForTargetFree(h, source);
  const again = await requestRestore(h, { source, snapshotIndex });
  expect(again.state).toBe('pending_approval');
  await h.click(REQUESTER, 'restore_cancel', again.id);
  await waitForState(h, again.id, 'cancelled');
}

describe('a replica that died during a submission (start-up reconciliation)', () => {
  let replica: RunningApp | undefined;
  afterAll(async () => {
    await replica?.stop();
  });

  it('it may have posted, and no matching job is in Atlas: failed, the thread says to check Atlas, nothing is POSTed', async () => {
    const req = await requestRestore(h, { source: 'legacy', snapshotIndex: 2 });
    await leaveInSubmitting(h, req.id, 10 * 60_000);
    const posts = h.postsToAtlas();

    replica = await h.startReplica(); // its start() reconciles what a crashed replica left behind
    const failed = await waitForState(h, req.id, 'failed');
    expect(failed.failureReason).toMatch(/Check the restore jobs of legacy in Atlas/);
    const text = await h.waitForThread(req.id, /check the restore jobs of/i);
    expect(text).toContain(req.id);
    await waitFor(() => cardText(req.id).includes('Restore failed'), { message: 'card shows failed' });
    expect(h.postsToAtlas()).toBe(posts);
    // The reconciliation looked for the job instead of posting.
    expect(h.atlas.requests.some((r) => r.method === 'GET' && r.path.endsWith('/serverless/legacy/backup/restoreJobs'))).toBe(true);
    await replica.stop();
    replica = undefined;
    await targetIsFree('legacy', 2);
  });

  it('it may have posted, and a matching job created after the intent is in Atlas: adopted, nothing is POSTed', async () => {
    const req = await requestRestore(h, { source: 'legacy', snapshotIndex: 1 });
    await leaveInSubmitting(h, req.id, 10 * 60_000);
    const job = h.atlas.seedRestoreJob({ groupId: GROUP_ID, name: 'legacy' }, { snapshotId: req.snapshot.id, targetGroupId: GROUP_ID, targetClusterName: 'legacy' });
    const posts = h.postsToAtlas();

    replica = await h.startReplica();
    const running = await waitForState(h, req.id, 'running');
    expect(running.atlasJobId).toBe(job.id);
    await h.waitForThread(req.id, /the restore job it created turned up/);
    expect(h.postsToAtlas()).toBe(posts);
    const adopted = (await auditOf(req.id)).find((e) => e.type === 'adopted');
    expect(adopted?.atlasJobId).toBe(job.id);
    // Followed to the end like any submitted restore.
    h.atlas.advanceJob(job.id, 'completed');
    await waitForState(h, req.id, 'completed');
    await h.waitForThread(req.id, /Restore completed/);
    await replica.stop();
    replica = undefined;
  });

  it('it died before the POST could have been sent: submitted again, once, not failed with "check Atlas"', async () => {
    const req = await requestRestore(h, { source: 'ledger', snapshotIndex: 2 });
    await leaveInSubmitting(h, req.id, 10 * 60_000, {}); // `submitting` recorded, no POST claimed
    const posts = h.postsToAtlas();

    replica = await h.startReplica();
    const running = await waitForState(h, req.id, 'running');
    expect(h.postsToAtlas() - posts).toBe(1);
    await h.waitForThread(req.id, /Restore submitted to Atlas/);
    expect(h.threadTexts(req.id).some((t) => /check the restore jobs/i.test(t))).toBe(false);
    h.atlas.advanceJob(running.atlasJobId!, 'completed');
    await waitForState(h, req.id, 'completed');
    await replica.stop();
    replica = undefined;
  });
});

describe('a POST whose outcome is unknown', () => {
  it('timeout, then the job shows up in Atlas: adopted (running, that job id), exactly one POST', async () => {
    const req = await requestRestore(h, { source: 'orders', snapshotIndex: 1 });
    const before = restorePosts().length;
    const posts = h.postsToAtlas();
    h.atlas.inject({ kind: 'hang', method: 'POST', pathIncludes: '/restoreJobs' });
    await h.click(APPROVER, 'restore_approve', req.id);
    // Atlas got the POST but its answer never arrives; meanwhile the job appears.
    await waitFor(() => restorePosts().length > before && restorePosts().at(-1)!.authorized, { message: 'the POST reached Atlas' });
    // At once, with no I/O in between: the job must be there before the client's timeout (2 s) sends the bot looking.
    const job = h.atlas.seedRestoreJob({ groupId: GROUP_ID, name: 'orders' }, { snapshotId: req.snapshot.id, targetGroupId: GROUP_ID, targetClusterName: 'orders' });
    expect((await h.request(req.id))!.state).toBe('submitting');

    const running = await waitForState(h, req.id, 'running', 10_000);
    expect(running.atlasJobId).toBe(job.id);
    expect(h.postsToAtlas() - posts).toBe(1);
    await h.waitForThread(req.id, /the restore job it created turned up/);
    expect((await auditOf(req.id)).map((e) => e.type)).toContain('adopted');
    // Finish it: Atlas refuses a second restore into a cluster that is still being restored.
    h.atlas.advanceJob(job.id, 'completed');
    await waitForState(h, req.id, 'completed');
  });

  it.each([
    ['a 2xx with an empty body', 'empty2xx'],
    ['a connection dropped after Atlas made the job', 'dropAnswer'],
  ] as const)('%s: never "refused"; the job Atlas made is found and followed, one POST', async (_name, kind) => {
    const req = await requestRestore(h, { source: 'ledger', snapshotIndex: 0 });
    const posts = h.postsToAtlas();
    h.atlas.inject({ kind, method: 'POST', pathIncludes: '/restoreJobs' });
    await h.click(APPROVER, 'restore_approve', req.id);
    const running = await waitForState(h, req.id, 'running');
    expect(h.atlas.restoreJobs(GROUP_ID, 'ledger').map((j) => j.id)).toContain(running.atlasJobId);
    expect(h.postsToAtlas() - posts).toBe(1);
    expect(h.threadTexts(req.id).some((t) => /refused/i.test(t))).toBe(false);
    h.atlas.advanceJob(running.atlasJobId!, 'completed');
    await waitForState(h, req.id, 'completed');
  });

  it('500 and no job appears: failed, "check Atlas", one POST only; the target stays locked through the late search', async () => {
    const failedCount = async () => Number(/^atlas_restore_restores_finished_total\{state="failed"\} (\d+)$/m.exec(await h.app.metrics.text())?.[1] ?? 0);
    const failedBefore = await failedCount();
    const req = await requestRestore(h, { source: 'orders', snapshotIndex: 2 });
    const posts = h.postsToAtlas();
    h.atlas.inject({ kind: 'status', status: 500, errorCode: 'UNEXPECTED_ERROR', method: 'POST', pathIncludes: '/restoreJobs' });
    await h.click(APPROVER, 'restore_approve', req.id);

    const failed = await waitForState(h, req.id, 'failed');
    expect(failed.atlasJobId).toBeUndefined();
    expect(failed.lateAdoptUntil).toBeDefined();
    const text = await h.waitForThread(req.id, /Atlas did not confirm/);
    expect(text).toMatch(/check the restore jobs of `shop\/orders`/);
    expect(text).toMatch(/stays locked/);
    expect(h.postsToAtlas() - posts).toBe(1);
    await waitFor(() => cardText(req.id).includes('Restore failed'), { message: 'card shows failed' });
    expect(await h.redis.exists(`${h.prefix}lock:${GROUP_ID}:orders`)).toBe(1);
    expect(await failedCount()).toBe(failedBefore); // not an end while its job may still turn up
    await targetIsFree('orders', 2);
    expect(h.postsToAtlas() - posts).toBe(1);
    await waitFor(async () => (await failedCount()) === failedBefore + 1, { message: 'counted as failed once the late search ended' });
  });

  it('the job turns up after the request was settled: adopted (failed → running) and followed to one final message', async () => {
    const ended = async () => {
      const text = await h.app.metrics.text();
      const count = (state: string) => Number(new RegExp(`^atlas_restore_restores_finished_total\\{state="${state}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
      return { failed: count('failed'), completed: count('completed') };
    };
    const before = await ended();
    const req = await requestRestore(h, { source: 'staging', snapshotIndex: 1 });
    h.atlas.inject({ kind: 'reset', method: 'POST', pathIncludes: '/restoreJobs' });
    await h.click(APPROVER, 'restore_approve', req.id);
    await waitForState(h, req.id, 'failed');
    await h.waitForThread(req.id, /Atlas did not confirm/);

    const job = h.atlas.seedRestoreJob({ groupId: GROUP_ID, name: 'staging' }, { snapshotId: req.snapshot.id, targetGroupId: GROUP_ID, targetClusterName: 'staging' });
    const running = await waitForState(h, req.id, 'running');
    expect(running.atlasJobId).toBe(job.id);
    expect(running.failureReason).toBeUndefined();
    await h.waitForThread(req.id, /turned up in Atlas after all/);
    h.atlas.advanceJob(job.id, 'completed');
    await waitForState(h, req.id, 'completed');
    await h.waitForThread(req.id, /Restore completed/);
    expect(h.threadTexts(req.id).filter((t) => /Restore (completed|failed)/.test(t))).toHaveLength(1);
    expect((await auditOf(req.id)).filter((e) => e.type === 'adopted')).toHaveLength(1);
    await waitForTargetFree(h, 'staging');
    // One request, one end in the metrics: the unconfirmed POST was not an end, its job's completion is.
    expect(await ended()).toEqual({ failed: before.failed, completed: before.completed + 1 });
  });
});

describe('a reconciler on another replica while a submission is in flight', () => {
  it('leaves the submission alone however long the POST takes: one POST, no "check Atlas"', async () => {
    const replica = await h.startReplica({ tracker: { minDelayMs: 50, maxDelayMs: 200, worker: { drainDelay: 1 }, reconcileEveryMs: 100 } });
    try {
      const req = await requestRestore(h, { source: 'ledger', snapshotIndex: 1 });
      const posts = h.postsToAtlas();
      h.atlas.inject({ kind: 'hang', method: 'POST', pathIncludes: '/restoreJobs' });
      await h.click(APPROVER, 'restore_approve', req.id);
      await waitFor(() => h.postsToAtlas() > posts, { message: 'the POST reached Atlas' });
      // The replica reconciles every 100 ms while the POST hangs (2 s client timeout).
      await waitFor(async () => (await h.app.services.store.readAudit(2000)).some((e) => e.type === 'submitting' && e.requestId === req.id));
      const job = h.atlas.seedRestoreJob({ groupId: GROUP_ID, name: 'ledger' }, { snapshotId: req.snapshot.id, targetGroupId: GROUP_ID, targetClusterName: 'ledger' });
      const running = await waitForState(h, req.id, 'running', 10_000);
      expect(running.atlasJobId).toBe(job.id);
      expect(h.postsToAtlas() - posts).toBe(1);
      expect(h.threadTexts(req.id).some((t) => /did not confirm|check the restore jobs/i.test(t))).toBe(false);
      h.atlas.advanceJob(job.id, 'completed');
      await waitForState(h, req.id, 'completed');
    } finally {
      await replica.stop();
    }
  });
});

describe('Atlas refuses the POST', () => {
  it('409 ATLAS_CLUSTER_RESTORE_IN_PROGRESS → failed, the thread shows the code once and what to do, the target is free', async () => {
    const failedCount = async () => Number(/^atlas_restore_restores_finished_total\{state="failed"\} (\d+)$/m.exec(await h.app.metrics.text())?.[1] ?? 0);
    const failedBefore = await failedCount();
    const req = await requestRestore(h, { source: 'ledger', snapshotIndex: 2 });
    const posts = h.postsToAtlas();
    h.atlas.inject({ kind: 'status', status: 409, errorCode: 'ATLAS_CLUSTER_RESTORE_IN_PROGRESS', method: 'POST', pathIncludes: '/restoreJobs' });
    await h.click(APPROVER, 'restore_approve', req.id);

    const failed = await waitForState(h, req.id, 'failed');
    expect(failed.failureReason).toMatch(/A restore is already running on the target cluster/);
    const text = await h.waitForThread(req.id, /ATLAS_CLUSTER_RESTORE_IN_PROGRESS/);
    expect(text.match(/A restore is already running/g)).toHaveLength(1);
    expect(text).not.toMatch(/\/api\/atlas|groups\//);
    // The audit export has no column for the code: an auditor reads it in the detail.
    await waitFor(async () => (await auditOf(req.id)).find((e) => e.type === 'failed')?.detail?.startsWith('Atlas refused the restore job (409 ATLAS_CLUSTER_RESTORE_IN_PROGRESS): '), { message: 'the code in the failed record' });
    expect(h.postsToAtlas() - posts).toBe(1); // refused: never retried
    expect(await failedCount()).toBe(failedBefore + 1); // an end before Atlas did anything counts as failed too
    await waitFor(() => !cardText(req.id).includes('restore_approve'), { message: 'buttons gone' });
    // The card may come after the thread message: a refresh still rendering an earlier state renders this one next.
    await waitFor(() => cardText(req.id).includes('Restore failed'), { message: 'card shows failed' });
    await targetIsFree('ledger', 2);
  });
});

describe('re-validation before the POST', () => {
  it('the snapshot was deleted after the request: nothing is POSTed, the request fails with a clear message', async () => {
    const req = await requestRestore(h, { source: 'ledger', snapshotIndex: 1 });
    const posts = h.postsToAtlas();
    h.atlas.inject({ kind: 'status', status: 404, errorCode: 'SNAPSHOT_NOT_FOUND', pathIncludes: `/snapshots/${req.snapshot.id}` });
    await h.click(APPROVER, 'restore_approve', req.id);

    const failed = await waitForState(h, req.id, 'failed');
    expect(failed.failureReason).toContain(`snapshot \`${req.snapshot.id}\` no longer exists in Atlas`);
    const text = await h.waitForThread(req.id, /no longer exists in Atlas/);
    expect(text).toMatch(/was not submitted/);
    expect(h.postsToAtlas()).toBe(posts);
    expect(h.atlas.requests.some((r) => r.path.endsWith(`/snapshots/${req.snapshot.id}`) && r.status === 404)).toBe(true);
    const refused = (await auditOf(req.id)).find((e) => e.type === 'refused');
    expect(refused?.detail).toMatch(/no longer exists/);
    await targetIsFree('ledger', 1);
  });
});

describe('audit trail', () => {
  it('a full happy path records requested, approved (by whom) and submitted (with the job id)', async () => {
    const req = await requestRestore(h, { source: 'orders', snapshotIndex: 0, reason: 'audit me' });
    await h.click(APPROVER, 'restore_approve', req.id);
    const running = await waitForState(h, req.id, 'running');
    const audit = await waitFor(async () => {
      const entries = await auditOf(req.id);
      return entries.some((e) => e.type === 'submitted') ? entries : undefined;
    });
    const requested = audit.find((e) => e.type === 'requested');
    expect(requested).toMatchObject({ user: REQUESTER });
    expect(requested?.detail).toContain('audit me');
    expect(requested?.detail).toContain(req.snapshot.id);
    expect(audit.find((e) => e.type === 'approved')).toMatchObject({ user: APPROVER });
    expect(audit.find((e) => e.type === 'submitted')).toMatchObject({ atlasJobId: running.atlasJobId });
    const order = audit.map((e) => e.type);
    expect(order.indexOf('requested')).toBeLessThan(order.indexOf('approved'));
    expect(order.indexOf('approved')).toBeLessThan(order.indexOf('submitted'));
    h.atlas.advanceJob(running.atlasJobId!, 'completed');
    await waitForState(h, req.id, 'completed');
  });

  it('a refused click records who was refused and why', async () => {
    const req = await requestRestore(h, { source: 'staging', snapshotIndex: 2 });
    await h.click(OUTSIDER, 'restore_approve', req.id);
    const refused = await waitFor(async () => (await auditOf(req.id)).find((e) => e.type === 'refused' && e.user === OUTSIDER), { message: 'refused audit entry' });
    expect(refused.detail).toMatch(/not an approver/);
    expect((await h.request(req.id))!.state).toBe('pending_approval');
  });
});
