// The restore's job for the newer kinds (DESIGN.md §1, §6), through the real app against the fake Atlas: a
// collection restore (CREATE_NEW) with its progress in the thread and each namespace in the final message, a
// point-in-time restore, and the safety snapshot of the target (taken and waited for, failing, another on-demand
// snapshot in progress, a restart in the middle). Requests are made through the form as whole-cluster requests and
// given the newer fields before the approval (the form's own tests cover how a user asks for them).
import { describe, expect, it } from 'vitest';
import type { RestoreRequest } from '../../src/restore/types.js';
import { waitFor } from '../helpers/wait-for.js';
import { APPROVER, GROUP_ID, requestRestore, useHarness, waitForState, type Harness } from './conversation-harness.js';

async function ask(h: Harness, source: string, patch: Partial<RestoreRequest>, target = source): Promise<RestoreRequest> {
  const req = await requestRestore(h, { source, target });
  const updated = await h.app.services.store.update(req.id, ['pending_approval'], patch);
  if (!updated.ok) throw new Error('the request was not pending');
  return updated.request;
}
const posts = (h: Harness, pathEnd: string) => h.atlas.requests.filter((r) => r.method === 'POST' && r.authorized && r.path.endsWith(pathEnd));

describe('collection restores and point in time (Atlas moves one step per poll)', () => {
  const h = useHarness({ stepsPerState: 1 });

  it('CREATE_NEW: progress at 25, 50 and 75 % once each, then each namespace with where it went', async () => {
    h.atlas.configureCluster(GROUP_ID, 'ledger', { namespaces: [{ name: 'sales.orders', documents: 1200 }, { name: 'sales.customers', documents: 400 }] });
    const req = await ask(h, 'ledger', { namespaces: [{ sourceNamespace: 'sales.orders' }, { sourceNamespace: 'sales.customers' }], writeStrategy: 'CREATE_NEW', indexStrategy: 'ALL' });
    await h.click(APPROVER, 'restore_approve', req.id);
    const done = await waitForState(h, req.id, 'completed', 15_000);
    const [post] = posts(h, '/clusters/ledger/collectionRestoreJobs');
    expect(post?.body).toMatchObject({ writeStrategy: 'CREATE_NEW', indexStrategy: 'ALL', snapshotId: req.snapshot.id, collections: [{ sourceNamespace: 'sales.orders' }, { sourceNamespace: 'sales.customers' }] });
    expect(posts(h, '/backup/restoreJobs')).toHaveLength(0);
    for (const pct of [25, 50, 75]) expect(h.threadTexts(req.id).filter((t) => t.includes(`: ${pct} % restored`))).toHaveLength(1);
    const final = await h.waitForThread(req.id, /Restore completed/);
    expect(final).toContain('`sales.orders`, `sales.customers` (2 namespaces)');
    expect(final).toMatch(/`sales\.orders` → `sales\.orders_restored`: restored, 1,200 of 1,200 documents/);
    expect(done.namespaceResults).toHaveLength(2);
  });

  it('a collection restore whose answer was lost is found and followed, never posted twice', async () => {
    // A database the source has: one Atlas doesn't find would end the request failed (collection-restore-outcome.test.ts).
    h.atlas.configureCluster(GROUP_ID, 'ledger', { namespaces: [{ name: 'crm.users', documents: 10 }] });
    const req = await ask(h, 'ledger', { namespaces: [{ sourceNamespace: 'crm' }], writeStrategy: 'CREATE_NEW' }, 'staging');
    const before = posts(h, '/clusters/ledger/collectionRestoreJobs').length;
    h.atlas.inject({ kind: 'dropAnswer', method: 'POST', pathIncludes: '/collectionRestoreJobs' });
    await h.click(APPROVER, 'restore_approve', req.id);
    const done = await waitForState(h, req.id, 'completed', 15_000);
    expect(posts(h, '/clusters/ledger/collectionRestoreJobs').length - before).toBe(1);
    expect(posts(h, '/clusters/ledger/collectionRestoreJobs').at(-1)?.body).toMatchObject({ databases: [{ sourceNamespace: 'crm' }] });
    expect(done.atlasJobId).toBe(h.atlas.collectionRestoreJobs(GROUP_ID, 'ledger')[0]?.['id']);
    expect((await h.app.services.store.readAudit(500)).some((e) => e.requestId === req.id && e.type === 'adopted')).toBe(true);
  });

  it('point in time: the restore job is a pointInTime one, to the second the request names', async () => {
    h.atlas.configureCluster(GROUP_ID, 'staging', { pitEnabled: true, restoreWindowDays: 2 });
    const utcSeconds = Math.floor(Date.now() / 1000) - 600;
    const req = await ask(h, 'staging', { pointInTime: { utcSeconds } });
    await h.click(APPROVER, 'restore_approve', req.id);
    await waitForState(h, req.id, 'completed', 15_000);
    const [post] = posts(h, '/clusters/staging/backup/restoreJobs');
    expect(post?.body).toMatchObject({ deliveryType: 'pointInTime', pointInTimeUTCSeconds: utcSeconds, targetClusterName: 'staging' });
    expect(post?.body).not.toHaveProperty('snapshotId');
    const final = await h.waitForThread(req.id, /Restore completed/);
    expect(final).toContain(`the point in time ${new Date(utcSeconds * 1000).toISOString().slice(0, 19).replace('T', ' ')} UTC`);
  });
});

