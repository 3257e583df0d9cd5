// A running restore whose polls fail first with an outage (5xx, warned about as "status unknown") and then, in the same
// failure streak, with 401s (the key was rotated): the thread still says what to fix (DESIGN.md §5), once each.
import { describe, expect, it } from 'vitest';
import type { RestoreRequest } from '../../src/restore/types.js';
import { waitFor } from '../helpers/wait-for.js';
import { useTrackerHarness } from './tracker-harness.js';

const world = useTrackerHarness();

async function waitForState(id: string, state: RestoreRequest['state']): Promise<RestoreRequest> {
  return waitFor(async () => {
    const r = await world.h.store.get(id);
    return r?.state === state ? r : null;
  }, { timeoutMs: 8000, message: `request ${id} to be ${state}` });
}

describe('an access problem after an outage, in one failure streak', () => {
  it('503s long enough for "status unknown", then 401s: the key problem is said too, once; one final message', async () => {
    const { h, fake } = world;
    const { req, jobId } = await h.seedRunning('dedicated');
    const tracker = await h.startTracker('outage-then-key', { statusUnknownAfterMinutes: 0.005, maxDelayMs: 200 });
    fake.inject({ kind: 'status', status: 503, count: 10_000, pathIncludes: jobId });
    await tracker.track(req.id);
    await waitFor(() => h.callsFor(req.id, 'statusUnknown').length === 1, { message: 'statusUnknown' });

    // In the same tick: no poll can succeed in between, so the failure streak goes on with 401s.
    fake.reset();
    fake.inject({ kind: 'status', status: 401, errorCode: 'USER_UNAUTHORIZED', count: 10_000, pathIncludes: jobId });
    await waitFor(() => h.callsFor(req.id, 'accessProblem').length === 1, { message: 'accessProblem after the outage warning' });
    expect(h.callsFor(req.id, 'accessProblem')[0]?.error).toContain('401 USER_UNAUTHORIZED');
    const refused = () => fake.requests.filter((r) => r.path.endsWith(jobId) && r.status === 401 && r.authorized).length;
    const seen = refused();
    await waitFor(() => refused() >= seen + 3, { message: 'more refused polls' });
    expect(h.callsFor(req.id, 'accessProblem')).toHaveLength(1);
    expect(h.callsFor(req.id, 'statusUnknown')).toHaveLength(1);
    expect((await h.store.get(req.id))?.state).toBe('running');
    expect(await h.lockIsFree(req)).toBe(false);

    fake.reset(); // the key is fixed
    fake.advanceJob(jobId, 'completed');
    await waitForState(req.id, 'completed');
    await waitFor(() => h.callsFor(req.id, 'restoreFinished').length === 1, { message: 'restoreFinished' });
    expect(h.callsFor(req.id, 'accessProblem')).toHaveLength(1);
  });
});
