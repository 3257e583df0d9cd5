// The safety snapshot's POST under faults (DESIGN.md §5: an approved request is never thrown away by a passing
// fault). A 500, a hang or a dropped socket on the POST leaves its outcome unknown: the bot looks for the snapshot by
// its description, and when none turns up within the find window, nothing was taken, so it takes it again (a second
// on-demand snapshot of the target costs storage, never data; Atlas takes one at a time anyway). The request only
// ends at its horizon. A 409 (another operation on the target) is "not now": asked again. A refusal ends the request
// with Atlas's own words. Faults come from the fake Atlas; the passing of time is written into the stored request.
import { afterEach, describe, expect, it } from 'vitest';
import type { RestoreRequest } from '../../src/restore/types.js';
import { waitFor } from '../helpers/wait-for.js';
import { APPROVER, GROUP_ID, requestRestore, useHarness, waitForState, type Harness } from './conversation-harness.js';

const h = useHarness();
const taken: string[] = [];
afterEach(() => {
  h.atlas.configureCluster(GROUP_ID, 'ledger', { backupEnabled: true });
  // Atlas takes one on-demand snapshot at a time per cluster: one left queued would hold the next test's.
  for (const id of taken.splice(0)) {
    try {
      h.atlas.advanceOnDemandSnapshot(id, 'failed');
    } catch {
      // already ended
    }
  }
  h.atlas.reset();
});

const onDemandPosts = () => h.atlas.requests.filter((r) => r.method === 'POST' && r.authorized && r.path.endsWith('/clusters/ledger/backup/snapshots'));
const restorePosts = () => h.atlas.requests.filter((r) => r.method === 'POST' && r.authorized && r.path.endsWith('/clusters/ledger/backup/restoreJobs'));

async function askWithSafetySnapshot(harness: Harness): Promise<RestoreRequest> {
  const asked = await requestRestore(harness, { source: 'ledger' });
  const updated = await harness.app.services.store.update(asked.id, ['pending_approval'], { safetySnapshot: { retentionInDays: 1 } });
  if (!updated.ok) throw new Error('the request was not pending');
  return updated.request;
}

/** Writes the passing of time into the stored request: the unconfirmed POST was claimed `agoMs` ago. */
async function claimedAgo(harness: Harness, requestId: string, agoMs: number): Promise<void> {
  const aged = await harness.app.services.store.update(requestId, ['approved', 'submitting'], { safetySnapshotClaimedAt: new Date(Date.now() - agoMs).toISOString() });
  expect(aged.ok).toBe(true);
}

describe('the safety snapshot POST under faults', () => {
  it.each([
    ['answered 500', { kind: 'status' as const, status: 500, errorCode: 'UNEXPECTED_ERROR' }],
    ['dropped (socket reset)', { kind: 'reset' as const }],
  ])('%s, nothing taken: after the find window it is taken again, and the restore goes on', async (_name, fault) => {
    const req = await askWithSafetySnapshot(h);
    const [snapshotsBefore, restoresBefore] = [onDemandPosts().length, restorePosts().length];
    h.atlas.inject({ ...fault, count: 1, method: 'POST', pathIncludes: '/clusters/ledger/backup/snapshots' });
    await h.click(APPROVER, 'restore_approve', req.id);
    // The POST failed and its outcome is unknown: the bot looks for the snapshot instead of taking another at once.
    await waitFor(async () => (await h.request(req.id))?.safetySnapshotClaimedAt, { message: 'the claimed, unconfirmed POST' });
    await waitFor(() => h.atlas.requests.some((r) => r.method === 'GET' && r.authorized && r.path.endsWith('/clusters/ledger/backup/snapshots')), { message: 'the look for the snapshot' });
    expect(onDemandPosts().length - snapshotsBefore).toBeLessThanOrEqual(1); // a socket reset before the answer may leave it unrecorded
    // None turned up within the find window (10 min): nothing was taken.
    await claimedAgo(h, req.id, 11 * 60_000);

    const id = await waitFor(async () => {
      const now = await h.request(req.id);
      if (now?.state === 'failed') throw new Error(`the approved request was ended: ${now.failureReason}`);
      return now?.safetySnapshot?.id;
    }, { message: 'the safety snapshot taken again' });
    taken.push(id);
    // Said once in the thread, the way every wait before the POST is.
    const said = await h.waitForThread(req.id, /not submitted yet: Atlas did not confirm the safety snapshot of the target, and none turned up among its snapshots: it is taken again/);
    expect(h.threadTexts(req.id).filter((t) => t === said)).toHaveLength(1);
    expect(restorePosts().length).toBe(restoresBefore);
    h.atlas.advanceOnDemandSnapshot(id, 'completed');
    const running = await waitForState(h, req.id, 'running');
    expect(running.safetySnapshot).toMatchObject({ id, status: 'completed' });
    expect(restorePosts().length - restoresBefore).toBe(1);
    h.atlas.advanceJob(running.atlasJobId!, 'completed');
    await waitForState(h, req.id, 'completed');
  });
});

