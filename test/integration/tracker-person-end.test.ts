// Reject and Cancel end a request through the tracker: recorded with an intent, then settled as a step (lock, audit,
// one last word), like every other end. And when the process that recorded the end died before it handed the request
// to its job, the request's expiry job, armed since it was made, settles it.
import { describe, expect, it, onTestFinished } from 'vitest';
import { createTrackerMarks } from '../../src/restore/tracker-marks.js';
import type { RecheckResult } from '../../src/restore/tracker-types.js';
import { waitFor } from '../helpers/wait-for.js';
import { recordingNotifier, TrackerHarness, useTrackerHarness } from './tracker-harness.js';

const world = useTrackerHarness();

describe('a person ends a pending request', () => {
  it('is settled once: the lock freed, one audit entry, one last word; a second click finds it ended', async () => {
    const { h } = world;
    const tracker = await h.startTracker('reject');
    const req = await h.seedPending(60_000);
    const [first, second] = await Promise.all([
      tracker.endByPerson(req.id, 'rejected', 'U0APPROVER', { rejectedBy: 'U0APPROVER' }),
      tracker.endByPerson(req.id, 'cancelled', req.requester, { cancelledBy: req.requester }),
    ]);
    const ended = first ?? second;
    expect([first, second].filter(Boolean)).toHaveLength(1);
    await waitFor(() => h.callsFor(req.id, 'endedByPerson').length === 1, { message: 'the last word' });
    expect(h.callsFor(req.id, 'endedByPerson')[0]?.requestState).toBe(ended?.state);
    expect(await h.lockIsFree(req)).toBe(true);
    const audit = (await h.store.readAudit(200)).filter((e) => e.requestId === req.id);
    expect(audit).toEqual([expect.objectContaining({ type: ended?.state })]);
    // Settled by the click itself: no job was needed (a replica of the version before could take one in an upgrade).
    expect(await h.queue().getJob(`end-${req.id}`)).toBeUndefined();
    expect(await tracker.endByPerson(req.id, 'rejected', 'U0OTHERAPPROVER', { rejectedBy: 'U0OTHERAPPROVER' })).toBeNull();
    expect(h.callsFor(req.id, 'endedByPerson')).toHaveLength(1);
  });

  it('rejected while the restore job that sent it back to pending (an approval dropped) is still busy: settled all the same', async () => {
    // A queue of its own: the other tests' trackers have no submission gate, and would take this restore job.
    const h = new TrackerHarness(world.fake);
    onTestFinished(() => h.cleanup());
    let announcing = false;
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let rechecks = 0;
    const tracker = await h.startTracker('drop', {
      // The restore job stays on its step, telling the thread which approval was dropped, while the Reject comes in.
      notifier: recordingNotifier(h.calls, 'drop', { approvalsDropped: async () => { announcing = true; await held; } }),
      submission: {
        dryRun: () => false,
        recheck: (req) => Promise.resolve<RecheckResult>(rechecks++ === 0 ? { kind: 'drop', dropped: [{ user: 'U0APPROVER', at: req.approvals[0]!.at, why: 'left the group' }] } : { kind: 'ok' }),
      },
    });
    const req = await h.seedPending(120_000);
    expect((await h.store.transition(req.id, ['pending_approval'], 'approved', { approvals: [{ user: 'U0APPROVER', at: new Date().toISOString() }] })).ok).toBe(true);
    await tracker.track(req.id);
    await waitFor(() => announcing, { message: 'the restore job announcing the dropped approval' });
    expect((await h.store.get(req.id))?.state).toBe('pending_approval');
    expect((await tracker.endByPerson(req.id, 'rejected', 'U0OTHER', {}))?.state).toBe('rejected');
    release();
    await waitFor(() => h.callsFor(req.id, 'endedByPerson').length === 1, { message: 'the last word of the Reject' });
    expect((await h.store.readAudit(200)).filter((e) => e.requestId === req.id && e.type === 'rejected')).toHaveLength(1);
  });

  it('recorded by a process that died before handing it on: the expiry job settles it at the approval expiry', async () => {
    const { h } = world;
    const tracker = await h.startTracker('net');
    const req = await h.seedPending(300);
    await tracker.scheduleApprovalExpiry(req.id, new Date(req.approvalExpiresAt));
    // What the click handler had done when it died: the intent, then the compare-and-set; no job, no lock release.
    const marks = createTrackerMarks({ redis: h.redis, prefix: `${h.bullPrefix}:tracker:`, leaseMs: 2000, keepSeconds: 3600 });
    const token = await marks.setIntent(req.id, { kind: 'cancelled', by: req.requester });
    expect((await h.store.transition(req.id, ['pending_approval'], 'cancelled', { cancelledBy: req.requester, finalIntentToken: token })).ok).toBe(true);

    await waitFor(() => h.callsFor(req.id, 'endedByPerson').length === 1, { message: 'the last word, from the expiry job' });
    expect(await h.lockIsFree(req)).toBe(true);
    expect((await h.store.readAudit(200)).filter((e) => e.requestId === req.id && e.type === 'cancelled')).toHaveLength(1);
    expect((await h.store.get(req.id))?.state).toBe('cancelled');
  });
});
