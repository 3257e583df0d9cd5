// The re-check of a point in time before the safety snapshot and the POST (DESIGN.md §6 "Point in time"): continuous
// cloud backup turned off in Atlas while the request waited for its approval. Atlas may keep the schedule's
// restoreWindowDays then (the spec only says it "applies to continuous Cloud Backups"; the fake keeps it), so the
// window alone doesn't say it: the cluster's own `pitEnabled: false` (as recorded for cluster-29) does. Ended before a
// safety snapshot is taken for a restore Atlas would refuse, with one sentence that says why and what to do.
import { afterEach, describe, expect, it } from 'vitest';
import type { RestoreRequest } from '../../src/restore/types.js';
import { waitFor } from '../helpers/wait-for.js';
import { FAST_TRACKER } from '../fakes/config-for-fakes.js';
import { APPROVER, GROUP_ID, requestRestore, useHarness, waitForState, type Harness } from './conversation-harness.js';

// The window is checked every 300 ms while a safety snapshot is taken (10 min in production).
const h = useHarness({ overrides: { tracker: { ...FAST_TRACKER, windowRecheckMs: 300 } } });
const asked: string[] = [];
afterEach(async () => {
  // Atlas takes one on-demand snapshot at a time per cluster: one left queued would hold the next test's.
  for (const id of asked.splice(0)) {
    const snapshot = (await h.request(id))?.safetySnapshot?.id;
    try {
      if (snapshot) h.atlas.advanceOnDemandSnapshot(snapshot, 'failed');
    } catch {
      // already ended
    }
  }
  h.atlas.configureCluster(GROUP_ID, 'ledger', { pitEnabled: true, restoreWindowDays: 7 });
  h.atlas.reset();
});

const posts = (pathEnd: string) => h.atlas.requests.filter((r) => r.method === 'POST' && r.authorized && r.path.endsWith(pathEnd));

async function askPointInTime(harness: Harness, utcSeconds: number): Promise<RestoreRequest> {
  const req = await requestRestore(harness, { source: 'ledger' });
  const updated = await harness.app.services.store.update(req.id, ['pending_approval'], { pointInTime: { utcSeconds }, safetySnapshot: { retentionInDays: 1 } });
  if (!updated.ok) throw new Error('the request was not pending');
  asked.push(req.id);
  return updated.request;
}

