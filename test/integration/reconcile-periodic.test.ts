// What a crashed replica leaves half-done is settled by the periodic reconciliation, without any restart.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAST_TRACKER } from '../fakes/config-for-fakes.js';
import { APPROVER, leaveInSubmitting, requestRestore, startHarness, waitForState, type Harness } from './conversation-harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ overrides: { tracker: { ...FAST_TRACKER, reconcileEveryMs: 300, findWindowMs: 500, lateAdoptWindowMs: 500 } } });
});
afterAll(async () => {
  await h?.close();
});

describe('periodic reconciliation', () => {
  it('submits a request left approved by a replica that died before recording the intent: one POST', async () => {
    const req = await requestRestore(h, { source: 'orders' });
    const posts = h.postsToAtlas();
    // The approval is recorded, then the replica "dies": nothing else happens on this path.
    const approval = await h.app.services.store.addApproval(req.id, APPROVER, new Date().toISOString());
    expect(approval.complete).toBe(true);
    const running = await waitForState(h, req.id, 'running');
    expect(h.postsToAtlas() - posts).toBe(1);
    expect(running.atlasJobId).toBeDefined();
    await h.waitForThread(req.id, /Restore submitted to Atlas/);
  });

  it('settles a request left submitting with no job in Atlas: failed, told to check Atlas, no POST', async () => {
    const req = await requestRestore(h, { source: 'legacy' });
    const posts = h.postsToAtlas();
    await leaveInSubmitting(h, req.id, 60_000);
    const failed = await waitForState(h, req.id, 'failed');
    expect(failed.failureReason).toMatch(/check the restore jobs/i);
    expect(h.postsToAtlas()).toBe(posts);
    await h.waitForThread(req.id, /did not confirm/);
  });
});
