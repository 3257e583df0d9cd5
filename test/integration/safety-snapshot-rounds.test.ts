// The safety snapshot is taken after the last approval (DESIGN.md §6). When the re-check before the POST drops an
// approval, the request waits for approvals again, and the snapshot taken before is of the data as it was then: the
// approval that completes the request again is followed by a new one, and the restore waits for that one.
import { afterEach, describe, expect, it } from 'vitest';
import { parsePolicy } from '../../src/policy/load-policy.js';
import type { RestoreRequest } from '../../src/restore/types.js';
import { waitFor } from '../helpers/wait-for.js';
import { APPROVER, APPROVER_2, DEFAULT_POLICY, policyWith, requestRestore, useHarness, waitForState, type Harness } from './conversation-harness.js';

const h = useHarness();
afterEach(() => {
  h.app.services.policy = parsePolicy(DEFAULT_POLICY, 'test-policy.yaml');
});

const posts = (pathEnd: string) => h.atlas.requests.filter((r) => r.method === 'POST' && r.authorized && r.path.endsWith(pathEnd));
const onDemandPosts = () => posts('/clusters/ledger/backup/snapshots');
const restorePosts = () => posts('/clusters/ledger/backup/restoreJobs');

async function ask(harness: Harness, patch: Partial<RestoreRequest>): Promise<RestoreRequest> {
  const req = await requestRestore(harness, { source: 'ledger' });
  const updated = await harness.app.services.store.update(req.id, ['pending_approval'], patch);
  if (!updated.ok) throw new Error('the request was not pending');
  return updated.request;
}

/** The id of the safety snapshot the request records, once it is not `except`. */
const safetyIdOf = (id: string, except?: string) =>
  waitFor(async () => {
    const s = (await h.request(id))?.safetySnapshot?.id;
    return s !== except ? s : undefined;
  }, { message: `a safety snapshot id other than ${except}` });

/**
 * Approved by APPROVER, who leaves the approvers while Atlas takes the safety snapshot: once it has completed, the
 * re-check before the POST drops that approval and the request waits for approvals again.
 */
async function droppedAfterItsSnapshot(): Promise<{ req: RestoreRequest; first: string; before: { onDemand: number; restores: number } }> {
  const req = await ask(h, { safetySnapshot: { retentionInDays: 2 } });
  const before = { onDemand: onDemandPosts().length, restores: restorePosts().length };
  await h.click(APPROVER, 'restore_approve', req.id);
  const first = await safetyIdOf(req.id);
  h.app.services.policy = parsePolicy(policyWith({ approvers: [APPROVER_2] }), 'test-policy.yaml'); // reloaded
  h.atlas.advanceOnDemandSnapshot(first, 'completed');

  const back = await waitFor(async () => {
    const r = await h.request(req.id);
    return r?.state === 'pending_approval' && r.droppedApprovals?.length ? r : undefined;
  }, { message: 'the request waits for approvals again' });
  // Not taken yet, as before the first approval (the card says it is taken after the last one).
  expect(back.safetySnapshot).toEqual({ retentionInDays: 2, round: 2 });
  expect(back.safetySnapshotClaimedAt).toBeUndefined();
  await h.waitForThread(req.id, /no longer counts/);
  expect(restorePosts().length).toBe(before.restores);
  return { req, first, before };
}

describe('a safety snapshot and approvals dropped before the POST', () => {
  it('the snapshot had completed: after the new approval another one is taken, and the restore waits for it', async () => {
    const { req, first, before } = await droppedAfterItsSnapshot();
    await h.click(APPROVER_2, 'restore_approve', req.id);
    const second = await safetyIdOf(req.id, first);
    expect(onDemandPosts().length - before.onDemand).toBe(2);
    expect(onDemandPosts().at(-1)?.body).toMatchObject({ retentionInDays: 2 });
    await waitFor(async () => (await h.request(req.id))?.safetySnapshot?.status === 'requested', { message: 'the new snapshot under way' });
    expect(restorePosts().length).toBe(before.restores); // the restore waits for the new one

    h.atlas.advanceOnDemandSnapshot(second, 'completed');
    const running = await waitForState(h, req.id, 'running');
    expect(running.safetySnapshot).toMatchObject({ id: second, status: 'completed', round: 2 });
    expect(Date.parse(running.safetySnapshot!.completedAt!)).toBeGreaterThan(Date.parse(running.approvals.at(-1)!.at));
    expect(restorePosts().length - before.restores).toBe(1);
    expect(restorePosts().at(-1)?.body).toMatchObject({ snapshotId: req.snapshot.id });
    h.atlas.advanceJob(running.atlasJobId!, 'completed');
    const final = await h.waitForThread(req.id, /Restore completed/);
    expect(final).toContain(`To undo: restore the safety snapshot \`${second}\``);
  });

  it("the new snapshot's answer is lost: the one looked for and waited for is the new one, not the earlier round's", async () => {
    const { req, first, before } = await droppedAfterItsSnapshot();
    h.atlas.inject({ kind: 'dropAnswer', method: 'POST', pathIncludes: '/clusters/ledger/backup/snapshots' });
    await h.click(APPROVER_2, 'restore_approve', req.id);
    const second = await safetyIdOf(req.id, first);
    expect(onDemandPosts().length - before.onDemand).toBe(2);
    expect(restorePosts().length).toBe(before.restores);
    h.atlas.advanceOnDemandSnapshot(second, 'completed');
    const running = await waitForState(h, req.id, 'running');
    expect(running.safetySnapshot?.id).toBe(second);
    h.atlas.advanceJob(running.atlasJobId!, 'completed');
    await waitForState(h, req.id, 'completed');
  });

  it('a request stored with a snapshot older than its last approval: a new one is taken before the POST', async () => {
    const hourAgo = new Date(Date.now() - 3600_000).toISOString();
    const req = await ask(h, {
      safetySnapshot: { retentionInDays: 1, id: 'OLD-SAFETY-SNAPSHOT', status: 'completed', requestedAt: hourAgo, completedAt: hourAgo },
      safetySnapshotClaimedAt: hourAgo,
    });
    const before = { onDemand: onDemandPosts().length, restores: restorePosts().length };
    await h.click(APPROVER, 'restore_approve', req.id);
    const fresh = await safetyIdOf(req.id, 'OLD-SAFETY-SNAPSHOT');
    expect(onDemandPosts().length - before.onDemand).toBe(1);
    expect(restorePosts().length).toBe(before.restores);
    h.atlas.advanceOnDemandSnapshot(fresh, 'completed');
    const running = await waitForState(h, req.id, 'running');
    expect(running.safetySnapshot?.id).toBe(fresh);
    h.atlas.advanceJob(running.atlasJobId!, 'completed');
    await waitForState(h, req.id, 'completed');
  });
});
