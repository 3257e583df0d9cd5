// Every approval counts only while its approver is still allowed by the current policy (DESIGN.md §5): re-checked
// just before the POST, also when a restarted replica finishes the submission. An approval that no longer counts
// is dropped (card and thread say whose and why) and the request waits for the approvals it still needs.
import { describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait-for.js';
import { APPROVER, APPROVER_2, OUTSIDER, REQUESTER, policyWith, requestRestore, useHarness, waitForState } from './conversation-harness.js';
import { parsePolicy } from '../../src/policy/load-policy.js';
import { createRestoreStore } from '../../src/restore/store.js';

const THIRD = 'U0APPROVE3';
const policyOf = (approvers: string[], requesters = [REQUESTER]) => policyWith({ approvers, requesters, required: 2 });
const ALL = [APPROVER, APPROVER_2, THIRD];

const h = useHarness({ policyYaml: policyOf(ALL) });
const cardText = (id: string) => JSON.stringify(h.rootCard(id)?.blocks ?? []);

describe('approvals re-checked before the POST', () => {
  it('an approver removed by a policy reload between the two approvals: dropped, the request waits, a third completes it', async () => {
    h.app.services.policy = parsePolicy(policyOf(ALL), 'test-policy.yaml');
    const req = await requestRestore(h, { source: 'ledger', snapshotIndex: 0 });
    const posts = h.postsToAtlas();
    await h.click(APPROVER, 'restore_approve', req.id);
    await waitFor(async () => (await h.request(req.id))?.approvals.length === 1, { message: 'first approval' });
    // APPROVER leaves the approvers (the policy file changed and was reloaded).
    h.app.services.policy = parsePolicy(policyOf([APPROVER_2, THIRD]), 'test-policy.yaml');
    await h.click(APPROVER_2, 'restore_approve', req.id);

    const back = await waitFor(async () => {
      const r = await h.request(req.id);
      return r?.state === 'pending_approval' && r.droppedApprovals?.length ? r : undefined;
    }, { message: 'the request waits for approvals again' });
    expect(back.approvals.map((a) => a.user)).toEqual([APPROVER_2]);
    expect(back.droppedApprovals?.[0]).toMatchObject({ user: APPROVER });
    const text = await h.waitForThread(req.id, /no longer counts/);
    expect(text).toContain(`<@${APPROVER}>`);
    expect(text).toMatch(/no longer an approver/);
    await waitFor(() => cardText(req.id).includes('restore_approve') && cardText(req.id).includes('no longer counts'), { message: 'card: buttons back, dropped approval shown' });
    expect(h.postsToAtlas()).toBe(posts);

    await h.click(THIRD, 'restore_approve', req.id);
    const running = await waitForState(h, req.id, 'running');
    expect(running.approvals.map((a) => a.user)).toEqual([APPROVER_2, THIRD]);
    expect(h.postsToAtlas() - posts).toBe(1);
    const audit = (await h.app.services.store.readAudit(500)).filter((e) => e.requestId === req.id);
    expect(audit.some((e) => e.type === 'refused' && e.user === APPROVER && /no longer counts/.test(e.detail ?? ''))).toBe(true);
    h.atlas.advanceJob(running.atlasJobId!, 'completed');
    await waitForState(h, req.id, 'completed');
  });

  it('a replica restarted after the last approval re-checks with the policy it reads now', async () => {
    h.app.services.policy = parsePolicy(policyOf(ALL), 'test-policy.yaml');
    const req = await requestRestore(h, { source: 'orders', snapshotIndex: 0 });
    const posts = h.postsToAtlas();
    await h.app.stop();
    // Both approvals were recorded, then the replica died before its job ran (the store is written directly).
    const store = createRestoreStore({ redis: h.redis, prefix: h.prefix });
    const at = new Date().toISOString();
    await store.addApproval(req.id, APPROVER, at);
    expect((await store.addApproval(req.id, APPROVER_2, at)).complete).toBe(true);
    h.setPolicy(policyOf([APPROVER, THIRD])); // APPROVER_2 is no approver in the file the new replica reads
    await h.restart();

    const back = await waitForState(h, req.id, 'pending_approval');
    await waitFor(async () => (await h.request(req.id))?.droppedApprovals?.some((d) => d.user === APPROVER_2), { message: 'APPROVER_2 dropped' });
    expect(back.approvals.map((a) => a.user)).toContain(APPROVER);
    await h.waitForThread(req.id, /no longer counts/);
    expect(h.postsToAtlas()).toBe(posts);
    h.setPolicy(policyOf(ALL));
    await h.restart();
    await h.click(REQUESTER, 'restore_cancel', req.id);
    await waitForState(h, req.id, 'cancelled');
  });

  it('an approval dropped after the approval window closed: the thread says whose and why, then the request expires', async () => {
    h.app.services.policy = parsePolicy(policyOf(ALL), 'test-policy.yaml');
    const req = await requestRestore(h, { source: 'staging', snapshotIndex: 0 });
    const posts = h.postsToAtlas();
    await h.app.stop();
    // Both approvals came in time, then the replica died; its restore job runs again only after the window closed.
    const store = createRestoreStore({ redis: h.redis, prefix: h.prefix });
    const at = new Date().toISOString();
    await store.addApproval(req.id, APPROVER, at);
    expect((await store.addApproval(req.id, APPROVER_2, at)).complete).toBe(true);
    expect((await store.update(req.id, ['approved'], { approvalExpiresAt: new Date(Date.now() - 1000).toISOString() })).ok).toBe(true);
    h.setPolicy(policyOf([APPROVER, THIRD])); // APPROVER_2 is no approver any more
    await h.restart();

    const ended = await waitForState(h, req.id, 'approval_expired');
    expect(ended.droppedApprovals?.map((d) => d.user)).toEqual([APPROVER_2]);
    const dropped = await h.waitForThread(req.id, /no longer counts/);
    expect(dropped).toContain(`<@${APPROVER_2}>`);
    expect(dropped).toMatch(/no longer an approver/);
    await waitFor(() => h.threadTexts(req.id).findIndex((t) => /expired/i.test(t) && !/no longer counts/.test(t)) > h.threadTexts(req.id).indexOf(dropped), { message: 'the expiry said after the dropped approval' });
    expect(h.threadTexts(req.id).filter((t) => /no longer counts/.test(t))).toHaveLength(1);
    expect(h.postsToAtlas()).toBe(posts);
    h.setPolicy(policyOf(ALL));
    await h.restart();
  });

  it('"Cancel request" re-checks the requester against the policy like every other button', async () => {
    h.app.services.policy = parsePolicy(policyOf(ALL), 'test-policy.yaml');
    const req = await requestRestore(h, { source: 'legacy', snapshotIndex: 0 });
    h.app.services.policy = parsePolicy(policyOf(ALL, [OUTSIDER]), 'test-policy.yaml');
    const before = h.slack.ephemerals(REQUESTER).length;
    await h.click(REQUESTER, 'restore_cancel', req.id);
    const told = await waitFor(() => h.slack.ephemerals(REQUESTER).slice(before).find((e) => e.text.includes(req.id)), { message: 'refusal' });
    expect(told.text).toMatch(/can't withdraw/);
    expect((await h.request(req.id))?.state).toBe('pending_approval');
    h.app.services.policy = parsePolicy(policyOf(ALL), 'test-policy.yaml');
    await h.click(REQUESTER, 'restore_cancel', req.id);
    await waitForState(h, req.id, 'cancelled');
  });
});