describe('the safety snapshot of the target (Atlas moves when the test says)', () => {
  const h = useHarness();
  const onDemandPosts = () => posts(h, '/clusters/ledger/backup/snapshots');
  const restorePosts = () => posts(h, '/clusters/ledger/backup/restoreJobs');
  const safetyIdOf = (id: string) => waitFor(async () => (await h.request(id))?.safetySnapshot?.id, { message: 'the safety snapshot id' });

  it('is taken after the approval; the restore waits for it, survives a restart, and the final message says how to undo', async () => {
    const req = await ask(h, 'ledger', { safetySnapshot: { retentionInDays: 3 } });
    await h.click(APPROVER, 'restore_approve', req.id);
    const id = await safetyIdOf(req.id);
    expect(onDemandPosts()).toHaveLength(1);
    expect(onDemandPosts()[0]?.body).toMatchObject({ retentionInDays: 3 });
    await h.waitForThread(req.id, /Taking a safety snapshot/);
    expect(restorePosts()).toHaveLength(0);
    // While Atlas takes it, only the safety snapshot is asked about: the re-checks wait until right before the POST.
    const gets = (path: string) => h.atlas.requests.filter((r) => r.method === 'GET' && r.authorized && r.path.endsWith(path)).length;
    const recheckGets = gets(`/snapshots/${req.snapshot.id}`);
    const followed = gets(`/snapshots/${id}`);
    await waitFor(() => gets(`/snapshots/${id}`) >= followed + 3, { message: 'three polls of the safety snapshot' });
    expect(gets(`/snapshots/${req.snapshot.id}`)).toBe(recheckGets);

    await h.restart(); // in the middle of the safety snapshot
    h.atlas.advanceOnDemandSnapshot(id, 'inProgress');
    h.atlas.advanceOnDemandSnapshot(id, 'completed');
    const running = await waitForState(h, req.id, 'running');
    expect(onDemandPosts()).toHaveLength(1);
    expect(restorePosts()).toHaveLength(1);
    await h.waitForThread(req.id, /Safety snapshot .* completed/);
    h.atlas.advanceJob(running.atlasJobId!, 'completed');
    const final = await h.waitForThread(req.id, /Restore completed/);
    expect(final).toContain(`To undo: restore the safety snapshot \`${id}\``);
    const audit = (await h.app.services.store.readAudit(500)).filter((e) => e.requestId === req.id).map((e) => e.type);
    expect(audit.indexOf('safety_snapshot_requested')).toBeLessThan(audit.indexOf('safety_snapshot_completed'));
    expect(audit.indexOf('safety_snapshot_completed')).toBeLessThan(audit.indexOf('submitted'));
  });

  it('a failed safety snapshot: nothing is restored, and the thread says so', async () => {
    const req = await ask(h, 'ledger', { safetySnapshot: { retentionInDays: 1 } });
    const before = restorePosts().length;
    await h.click(APPROVER, 'restore_approve', req.id);
    h.atlas.advanceOnDemandSnapshot(await safetyIdOf(req.id), 'failed');
    const failed = await waitForState(h, req.id, 'failed');
    expect(failed.failureReason).toMatch(/safety snapshot .* failed/);
    await h.waitForThread(req.id, new RegExp(`was not submitted: the safety snapshot .* A new request is needed: run \`/atlas-restore ${req.source.project}/${req.source.cluster} ${req.snapshot.id} to ${req.target.project}/${req.target.cluster}\`; a new safety snapshot is taken after its approval\\.`));
    expect(restorePosts().length).toBe(before);
    expect((await h.app.services.store.readAudit(500)).some((e) => e.requestId === req.id && e.type === 'safety_snapshot_failed')).toBe(true);
  });

  it('a snapshot that outlasts the approval: a passing fault right after it waits, and the restore is still sent', async () => {
    const req = await ask(h, 'ledger', { safetySnapshot: { retentionInDays: 1 } });
    await h.click(APPROVER, 'restore_approve', req.id);
    const id = await safetyIdOf(req.id);
    // As if Atlas had taken two hours: the approval and its grace ran out while the snapshot was under way.
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000).toISOString();
    const aged = await h.app.services.store.update(req.id, ['approved', 'submitting'], {
      submitBy: new Date(Date.now() - 3600_000).toISOString(),
      approvalExpiresAt: twoHoursAgo,
      approvals: (await h.request(req.id))!.approvals.map((a) => ({ ...a, at: twoHoursAgo })),
    });
    expect(aged.ok).toBe(true);
    h.atlas.inject({ kind: 'status', status: 503, count: 2, method: 'GET', pathIncludes: `/snapshots/${req.snapshot.id}` });
    h.atlas.advanceOnDemandSnapshot(id, 'completed');
    await h.waitForThread(req.id, /Safety snapshot .* completed/);
    const running = await waitForState(h, req.id, 'running');
    expect(restorePosts().filter((p) => (p.body as { snapshotId?: string }).snapshotId === req.snapshot.id)).toHaveLength(1);
    h.atlas.advanceJob(running.atlasJobId!, 'completed');
    await waitForState(h, req.id, 'completed');
  });

  it('another on-demand snapshot in progress on the target: the safety snapshot waits for it', async () => {
    const req = await ask(h, 'ledger', { safetySnapshot: { retentionInDays: 1 } });
    h.atlas.inject({ kind: 'status', status: 400, errorCode: 'UNFINISHED_ON_DEMAND_SNAPSHOT', count: 2, method: 'POST', pathIncludes: '/clusters/ledger/backup/snapshots' });
    await h.click(APPROVER, 'restore_approve', req.id);
    await h.waitForThread(req.id, /already taking an on-demand snapshot/);
    const id = await safetyIdOf(req.id);
    h.atlas.advanceOnDemandSnapshot(id, 'completed');
    const running = await waitForState(h, req.id, 'running');
    h.atlas.advanceJob(running.atlasJobId!, 'completed');
    await waitForState(h, req.id, 'completed');
  });

  it('a point in time that left the window while waiting for the approval: ended before the safety snapshot, nothing posted', async () => {
    h.atlas.configureCluster(GROUP_ID, 'ledger', { pitEnabled: true, restoreWindowDays: 2 });
    // Asked for 40 minutes ago, for a time then 10 minutes inside the 2-day window (no margin), approved now: 30 minutes out.
    const madeAt = Date.now() - 40 * 60_000;
    const utcSeconds = Math.floor(madeAt / 1000) - 2 * 86_400 + 10 * 60;
    const req = await ask(h, 'ledger', { pointInTime: { utcSeconds }, safetySnapshot: { retentionInDays: 1 } });
    const [snapshotsBefore, restoresBefore] = [onDemandPosts().length, restorePosts().length];
    await h.click(APPROVER, 'restore_approve', req.id);
    const failed = await waitForState(h, req.id, 'failed');
    const at = new Date(utcSeconds * 1000).toISOString().replace('.000Z', 'Z');
    expect(failed.failureReason).toMatch(new RegExp(`^Not submitted: the point in time ${at} is no longer inside the restore window of \`shop/ledger\` \\(2 days back from now: from \\S+ on\\); the window moved past it while the request waited`));
    await h.waitForThread(req.id, /was not submitted: the point in time .* is no longer inside the restore window .* request it again with a later time\. Nothing was restored\./);
    expect(onDemandPosts()).toHaveLength(snapshotsBefore);
    expect(restorePosts()).toHaveLength(restoresBefore);
    expect(failed.safetySnapshot?.id).toBeUndefined();
  });

  it('a point in time that left the window while the safety snapshot was taken: nothing restored, the snapshot named', async () => {
    h.atlas.configureCluster(GROUP_ID, 'ledger', { pitEnabled: true, restoreWindowDays: 3 });
    const utcSeconds = Math.floor(Date.now() / 1000) - 2 * 86_400 - 3600;
    const req = await ask(h, 'ledger', { pointInTime: { utcSeconds }, safetySnapshot: { retentionInDays: 1 } });
    const restoresBefore = restorePosts().length;
    await h.click(APPROVER, 'restore_approve', req.id);
    const id = await safetyIdOf(req.id);
    // The window's start passes the time while Atlas takes the snapshot (here the window is shortened, to the same effect).
    h.atlas.configureCluster(GROUP_ID, 'ledger', { restoreWindowDays: 2 });
    h.atlas.advanceOnDemandSnapshot(id, 'completed');
    const failed = await waitForState(h, req.id, 'failed');
    expect(failed.failureReason).toContain('is no longer inside the restore window of `shop/ledger` (2 days back from now');
    expect(failed.failureReason).toContain(`The safety snapshot \`${id}\` taken for it stays in Atlas.`);
    expect(restorePosts()).toHaveLength(restoresBefore);
  });
});
