// A proxy or load balancer between the bot and Atlas answering 404 (or 400, 410) with a web page of its own: no ApiError,
// no X-Error-Code, which every Atlas error carries. That is not Atlas saying the job is gone: a running restore is
// followed on (its target kept locked) and ends with one final message once Atlas answers again, instead of being
// ended "tracking lost" with its lock released while Atlas goes on restoring into the target.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RestoreRequest } from '../../src/restore/types.js';
import { startFakeAtlas, type FakeAtlas } from '../fakes/fake-atlas.js';
import { waitFor } from '../helpers/wait-for.js';
import { TrackerHarness } from './tracker-harness.js';

let fake: FakeAtlas;
let h: TrackerHarness;
beforeAll(async () => {
  fake = await startFakeAtlas({ stepsPerState: 0 });
  h = new TrackerHarness(fake);
});
afterAll(async () => {
  await h.cleanup();
  await fake.close();
});

async function waitForState(id: string, state: RestoreRequest['state']): Promise<RestoreRequest> {
  return waitFor(async () => {
    const r = await h.store.get(id);
    return r?.state === state ? r : null;
  }, { message: `request ${id} to be ${state}` });
}

describe("a proxy's error page while a restore runs", () => {
  it.each([404, 410])('%i as a web page, past the read-after-write grace: the restore is followed on, locked, to its one end', async (status) => {
    // Submitted ten minutes ago: well past the grace, where Atlas's own 404 would mean the job is gone.
    const { req, jobId } = await h.seedRunning('dedicated', { submittedAt: new Date(Date.now() - 10 * 60_000).toISOString() });
    fake.inject({ kind: 'html', status, count: 6, method: 'GET', pathIncludes: jobId });
    const tracker = await h.startTracker(`proxy-${status}`);
    await tracker.track(req.id);
    await waitFor(() => fake.requests.filter((r) => r.path.endsWith(jobId) && r.status === 200).length > 0 || h.callsFor(req.id, 'trackingLost').length > 0, {
      message: 'Atlas serving the job again, or the tracking given up',
    });
    expect(h.callsFor(req.id, 'trackingLost')).toHaveLength(0);
    expect((await h.store.get(req.id))?.state).toBe('running');
    expect(await h.lockIsFree(req)).toBe(false);
    fake.advanceJob(jobId, 'completed');
    await waitForState(req.id, 'completed');
    await waitFor(() => h.callsFor(req.id, 'restoreFinished').length === 1, { message: 'restoreFinished' });
    expect(h.callsFor(req.id, 'trackingLost')).toHaveLength(0);
  });
});
