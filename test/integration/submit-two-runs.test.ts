// Two runs of one request's submit step at once: what BullMQ's stalled-job check makes when a replica's lock renewal
// lapsed (a Redis failover longer than the lock) while its run was still in a slow re-check of the policy. The run
// that read the request before the other claimed the POST must not end it as "nothing was sent to Atlas" while that
// POST is on its way: the restore would run untracked, the target unlocked, the thread told both things.
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAtlasClient } from '../../src/atlas/client.js';
import { createDrillHistory } from '../../src/restore/drill-history.js';
import { createPollIntervalPolicy } from '../../src/restore/poll-interval.js';
import { runRestoreStep } from '../../src/restore/restore-step.js';
import { createRestoreStore } from '../../src/restore/store.js';
import { createTrackerMarks } from '../../src/restore/tracker-marks.js';
import type { RestoreNotifier, SubmissionGate, TrackerContext } from '../../src/restore/tracker-types.js';
import { startFakeAtlas, type FakeAtlas } from '../fakes/fake-atlas.js';
import { waitFor } from '../helpers/wait-for.js';
import { connect, deleteKeys, makeRequest, randomPrefix } from './store-fixtures.js';

const redis = connect();
const prefix = randomPrefix('submit-two-runs');
const store = createRestoreStore({ redis, prefix });
let fake: FakeAtlas;

beforeAll(async () => {
  fake = await startFakeAtlas({ stepsPerState: 0 });
});
afterEach(() => fake.reset());
afterAll(async () => {
  await deleteKeys(redis, prefix);
  redis.disconnect();
  await fake.close();
});

/** Every notifier call but card refreshes, by run. */
function recordingNotifier(calls: string[], run: string): RestoreNotifier {
  return new Proxy({} as RestoreNotifier, {
    get: (_target, method: string) => () => {
      if (method !== 'requestChanged') calls.push(`${run}:${method}`);
      return Promise.resolve();
    },
  });
}

function contextFor(run: string, gate: SubmissionGate, calls: string[]): TrackerContext {
  const policy = createPollIntervalPolicy({ baseSeconds: 0.1, minDelayMs: 20 });
  return {
    store,
    atlas: createAtlasClient({ baseUrl: fake.url, auth: { kind: 'digest', publicKey: fake.publicKey, privateKey: fake.privateKey }, retryPolicy: { maxAttempts: 1 } }),
    notifier: recordingNotifier(calls, run),
    logger: pino({ level: 'silent' }),
    marks: createTrackerMarks({ redis, prefix: `${prefix}tracker:`, leaseMs: 2000, keepSeconds: 3600 }),
    policy,
    random: () => 0.5,
    longRunningAfterMs: 1e9,
    statusUnknownAfterMs: 1e9,
    targetLockTtlSeconds: 600,
    notifyLeaseMs: 2000,
    submission: gate,
    notFoundGraceMs: 120_000,
    findWindowMs: 600_000,
    lateAdoptWindowMs: 3_600_000,
    windowRecheckMs: 600_000,
    settleRetry: { firstDelayMs: 100, maxDelayMs: 1000, horizonMs: 10_000 },
    scheduleApprovalExpiry: () => Promise.resolve(),
    drillHistory: createDrillHistory(redis, `${prefix}drills:`),
  };
}

function held<T = void>(): { promise: Promise<T>; release: (value: T) => void } {
  let release!: (value: T) => void;
  const promise = new Promise<T>((resolve) => (release = resolve));
  return { promise, release };
}

async function approvedRequest() {
  const groupId = randomBytes(12).toString('hex');
  fake.addCluster({ groupId, name: 'orders', type: 'dedicated', snapshots: 1 });
  fake.addCluster({ groupId, name: 'orders-staging', type: 'dedicated', snapshots: 0 });
  const snapshotId = String(fake.snapshots(groupId, 'orders')[0]!.id);
  const now = new Date().toISOString();
  const req = makeRequest({
    id: `RR-${randomBytes(3).toString('hex').toUpperCase()}`,
    state: 'approved',
    approvals: [{ user: 'U0APPROVER', at: now }],
    source: { project: 'shop', groupId, cluster: 'orders', type: 'dedicated' },
    target: { project: 'shop', groupId, cluster: 'orders-staging', type: 'dedicated' },
    snapshot: { id: snapshotId, createdAt: now },
  });
  await store.create(req);
  await store.acquireTargetLock(req.target, req.id, 600);
  return { req, groupId };
}

describe('two runs of one submit step', () => {
  it('an older run whose re-check refuses after the other claimed the POST follows that POST instead of ending the request', async () => {
    const { req, groupId } = await approvedRequest();
    const calls: string[] = [];
    const recheckEntered = held();
    const recheckAnswer = held();
    const postAnswer = held();
    fake.inject({ kind: 'slow', method: 'POST', pathIncludes: '/restoreJobs', until: postAnswer.promise });
    const data = { requestId: req.id, step: 'submit' as const, startedAt: Date.now(), lastChangeAt: Date.now() };

    // The older run: it read the request while approved; its re-check is slow, then refuses.
    const older = contextFor('older', {
      dryRun: () => false,
      recheck: async () => {
        recheckEntered.release();
        await recheckAnswer.promise;
        return { kind: 'refuse', message: 'the requester may no longer request this restore.' };
      },
    }, calls);
    const olderRun = runRestoreStep(older, data);
    await recheckEntered.promise;

    // The run BullMQ handed the job to: its re-check passes, it claims the POST, Atlas holds the answer.
    const newer = contextFor('newer', { dryRun: () => false, recheck: () => Promise.resolve({ kind: 'ok' }) }, calls);
    const newerRun = runRestoreStep(newer, data);
    await waitFor(async () => (await store.get(req.id))?.postStartedAt, { message: 'the newer run claimed the POST' });

    recheckAnswer.release();
    const olderResult = await olderRun;
    postAnswer.release();
    const newerResult = await newerRun;

    const stored = await store.get(req.id);
    const jobs = fake.restoreJobs(groupId, 'orders');
    expect(jobs).toHaveLength(1);
    expect(stored).toMatchObject({ state: 'running', atlasJobId: jobs[0]!.id });
    expect(stored?.failureReason).toBeUndefined();
    expect(calls).not.toContain('older:notSubmitted');
    expect(calls).toContain('newer:submitted');
    // The older run looks for the job it didn't send, it never sends one; the newer one follows its own.
    expect(olderResult).toMatchObject({ kind: 'again', data: { step: 'find' } });
    expect(newerResult).toMatchObject({ kind: 'again', data: { step: 'poll' } });
    // The target stays this request's.
    expect((await store.acquireTargetLock(req.target, 'RR-OTHER', 5)).ok).toBe(false);
  });
});
