// Several replicas follow the same restores: each state change is announced once, and a replica that
// dies mid-poll (or mid-notification) hands its restores to another without losing or doubling a message.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { restoreJobId } from '../../src/restore/tracker.js';
import { startFakeAtlas, type FakeAtlas } from '../fakes/fake-atlas.js';
import { waitFor } from '../helpers/wait-for.js';
import { atlasClientFor, recordingNotifier, TrackerHarness } from './tracker-harness.js';

let fake: FakeAtlas;
let h: TrackerHarness;
beforeAll(async () => {
  fake = await startFakeAtlas({ stepsPerState: 0 });
});
afterAll(async () => {
  await fake.close();
});
afterEach(async () => {
  await h.cleanup();
  fake.reset();
});

describe('two trackers on separate Redis connections', () => {
  it('announce each state change of each restore exactly once', async () => {
    h = new TrackerHarness(fake);
    const trackers = await Promise.all([h.startTracker('A'), h.startTracker('B')]);
    const restores = await Promise.all(Array.from({ length: 12 }, (_, i) => h.seedRunning(i % 2 === 0 ? 'flex' : 'dedicated')));
    // Both replicas enqueue every restore, concurrently.
    await Promise.all(restores.flatMap(({ req }) => trackers.map((t) => t.track(req.id))));

    for (const { req, jobId } of restores) if (req.source.type === 'flex') fake.advanceJob(jobId, 'running');
    await waitFor(async () => {
      const all = await Promise.all(restores.map(({ req }) => h.store.get(req.id)));
      return all.every((r) => r?.lastJobState === 'running');
    }, { timeoutMs: 10_000, message: 'every job running' });
    for (const { jobId } of restores) fake.advanceJob(jobId, 'completed');
    await waitFor(async () => {
      const all = await Promise.all(restores.map(({ req }) => h.store.get(req.id)));
      return all.every((r) => r?.state === 'completed') && restores.every(({ req }) => h.callsFor(req.id, 'restoreFinished').length > 0);
    }, { timeoutMs: 10_000, message: 'every restore completed and announced' });

    for (const { req } of restores) {
      expect(h.callsFor(req.id, 'restoreFinished'), req.id).toHaveLength(1);
      expect(h.callsFor(req.id, 'jobStateChanged').map((c) => c.jobState), req.id).toEqual(req.source.type === 'flex' ? ['running'] : []);
    }
    // Both replicas did work (BullMQ spreads the jobs); neither doubled anything.
    expect(new Set(h.calls.map((c) => c.by)).size).toBeGreaterThanOrEqual(1);
    const audit = await h.store.readAudit(500);
    expect(audit.filter((e) => e.type === 'finished')).toHaveLength(restores.length);
  });
});

describe('a replica that dies', () => {
  it('mid-poll: the other takes the stalled job over and announces the end once', async () => {
    h = new TrackerHarness(fake);
    const { req, jobId } = await h.seedRunning('dedicated');
    // A's next request for this job hangs: A is "mid-poll" when it dies.
    fake.inject({ kind: 'hang', pathIncludes: jobId, count: 1 });
    const a = await h.startTracker('A', { atlas: atlasClientFor(fake, 60_000) });
    await a.track(req.id);
    await waitFor(() => fake.requests.some((r) => r.path.includes(jobId) && r.authorized && r.status === 0), { message: 'A mid-poll' });
    await a.close({ force: true });
    a.redis.disconnect();

    fake.advanceJob(jobId, 'completed');
    await h.startTracker('B');
    await waitFor(async () => (await h.store.get(req.id))?.state === 'completed', { timeoutMs: 15_000, message: 'B finishes the restore' });
    await waitFor(() => h.callsFor(req.id, 'restoreFinished').length === 1, { message: 'restoreFinished' });
    expect(h.callsFor(req.id)).toEqual([expect.objectContaining({ method: 'restoreFinished', by: 'B' })]);
    const job = await h.queue().getJob(restoreJobId(req.id));
    await waitFor(async () => (await job?.getState()) === 'completed', { message: 'poll job completed' });
  });

  it('between the final store write and the notification: the other delivers it, once', async () => {
    h = new TrackerHarness(fake);
    const { req, jobId } = await h.seedRunning('flex');
    let aReachedNotify = false;
    // A records the end in the store, then hangs inside the Slack call, then dies.
    const a = await h.startTracker('A', {
      notifier: recordingNotifier(h.calls, 'A', {
        restoreFinished: () => {
          aReachedNotify = true;
          return new Promise<void>(() => undefined);
        },
      }),
    });
    await a.track(req.id);
    fake.advanceJob(jobId, 'completed');
    await waitFor(() => aReachedNotify, { message: 'A inside restoreFinished' });
    expect((await h.store.get(req.id))?.state).toBe('completed');
    await a.close({ force: true });
    a.redis.disconnect();

    await h.startTracker('B');
    // B waits for A's notification lease (2 s) to lapse, then delivers.
    await waitFor(() => h.callsFor(req.id, 'restoreFinished').length === 1, { timeoutMs: 15_000, message: 'B announces the end' });
    expect(h.callsFor(req.id, 'restoreFinished')[0]?.by).toBe('B');
    const job = await h.queue().getJob(restoreJobId(req.id));
    await waitFor(async () => (await job?.getState()) === 'completed', { message: 'poll job completed' });
    expect(h.callsFor(req.id, 'restoreFinished')).toHaveLength(1);
    const audit = await h.store.readAudit(100);
    expect(audit.filter((e) => e.requestId === req.id && e.type === 'finished')).toHaveLength(1);
    expect(await h.lockIsFree(req)).toBe(true);
  });

  it('graceful close lets the in-progress poll finish', async () => {
    h = new TrackerHarness(fake);
    const { req, jobId } = await h.seedRunning('flex');
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let entered = false;
    const a = await h.startTracker('A', {
      notifier: recordingNotifier(h.calls, 'A', {
        jobStateChanged: async () => {
          entered = true;
          await gate;
        },
      }),
    });
    await a.track(req.id);
    fake.advanceJob(jobId, 'running');
    await waitFor(() => entered, { message: 'A inside jobStateChanged' });
    const closed = a.close();
    release();
    await closed;
    expect(h.callsFor(req.id, 'jobStateChanged')).toHaveLength(1);
    expect((await h.store.get(req.id))?.lastJobState).toBe('running');
    // The job was delayed again, not lost: another replica carries on.
    const job = await h.queue().getJob(restoreJobId(req.id));
    expect(await job?.getState()).toBe('delayed');
  });
});
