// The restore tracker against real Redis (BullMQ), the real store and Atlas client, and the fake Atlas.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterType } from '../../src/atlas/types.js';
import { createRestoreTracker, expiryJobId, restoreJobId } from '../../src/restore/tracker.js';
import type { RestoreRequest } from '../../src/restore/types.js';
import { startFakeAtlas, type FakeAtlas } from '../fakes/fake-atlas.js';
import { waitFor } from '../helpers/wait-for.js';
import { atlasClientFor, hex24, quietLogger, recordingNotifier, TrackerHarness } from './tracker-harness.js';

let fake: FakeAtlas;
beforeAll(async () => {
  fake = await startFakeAtlas({ stepsPerState: 0 });
});
afterAll(async () => {
  await fake.close();
});

async function waitForState(h: TrackerHarness, id: string, state: RestoreRequest['state'], timeoutMs = 8000): Promise<RestoreRequest> {
  return waitFor(async () => {
    const r = await h.store.get(id);
    return r?.state === state ? r : null;
  }, { timeoutMs, message: `request ${id} to be ${state}` });
}

describe('following restores to their end', () => {
  let h: TrackerHarness;
  beforeAll(async () => {
    h = new TrackerHarness(fake);
    await h.startTracker('A');
  });
  afterAll(async () => h.cleanup());

  const cases: [ClusterType, 'completed' | 'failed' | 'cancelled' | 'expired'][] = [
    ['flex', 'completed'],
    ['flex', 'failed'],
    ['dedicated', 'completed'],
    ['dedicated', 'failed'],
    ['dedicated', 'cancelled'],
    ['dedicated', 'expired'],
    ['serverless', 'completed'],
    ['serverless', 'failed'],
    ['serverless', 'cancelled'],
    ['serverless', 'expired'],
  ];

  it.each(cases)('%s restore → %s', async (type, outcome) => {
    const { req, jobId } = await h.seedRunning(type);
    const tracker = await h.startTracker(`T-${req.id}`); // another replica (A) runs too: it makes no difference
    await tracker.track(req.id);
    await tracker.track(req.id); // enqueuing twice is harmless

    if (type === 'flex') {
      // Flex jobs start PENDING: the move to RUNNING is announced once, then recorded.
      fake.advanceJob(jobId, 'running');
      await waitFor(() => h.callsFor(req.id, 'jobStateChanged').length > 0, { message: 'jobStateChanged' });
      await waitFor(async () => (await h.store.get(req.id))?.lastJobState === 'running', { message: 'lastJobState running' });
    }
    fake.advanceJob(jobId, outcome, 'disk full');
    const final = await waitForState(h, req.id, outcome);
    await waitFor(() => h.callsFor(req.id, 'restoreFinished').length > 0, { message: 'restoreFinished' });

    expect(final.lastJobState).toBe(outcome);
    expect(final.finishedAt).toBeTruthy();
    if (outcome === 'completed') expect(final.failureReason).toBeUndefined();
    else expect(final.failureReason).toMatch(/failed|cancelled|expired/);
    const finished = h.callsFor(req.id, 'restoreFinished');
    expect(finished).toHaveLength(1);
    expect(finished[0]).toMatchObject({ jobState: outcome, requestState: outcome });
    expect(h.callsFor(req.id, 'jobStateChanged').map((c) => c.jobState)).toEqual(type === 'flex' ? ['running'] : []);
    expect(h.callsFor(req.id, 'trackingLost')).toHaveLength(0);
    expect(await h.lockIsFree(req)).toBe(true);
    const audit = await h.store.readAudit(200);
    expect(audit.filter((e) => e.requestId === req.id && e.type === 'finished')).toHaveLength(1);
    // The poll job completed (not failed).
    const job = await h.queue().getJob(restoreJobId(req.id));
    await waitFor(async () => (await job?.getState()) === 'completed', { message: 'poll job completed' });
  });

  it('keeps following through Atlas 500s and a 429 with Retry-After', async () => {
    const { req, jobId } = await h.seedRunning('dedicated');
    const tracker = await h.startTracker('faults');
    fake.inject({ kind: 'status', status: 500, count: 3, pathIncludes: jobId });
    fake.inject({ kind: 'status', status: 429, errorCode: 'RATE_LIMITED', retryAfterSeconds: 1, count: 1, pathIncludes: jobId });
    await tracker.track(req.id);
    await waitFor(() => fake.requests.some((r) => r.path.includes(jobId) && r.status === 429), { message: 'the 429' });
    const at429 = fake.requests.findIndex((r) => r.path.includes(jobId) && r.status === 429);
    // Nothing asks again for the job before Retry-After has passed. Timed by the fake as the requests came in, not
    // when this test saw them: a test that notices the 429 late would measure a shorter wait than the tracker's.
    await waitFor(() => fake.requests.slice(at429 + 1).some((r) => r.path.includes(jobId) && r.status === 200), { message: 'a poll after the 429' });
    const next = fake.requests.slice(at429 + 1).find((r) => r.path.includes(jobId))!;
    expect(next.receivedAt - fake.requests[at429]!.receivedAt).toBeGreaterThanOrEqual(1000);
    fake.advanceJob(jobId, 'completed');
    await waitForState(h, req.id, 'completed');
    await waitFor(() => h.callsFor(req.id, 'restoreFinished').length === 1, { message: 'restoreFinished' });
    expect(fake.requests.filter((r) => r.path.includes(jobId) && r.status === 500)).toHaveLength(3);
    expect(h.callsFor(req.id, 'statusUnknown')).toHaveLength(0); // the outage was short
  });

  it('job not found (404) after the read-after-write grace → tracking lost, request failed, lock released, job given up', async () => {
    // Submitted ten minutes ago: well past the grace of every tracker on this queue.
    const { req } = await h.seedRunning('flex', { atlasJobId: hex24(), submittedAt: new Date(Date.now() - 10 * 60_000).toISOString() });
    const tracker = await h.startTracker('lost');
    await tracker.track(req.id);
    const failed = await waitForState(h, req.id, 'failed');
    await waitFor(() => h.callsFor(req.id, 'trackingLost').length === 1, { message: 'trackingLost' });
    expect(failed.failureReason).toMatch(/lost track/);
    expect(h.callsFor(req.id, 'trackingLost')[0]?.error).toMatch(/RESTORE_JOB_NOT_FOUND/);
    expect(h.callsFor(req.id, 'restoreFinished')).toHaveLength(0);
    expect(await h.lockIsFree(req)).toBe(true);
    const job = await h.queue().getJob(restoreJobId(req.id));
    await waitFor(async () => (await job?.getState()) === 'failed', { message: 'poll job failed (UnrecoverableError)' });
    expect(job?.attemptsMade).toBeLessThanOrEqual(1);
  });

  it('a 404 right after the POST is Atlas lagging, not a lost job: the restore is followed to its end', async () => {
    const { req, jobId } = await h.seedRunning('dedicated', { submittedAt: new Date().toISOString() });
    fake.inject({ kind: 'status', status: 404, errorCode: 'RESTORE_JOB_NOT_FOUND', count: 3, pathIncludes: jobId });
    const tracker = await h.startTracker('lag', { notFoundGraceMs: 60_000 });
    await tracker.track(req.id);
    await waitFor(() => fake.requests.filter((r) => r.path.endsWith(jobId) && r.status === 200).length > 0, { message: 'Atlas serves the job' });
    expect((await h.store.get(req.id))?.state).toBe('running');
    fake.advanceJob(jobId, 'completed');
    await waitForState(h, req.id, 'completed');
    await waitFor(() => h.callsFor(req.id, 'restoreFinished').length === 1, { message: 'restoreFinished' });
    expect(h.callsFor(req.id, 'trackingLost')).toHaveLength(0);
  });

  it.each([
    ['a revoked API key (401)', 401, 'USER_UNAUTHORIZED'],
    ["the bot's IP dropped from the access list (403)", 403, 'IP_ADDRESS_NOT_ON_ACCESS_LIST'],
  ])('%s while polling: said once, polling goes on, the lock is kept, one final message once Atlas answers', async (_name, status, errorCode) => {
    const { req, jobId } = await h.seedRunning('flex');
    fake.inject({ kind: 'status', status, errorCode, count: 3, pathIncludes: jobId });
    const tracker = await h.startTracker('access');
    await tracker.track(req.id);
    await waitFor(() => h.callsFor(req.id, 'accessProblem').length === 1, { message: 'accessProblem' });
    expect(h.callsFor(req.id, 'accessProblem')[0]?.error).toContain(`${status} ${errorCode}`);
    // The fault runs out; Atlas answers again.
    await waitFor(() => fake.requests.filter((r) => r.path.endsWith(jobId) && r.status === 200).length > 0, { message: 'Atlas answers again' });
    const still = await h.store.get(req.id);
    expect(still?.state).toBe('running');
    expect(await h.lockIsFree(req)).toBe(false);
    fake.advanceJob(jobId, 'completed');
    await waitForState(h, req.id, 'completed');
    await waitFor(() => h.callsFor(req.id, 'restoreFinished').length === 1, { message: 'restoreFinished' });
    expect(h.callsFor(req.id, 'accessProblem')).toHaveLength(1);
    expect(h.callsFor(req.id, 'trackingLost')).toHaveLength(0);
    expect((await h.store.get(req.id))?.waitingFor).toBeUndefined();
  });

  it('stops at once for a request that is missing or already final', async () => {
    const { req } = await h.seedRunning('dedicated');
    await h.store.transition(req.id, ['running'], 'cancelled', {});
    const tracker = await h.startTracker('final');
    await tracker.track(req.id);
    await tracker.track('RR-NOSUCH');
    const q = h.queue();
    await waitFor(async () => (await (await q.getJob(restoreJobId(req.id)))?.getState()) === 'completed', { message: 'job completed' });
    await waitFor(async () => (await (await q.getJob(restoreJobId('RR-NOSUCH')))?.getState()) === 'completed', { message: 'job completed' });
    expect(h.callsFor(req.id)).toHaveLength(0);
  });

  it('rejects bad input clearly', async () => {
    const tracker = await h.startTracker('input');
    await expect(tracker.track('')).rejects.toThrow(/request id must be a non-empty string/);
    await expect(tracker.track('a:b')).rejects.toThrow(/without ":"/);
    await expect(tracker.scheduleApprovalExpiry('RR-X', new Date('nope'))).rejects.toThrow(/valid Date/);
    await expect(h.startTracker('bad', { pollIntervalSeconds: 0 })).rejects.toThrow(/POLL_INTERVAL_SECONDS/);
    await expect(h.startTracker('bad', { prefix: 'x:' })).rejects.toThrow(/prefix must be/);
    await expect(h.startTracker('bad', { concurrency: -1 })).rejects.toThrow(/concurrency must be a number > 0/);
  });
});

