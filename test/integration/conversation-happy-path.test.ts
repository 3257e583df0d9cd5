import { describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait-for.js';
import { APPROVER, GROUP_ID, REQUESTER, snapshotIdOf, useHarness } from './conversation-harness.js';

const h = useHarness();

describe.each([
  ['orders', 'flex'],
  ['ledger', 'dedicated'],
  ['legacy', 'serverless'],
  ['staging', 'detected (dedicated)'],
])('the whole conversation for %s (%s)', (cluster) => {
  it('command → modal → card → approval → one POST → thread follows the restore to "Restore completed"', async () => {
    const snapshotId = snapshotIdOf(h, cluster, 1);
    const postsBefore = h.postsToAtlas();
    const cmd = await h.command(REQUESTER, `shop/${cluster} ${snapshotId}`);
    expect(cmd.status).toBe(200);

    const modal = await h.loadedModal(REQUESTER, (v) => JSON.stringify(v.blocks).includes(snapshotId) && JSON.stringify(v.blocks).includes(`shop/${cluster}`));
    const blocksText = JSON.stringify(modal.blocks);
    expect(blocksText).toMatch(/replaces ALL data/);
    // Pre-filled from the command: the snapshot is selected.
    expect(blocksText).toContain(`"initial_option":{"text":{"type":"plain_text","text"`);

    const submitted = await h.submitModal(modal, REQUESTER, { snapshotId, confirmation: cluster, reason: 'orders.status index dropped' });
    expect(submitted.status).toBe(200);
    expect(submitted.json ?? null).toBeNull(); // closes the modal: no errors

    const req = await waitFor(async () => {
      const r = await h.latestRequest();
      return r.target.cluster === cluster && r.cardTs ? r : undefined;
    });
    expect(req.state).toBe('pending_approval');
    expect(req.snapshot.id).toBe(snapshotId);
    const card = h.rootCard(req.id)!;
    expect(JSON.stringify(card.blocks)).toContain('"action_id":"restore_approve"');
    expect(JSON.stringify(card.blocks)).toContain(`"value":"${req.id}"`);

    await h.click(APPROVER, 'restore_approve', req.id);
    const running = await waitFor(async () => {
      const r = await h.request(req.id);
      return r?.state === 'running' ? r : undefined;
    });
    expect(running.atlasJobId).toMatch(/^[0-9a-f]{24}$/);
    expect(running.approvals.map((a) => a.user)).toEqual([APPROVER]);
    expect(h.postsToAtlas() - postsBefore).toBe(1);
    await h.waitForThread(req.id, /Restore submitted to Atlas/);
    // Buttons gone for everyone but the cancel of a dedicated restore; "approved by" shown.
    await waitFor(() => !JSON.stringify(h.rootCard(req.id)!.blocks).includes('restore_approve'));
    expect(JSON.stringify(h.rootCard(req.id)!.blocks)).toContain(APPROVER);

    // While it runs, the scrape shows it (read from Redis): in flight, and how long it has been running.
    const during = await (await fetch(`${h.url}/metrics`)).text();
    expect(during).toMatch(/^atlas_restore_requests_in_flight\{state="running"\} [1-9]/m);
    expect(Number(/^atlas_restore_oldest_running_restore_seconds (\S+)$/m.exec(during)?.[1])).toBeGreaterThan(0);

    const job = h.atlas.restoreJobs(GROUP_ID, cluster).find((j) => j.id === running.atlasJobId)!;
    expect(job).toBeDefined();
    h.atlas.advanceJob(String(job.id), 'running');
    h.atlas.advanceJob(String(job.id), 'completed');
    const final = await h.waitForThread(req.id, /Restore completed/);
    expect(final).toContain(running.atlasJobId!);
    expect(final).toContain(`<@${REQUESTER}>`);
    const done = await waitFor(async () => {
      const r = await h.request(req.id);
      return r?.state === 'completed' ? r : undefined;
    });
    expect(done.finishedAt).toBeDefined();
    // The target is free again: a new request for it is accepted.
    expect(await h.app.services.store.acquireTargetLock(done.target, 'RR-PROBE1', 5)).toEqual({ ok: true });
    await h.app.services.store.releaseTargetLock(done.target, 'RR-PROBE1');
    const metrics = await (await fetch(`${h.url}/metrics`)).text();
    expect(metrics).toMatch(/atlas_restore_restores_finished_total\{state="completed"\} [1-9]/);
    expect(metrics).toMatch(/atlas_restore_atlas_calls_total\{endpoint="POST [a-zA-Z]+\/restoreJobs",status="200"\} [1-9]/);
    expect(metrics).toMatch(/atlas_restore_slack_requests_total\{kind="command",outcome="ok"\} [1-9]/);
    const audit = (await h.app.services.store.readAudit(200)).filter((e) => e.requestId === req.id).map((e) => e.type);
    expect(audit).toEqual(expect.arrayContaining(['requested', 'approved', 'submitting', 'submitted', 'finished']));
  });
});