describe('a point in time re-checked before the safety snapshot', () => {
  it('continuous cloud backup turned off while the approval waited: ended before the safety snapshot, nothing posted', async () => {
    h.atlas.configureCluster(GROUP_ID, 'ledger', { pitEnabled: true, restoreWindowDays: 7 });
    const utcSeconds = Math.floor(Date.now() / 1000) - 86_400; // a day back: well inside the 7-day window
    const req = await askPointInTime(h, utcSeconds);
    const [snapshotsBefore, restoresBefore] = [posts('/clusters/ledger/backup/snapshots').length, posts('/clusters/ledger/backup/restoreJobs').length];
    h.atlas.configureCluster(GROUP_ID, 'ledger', { pitEnabled: false });
    await h.click(APPROVER, 'restore_approve', req.id);

    const failed = await waitForState(h, req.id, 'failed');
    const at = new Date(utcSeconds * 1000).toISOString().replace('.000Z', 'Z');
    expect(failed.failureReason).toBe(
      `Not submitted: continuous cloud backup is now off for \`shop/ledger\` in Atlas, so it can't be restored to ${at}. The restore was not sent to Atlas; ` +
        'restore a snapshot instead, or turn continuous cloud backup back on and request it again.',
    );
    await h.waitForThread(req.id, /was not submitted: continuous cloud backup is now off for `shop\/ledger`/);
    expect(posts('/clusters/ledger/backup/snapshots')).toHaveLength(snapshotsBefore);
    expect(posts('/clusters/ledger/backup/restoreJobs')).toHaveLength(restoresBefore);
    expect(failed.safetySnapshot?.id).toBeUndefined();
  });

  it('continuous cloud backup still on: the restore is sent to the second the request names', async () => {
    h.atlas.configureCluster(GROUP_ID, 'ledger', { pitEnabled: true, restoreWindowDays: 7 });
    const utcSeconds = Math.floor(Date.now() / 1000) - 86_400;
    const req = await askPointInTime(h, utcSeconds);
    await h.click(APPROVER, 'restore_approve', req.id);
    const snapshotId = await waitFor(async () => (await h.request(req.id))?.safetySnapshot?.id, { message: 'the safety snapshot id' });
    h.atlas.advanceOnDemandSnapshot(snapshotId, 'completed');
    const running = await waitForState(h, req.id, 'running');
    expect(posts('/clusters/ledger/backup/restoreJobs').at(-1)?.body).toMatchObject({ deliveryType: 'pointInTime', pointInTimeUTCSeconds: utcSeconds });
    // The audit of the submission names the time, as the request's did, not only the base snapshot.
    const at = new Date(utcSeconds * 1000).toISOString().replace('.000Z', 'Z');
    const submitting = (await h.app.services.store.readAudit(1000)).find((e) => e.requestId === req.id && e.type === 'submitting');
    expect(submitting?.detail).toBe(`at ${at} (base snapshot ${req.snapshot.id}) → shop/ledger`);
    h.atlas.advanceJob(running.atlasJobId!, 'completed');
    await waitForState(h, req.id, 'completed');
  });

  it('its base snapshot expired while the approval waited: the restore is still sent to the second it names (Atlas picks the base)', async () => {
    h.atlas.configureCluster(GROUP_ID, 'ledger', { pitEnabled: true, restoreWindowDays: 7 });
    const utcSeconds = Math.floor(Date.now() / 1000) - 86_400;
    const req = await requestRestore(h, { source: 'ledger' });
    const updated = await h.app.services.store.update(req.id, ['pending_approval'], { pointInTime: { utcSeconds } });
    if (!updated.ok) throw new Error('the request was not pending');
    h.atlas.inject({ kind: 'status', status: 404, errorCode: 'SNAPSHOT_NOT_FOUND', pathIncludes: `/snapshots/${req.snapshot.id}`, count: 5 });
    await h.click(APPROVER, 'restore_approve', req.id);

    const running = await waitForState(h, req.id, 'running');
    expect(posts('/clusters/ledger/backup/restoreJobs').at(-1)?.body).toMatchObject({ deliveryType: 'pointInTime', pointInTimeUTCSeconds: utcSeconds });
    h.atlas.advanceJob(running.atlasJobId!, 'completed');
    await waitForState(h, req.id, 'completed');
  });

  it('the window shortened in Atlas while the safety snapshot is taken: ended then, not once the snapshot completed; nothing restored, the snapshot kept', async () => {
    h.atlas.configureCluster(GROUP_ID, 'ledger', { pitEnabled: true, restoreWindowDays: 7 });
    const utcSeconds = Math.floor(Date.now() / 1000) - 2 * 86_400;
    const req = await askPointInTime(h, utcSeconds);
    const restoresBefore = posts('/clusters/ledger/backup/restoreJobs').length;
    await h.click(APPROVER, 'restore_approve', req.id);
    const snapshotId = await waitFor(async () => (await h.request(req.id))?.safetySnapshot?.id, { message: 'the safety snapshot id' });
    h.atlas.configureCluster(GROUP_ID, 'ledger', { pitEnabled: true, restoreWindowDays: 1 });

    const failed = await waitForState(h, req.id, 'failed');
    expect(failed.failureReason).toMatch(/^Not submitted: the point in time .* is no longer inside the restore window of `shop\/ledger` \(1 day back from now/);
    expect(failed.failureReason).toContain(`The safety snapshot \`${snapshotId}\` started for it is still being taken by Atlas, which keeps it.`);
    expect(failed.safetySnapshot?.status).toBe('requested'); // not "failed": Atlas goes on taking it
    await h.waitForThread(req.id, /was not submitted: the point in time/);
    expect(posts('/clusters/ledger/backup/restoreJobs')).toHaveLength(restoresBefore);
  });
});