describe('long restores and long outages', () => {
  let h: TrackerHarness;
  beforeAll(() => {
    h = new TrackerHarness(fake);
  });
  afterAll(async () => h.cleanup());

  it('warns once when a restore runs long, once per outage when Atlas cannot be asked, and still finishes', async () => {
    const { req, jobId } = await h.seedRunning('dedicated', { submittedAt: new Date(Date.now() - 60_000).toISOString() });
    const tracker = await h.startTracker('slow', { longRunningAfterMinutes: 0.5, statusUnknownAfterMinutes: 0.005, maxDelayMs: 300 });
    await tracker.track(req.id);
    await waitFor(() => h.callsFor(req.id, 'longRunning').length === 1, { message: 'longRunning' });
    expect(h.callsFor(req.id, 'longRunning')[0]?.runningForMs).toBeGreaterThanOrEqual(60_000);

    fake.inject({ kind: 'status', status: 503, count: 1000, pathIncludes: jobId });
    await waitFor(() => h.callsFor(req.id, 'statusUnknown').length === 1, { message: 'statusUnknown' });
    const failedSoFar = () => fake.requests.filter((r) => r.path.includes(jobId) && r.status === 503).length;
    const seen = failedSoFar();
    await waitFor(() => failedSoFar() >= seen + 3, { message: 'more failed polls' });
    expect(h.callsFor(req.id, 'statusUnknown')).toHaveLength(1);
    expect(h.callsFor(req.id, 'statusUnknown')[0]?.error).toMatch(/503/);
    expect((await h.store.get(req.id))?.state).toBe('running');

    fake.reset(); // the outage ends
    fake.advanceJob(jobId, 'completed');
    await waitForState(h, req.id, 'completed');
    await waitFor(() => h.callsFor(req.id, 'restoreFinished').length === 1, { message: 'restoreFinished' });
    expect(h.callsFor(req.id, 'longRunning')).toHaveLength(1);
    expect(h.callsFor(req.id, 'statusUnknown')).toHaveLength(1);
  });

  it('retries a final notification that failed, and delivers it once', async () => {
    // A harness of its own: the trackers of the test above would take the job otherwise.
    const h = new TrackerHarness(fake);
    let failuresLeft = 2;
    const { req, jobId } = await h.seedRunning('serverless');
    const tracker = await h.startTracker('flaky-slack', {
      notifier: recordingNotifier(h.calls, 'flaky', {
        restoreFinished: async () => {
          if (failuresLeft-- > 0) throw new Error('slack is down');
        },
      }),
    });
    await tracker.track(req.id);
    fake.advanceJob(jobId, 'completed');
    await waitFor(() => h.callsFor(req.id, 'restoreFinished').length === 1, { message: 'restoreFinished' });
    expect(failuresLeft).toBeLessThan(0);
    expect((await h.store.get(req.id))?.state).toBe('completed');
    const audit = await h.store.readAudit(200);
    expect(audit.filter((e) => e.requestId === req.id && e.type === 'finished')).toHaveLength(1);
    await h.cleanup();
  });
});