describe('the safety snapshot refused by Atlas', () => {
  it('409, another operation on the target (not recorded for backups): nothing was taken, so it is asked for again, and the restore goes on', async () => {
    const req = await askWithSafetySnapshot(h);
    const [snapshotsBefore, restoresBefore] = [onDemandPosts().length, restorePosts().length];
    h.atlas.inject({ kind: 'status', status: 409, errorCode: 'CLUSTER_OPERATION_IN_PROGRESS', detail: 'An update of cluster ledger is in progress.', count: 2, method: 'POST', pathIncludes: '/clusters/ledger/backup/snapshots' });
    await h.click(APPROVER, 'restore_approve', req.id);
    const said = await h.waitForThread(req.id, /not submitted yet: Atlas can.t take the safety snapshot of the target yet, another operation on it being under way “An update of cluster ledger is in progress.”; it is asked for again until Atlas takes it/);
    expect(said).toContain('An update of cluster ledger is in progress.');
    const id = await waitFor(async () => {
      const now = await h.request(req.id);
      if (now?.state === 'failed') throw new Error(`the approved request was ended: ${now.failureReason}`);
      return now?.safetySnapshot?.id;
    }, { message: 'the safety snapshot taken once Atlas takes it' });
    taken.push(id);
    expect(onDemandPosts().length - snapshotsBefore).toBe(3);
    h.atlas.advanceOnDemandSnapshot(id, 'completed');
    const running = await waitForState(h, req.id, 'running');
    expect(restorePosts().length - restoresBefore).toBe(1);
    h.atlas.advanceJob(running.atlasJobId!, 'completed');
    await waitForState(h, req.id, 'completed');
  });

  it("cloud backup turned off after the request: the request ends with nothing restored, and the thread gives Atlas's own reason", async () => {
    const req = await askWithSafetySnapshot(h);
    const restoresBefore = restorePosts().length;
    // Turned off in Atlas while the request waited for its approval (the form had found it on).
    h.atlas.configureCluster(GROUP_ID, 'ledger', { backupEnabled: false });
    await h.click(APPROVER, 'restore_approve', req.id);
    const failed = await waitForState(h, req.id, 'failed');
    // The fake's code and detail for it (not recorded): whatever Atlas says, its detail is what tells the user why.
    expect(failed.failureReason).toContain('Atlas refused the safety snapshot of the target (400 BACKUP_NOT_ENABLED: “Cloud backup is not enabled for cluster ledger.”)');
    expect(failed.failureReason).toContain('so nothing was restored.');
    const said = await h.waitForThread(req.id, /was not submitted: Atlas refused the safety snapshot of the target/);
    expect(said).toContain('Cloud backup is not enabled for cluster ledger.');
    expect(restorePosts().length).toBe(restoresBefore);
  });
});