describe('approval expiry and reconcile', () => {
  let h: TrackerHarness;
  beforeAll(() => {
    h = new TrackerHarness(fake);
  });
  afterAll(async () => h.cleanup());

  it('expires a pending approval when its time comes, once, and not an approved one', async () => {
    const tracker = await h.startTracker('expiry');
    const pending = await h.seedPending(300);
    const approved = await h.seedPending(300);
    await h.store.transition(approved.id, ['pending_approval'], 'approved', {});
    await Promise.all([
      tracker.scheduleApprovalExpiry(pending.id, new Date(pending.approvalExpiresAt)),
      tracker.scheduleApprovalExpiry(pending.id, new Date(pending.approvalExpiresAt)),
      tracker.scheduleApprovalExpiry(approved.id, new Date(approved.approvalExpiresAt)),
    ]);
    await waitForState(h, pending.id, 'approval_expired');
    await waitFor(() => h.callsFor(pending.id, 'approvalExpired').length === 1, { message: 'approvalExpired' });
    expect(await h.lockIsFree(pending)).toBe(true);
    const q = h.queue();
    await waitFor(async () => (await (await q.getJob(expiryJobId(approved.id)))?.getState()) === 'completed', { message: 'approved expiry job done' });
    expect((await h.store.get(approved.id))?.state).toBe('approved');
    expect(h.callsFor(approved.id)).toHaveLength(0);
    const audit = await h.store.readAudit(200);
    expect(audit.filter((e) => e.requestId === pending.id && e.type === 'approval_expired')).toHaveLength(1);
  });

  it('waits for a moved expiry instead of expiring early', async () => {
    const tracker = await h.startTracker('moved');
    const req = await h.seedPending(60_000);
    await tracker.scheduleApprovalExpiry(req.id, new Date(Date.now() + 50)); // stale schedule: earlier than stored
    const q = h.queue();
    await waitFor(async () => {
      const job = await q.getJob(expiryJobId(req.id));
      return job && (await job.getState()) === 'delayed' && job.delay > 30_000;
    }, { message: 'expiry job re-delayed to the stored expiry' });
    expect((await h.store.get(req.id))?.state).toBe('pending_approval');
  });

  it('reconcile: follows running requests without a job, expires overdue approvals, gives a submission without a job its job', async () => {
    const h2 = new TrackerHarness(fake);
    try {
      const { req: running, jobId } = await h2.seedRunning('dedicated');
      const overdue = await h2.seedPending(-1000);
      const future = await h2.seedPending(60_000);
      const submitting = await h2.seedPending(60_000);
      // A POST was claimed, then its replica died: the new job looks for the Atlas job, it never posts.
      await h2.store.transition(submitting.id, ['pending_approval'], 'submitting', { postStartedAt: new Date().toISOString() });
      // Two replicas start at once and both reconcile: every effect still happens once.
      const trackers = await Promise.all(['R1', 'R2'].map((name) => h2.startTracker(name)));
      const results = await Promise.all(trackers.map((t) => t.reconcile()));
      expect(results.reduce((n, r) => n + r.expired, 0)).toBe(1);
      expect(results.reduce((n, r) => n + r.resumed, 0)).toBeGreaterThanOrEqual(2);
      expect(await (await h2.queue().getJob(restoreJobId(submitting.id)))?.getState()).toMatch(/^(waiting|active|delayed)$/);

      await waitFor(() => h2.callsFor(overdue.id, 'approvalExpired').length === 1, { message: 'approvalExpired' });
      expect((await h2.store.get(overdue.id))?.state).toBe('approval_expired');
      const q = h2.queue();
      expect(await (await q.getJob(expiryJobId(future.id)))?.getState()).toBe('delayed');

      fake.advanceJob(jobId, 'completed');
      await waitForState(h2, running.id, 'completed');
      await waitFor(() => h2.callsFor(running.id, 'restoreFinished').length === 1, { message: 'restoreFinished' });
      // Once more: nothing left to do.
      expect(await trackers[0]?.reconcile()).toEqual({ resumed: 0, expired: 0 });
      expect(h2.callsFor(overdue.id)).toHaveLength(1);
    } finally {
      await h2.cleanup();
    }
  });
});

describe('without a running worker', () => {
  it('track() only enqueues; the job waits for a worker', async () => {
    const h = new TrackerHarness(fake);
    try {
      const tracker = createRestoreTracker({
        connection: h.redis,
        prefix: h.bullPrefix,
        store: h.store,
        atlas: atlasClientFor(fake),
        notifier: recordingNotifier(h.calls, 'idle'),
        logger: quietLogger,
        pollIntervalSeconds: 1,
      });
      await tracker.track('RR-IDLE');
      expect(await (await h.queue().getJob(restoreJobId('RR-IDLE')))?.getState()).toBe('waiting');
      await tracker.close();
    } finally {
      await h.cleanup();
    }
  });
});
