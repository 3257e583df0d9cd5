// The rest of the conversation through the real HTTP receiver: approval expiry, reject, cancel, two approvals,
// dry run, a channel the bot is not in, and the modal reloading snapshots when the source changes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendViewAction } from '../helpers/slack-requests.js';
import { waitFor } from '../helpers/wait-for.js';
import {
  APPROVER,
  APPROVER_2,
  CHANNEL,
  DEFAULT_POLICY,
  GROUP_ID,
  OUTSIDER,
  REQUESTER,
  SIGNING_SECRET,
  expireApprovalSoon,
  isFilledModal,
  requestRestore,
  snapshotIdOf,
  startHarness,
  useHarness,
  waitForState,
  type Harness,
} from './conversation-harness.js';

const cardText = (h: Harness, id: string) => JSON.stringify(h.rootCard(id)?.blocks ?? []);

/** The target is free: a brand-new request for it gets a card, which is then withdrawn. */
async function targetIsFree(h: Harness, source: string): Promise<void> {
  const again = await requestRestore(h, { source });
  expect(again.state).toBe('pending_approval');
  await h.click(REQUESTER, 'restore_cancel', again.id);
  await waitForState(h, again.id, 'cancelled');
}

describe('with the default policy', () => {
  const h = useHarness();

  it('an approval that expires updates the card and the thread by itself, frees the target, and a late Approve is refused', async () => {
    const req = await requestRestore(h, { source: 'orders' });
    await expireApprovalSoon(h, req.id, 300);

    const expired = await waitForState(h, req.id, 'approval_expired');
    expect(expired.approvals).toEqual([]);
    await waitFor(() => cardText(h, req.id).includes('Approval expired'), { message: 'card shows the expiry' });
    expect(cardText(h, req.id)).not.toContain('restore_approve');
    await h.waitForThread(req.id, /expired: it had 0 of 1 approvals/);
    const audit = (await h.app.services.store.readAudit(500)).filter((e) => e.requestId === req.id).map((e) => e.type);
    expect(audit).toContain('approval_expired');

    const calls = h.atlas.requests.length;
    const threadLength = h.threadTexts(req.id).length;
    await h.click(APPROVER, 'restore_approve', req.id);
    await waitFor(() => h.ephemeralTexts(APPROVER).find((t) => t.includes(req.id) && t.includes('approval expired')), { message: 'private refusal' });
    expect(h.atlas.requests.length).toBe(calls);
    expect(h.threadTexts(req.id)).toHaveLength(threadLength);
    expect((await h.request(req.id))!.state).toBe('approval_expired');
    await targetIsFree(h, 'orders');
  });

  it('Reject by an approver: card shows who rejected, thread says so, target free, Atlas never called', async () => {
    const req = await requestRestore(h, { source: 'ledger' });
    const posts = h.postsToAtlas();
    await h.click(APPROVER_2, 'restore_reject', req.id);
    const rejected = await waitForState(h, req.id, 'rejected');
    expect(rejected.rejectedBy).toBe(APPROVER_2);
    await waitFor(() => cardText(h, req.id).includes(`*Request rejected* by <@${APPROVER_2}>`), { message: 'card shows rejected by' });
    expect(cardText(h, req.id)).not.toContain('restore_approve');
    const text = await h.waitForThread(req.id, /was rejected/);
    expect(text).toContain(`<@${APPROVER_2}>`);
    expect(text).toContain(`<@${REQUESTER}>`);
    // A late Approve does nothing.
    await h.click(APPROVER, 'restore_approve', req.id);
    await waitFor(() => h.ephemeralTexts(APPROVER).find((t) => t.includes(req.id) && t.includes('rejected')), { message: 'late approve refused' });
    expect(h.postsToAtlas()).toBe(posts);
    await targetIsFree(h, 'ledger');
  });

  it('Cancel by someone else is refused privately; Cancel by the requester withdraws the request', async () => {
    const req = await requestRestore(h, { source: 'legacy' });
    await h.click(APPROVER, 'restore_cancel', req.id);
    await waitFor(() => h.ephemeralTexts(APPROVER).find((t) => t.includes(`Only <@${REQUESTER}> can withdraw ${req.id}`)), { message: 'cancel refused' });
    expect((await h.request(req.id))!.state).toBe('pending_approval');
    expect(cardText(h, req.id)).toContain('restore_approve');

    await h.click(REQUESTER, 'restore_cancel', req.id);
    const cancelled = await waitForState(h, req.id, 'cancelled');
    expect(cancelled.cancelledBy).toBe(REQUESTER);
    await waitFor(() => cardText(h, req.id).includes('Request cancelled'), { message: 'card shows cancelled' });
    expect(cardText(h, req.id)).not.toContain('restore_approve');
    await h.waitForThread(req.id, /was cancelled by <@U0REQUEST1> before any restore was sent/);
    await targetIsFree(h, 'legacy');
  });

  /** The bot is not in CHANNEL; a requester opens the form there for `staging`. */
  async function formOutsideTheChannel() {
    h.slack.notInChannel(CHANNEL);
    const before = new Set((await h.app.services.store.listRecent(100)).map((r) => r.id));
    const viewsBefore = h.slack.views().length;
    await h.command(REQUESTER, `shop/staging ${snapshotIdOf(h, 'staging')}`);
    const modal = await waitFor(() => h.slack.views().slice(viewsBefore).reverse().find((v) => v.callback_id === 'atlas_restore_modal' && isFilledModal(v)), { message: 'filled modal' });
    return { before, modal };
  }

  it('the bot is not in the channel: the form says so at once, its submit is refused inline, and once invited the same form goes through', async () => {
    const { before, modal } = await formOutsideTheChannel();
    expect(JSON.stringify(modal.blocks)).toContain("I'm not in the channel");

    const refused = await h.submitModal(modal, REQUESTER, { confirmation: 'staging' });
    const errors = (refused.json as { errors?: Record<string, string> } | undefined)?.errors ?? {};
    expect(Object.values(errors).join(' ')).toMatch(/I'm not in the channel: invite me \(\/invite @Atlas Restore\), then submit the restore again/);
    expect((await h.app.services.store.listRecent(100)).some((r) => !before.has(r.id))).toBe(false);

    // Invited while the form is open: the same submission makes the request.
    h.slack.workspace.notInChannelIds.delete(CHANNEL);
    const res = await h.submitModal(modal, REQUESTER, { confirmation: 'staging' });
    expect(res.json ?? null).toBeNull();
    const req = await waitFor(async () => (await h.app.services.store.listRecent(100)).find((r) => !before.has(r.id) && r.cardTs), { message: 'posted request' });
    await h.click(REQUESTER, 'restore_cancel', req.id);
    await waitForState(h, req.id, 'cancelled');
    await targetIsFree(h, 'staging');
  });

  it('the bot is not in the channel and Slack would not say so beforehand: the requester gets a DM saying to invite it, nothing stays pending', async () => {
    h.slack.failNext('conversations.info', 'internal_error', 2); // the form's load and its submission
    const { before, modal } = await formOutsideTheChannel();
    expect(JSON.stringify(modal.blocks)).not.toContain("I'm not in the channel");
    const res = await h.submitModal(modal, REQUESTER, { confirmation: 'staging' });
    expect(res.json ?? null).toBeNull();

    const dm = await waitFor(() => h.slack.messages(REQUESTER).find((m) => m.text.includes("couldn't post your restore request")), { message: 'DM to the requester' });
    expect(dm.text).toMatch(/\/invite/);
    expect(dm.text).toContain(`<#${CHANNEL}>`);
    const req = (await h.app.services.store.listRecent(100)).find((r) => !before.has(r.id))!;
    expect(req).toBeDefined();
    expect(req.state).not.toBe('pending_approval');
    expect(req.cardTs).toBeUndefined();
    // Once invited, the same target can be requested again.
    h.slack.workspace.notInChannelIds.delete(CHANNEL);
    await targetIsFree(h, 'staging');
  });

  it('approved while its card was being posted, and the post failed: the restore goes ahead with its target held, and the requester is told so', async () => {
    h.slack.failNext('conversations.info', 'internal_error', 2); // the form's load and its submission
    const { before, modal } = await formOutsideTheChannel();
    h.slack.slowNext('chat.postMessage', 1500); // the card's post: meanwhile the App Home already shows the request
    const posts = h.postsToAtlas();
    const res = await h.submitModal(modal, REQUESTER, { confirmation: 'staging' });
    expect(res.json ?? null).toBeNull();
    const req = await waitFor(async () => (await h.app.services.store.listRecent(100)).find((r) => !before.has(r.id)), { message: 'the stored request' });
    await h.click(APPROVER, 'restore_approve', req.id);
    await waitFor(() => h.postsToAtlas() > posts, { message: 'the restore posted to Atlas' });
    const dm = await waitFor(() => h.slack.messages(REQUESTER).find((m) => m.text.includes(req.id)), { message: 'DM to the requester' });
    expect(dm.text).not.toMatch(/nothing was requested/);
    expect(dm.text).toMatch(/decided meanwhile \((approved, submitting|restore running)\): it goes ahead\./);
    expect((await h.request(req.id))!.state).not.toBe('cancelled');
    // The restore runs: nobody else may restore into its target meanwhile.
    expect(await h.redis.exists(`${h.prefix}lock:${GROUP_ID}:staging`)).toBe(1);
    // It was requested, and the audit says what and why, like any request that goes ahead.
    const audit = (await h.app.services.store.readAudit(1000)).filter((e) => e.requestId === req.id);
    expect(audit.find((e) => e.type === 'requested')?.detail).toMatch(/snapshot .* → shop\/staging: \S/);
    h.slack.workspace.notInChannelIds.delete(CHANNEL);
  });

  it('rejected while its card was being posted, and the post failed: the requester is told nothing will be restored', async () => {
    h.slack.failNext('conversations.info', 'internal_error', 2);
    const { before, modal } = await formOutsideTheChannel();
    h.slack.slowNext('chat.postMessage', 1500);
    const res = await h.submitModal(modal, REQUESTER, { confirmation: 'staging' });
    expect(res.json ?? null).toBeNull();
    const req = await waitFor(async () => (await h.app.services.store.listRecent(100)).find((r) => !before.has(r.id)), { message: 'the stored request' });
    await h.click(APPROVER, 'restore_reject', req.id);
    const dm = await waitFor(() => h.slack.messages(REQUESTER).find((m) => m.text.includes(req.id) && /decided meanwhile/.test(m.text)), { message: 'DM to the requester' });
    expect(dm.text).toMatch(/decided meanwhile \(rejected\): nothing will be restored\./);
    expect(dm.text).not.toMatch(/goes ahead/);
    expect((await h.request(req.id))!.state).toBe('rejected');
    expect(await h.redis.exists(`${h.prefix}lock:${GROUP_ID}:staging`)).toBe(0);
    h.slack.workspace.notInChannelIds.delete(CHANNEL);
  });

  it('changing the source reloads the snapshots; a snapshot that is not completed comes back as an inline error', async () => {
    // Old enough to sort last, so the other tests' "newest snapshot" stays a completed one.
    const inProgress = h.atlas.addSnapshot(GROUP_ID, 'ledger', { status: 'inProgress', createdAt: new Date(Date.now() - 30 * 86_400_000).toISOString() });
    const viewsBefore = h.slack.views().length;
    await h.command(REQUESTER, 'shop/orders');
    const modal = await waitFor(() => h.slack.views().slice(viewsBefore).reverse().find((v) => v.callback_id === 'atlas_restore_modal' && isFilledModal(v)), { message: 'filled modal' });
    expect(JSON.stringify(modal.blocks)).toContain(snapshotIdOf(h, 'orders', 0));
    const updatesBefore = h.slack.calls.filter((c) => c.method === 'views.update').length;

    const changed = { ...modal, state: { values: { restore_source: { restore_source_select: { type: 'static_select', selected_option: { value: 'shop/ledger', text: { type: 'plain_text', text: 'shop/ledger' } } } } } } };
    const res = await sendViewAction(h.url, SIGNING_SECRET, {
      actionId: 'restore_source_select',
      blockId: 'restore_source',
      userId: REQUESTER,
      view: changed,
      selectedOption: { text: 'shop/ledger', value: 'shop/ledger' },
    });
    expect(res.status).toBe(200);
    const reloaded = await waitFor(
      () => h.slack.views().find((v) => v.id === modal.id && JSON.stringify(v.blocks).includes(snapshotIdOf(h, 'ledger', 0))),
      { message: 'modal shows the snapshots of ledger' },
    );
    expect(h.slack.calls.filter((c) => c.method === 'views.update').length).toBeGreaterThan(updatesBefore);
    const blocks = reloaded.blocks as { block_id?: string; element?: { options?: { value: string }[] } }[];
    const snapshotBlock = blocks.find((b) => b.block_id?.startsWith('restore_snapshot'))!;
    expect(snapshotBlock.block_id).toContain('shop/ledger');
    const offered = snapshotBlock.element!.options!.map((o) => o.value);
    expect(offered).toEqual(expect.arrayContaining([snapshotIdOf(h, 'ledger', 0), snapshotIdOf(h, 'ledger', 1)]));
    expect(offered).not.toContain(snapshotIdOf(h, 'orders', 0));

    const requestsBefore = (await h.app.services.store.listRecent(100)).length;
    const submitted = await h.submitModal(reloaded, REQUESTER, { source: 'shop/ledger', snapshotId: inProgress.id, target: 'shop/ledger', confirmation: 'ledger' });
    const body = submitted.json as { response_action: string; errors: Record<string, string> };
    expect(body.response_action).toBe('errors');
    expect(body.errors[snapshotBlock.block_id!]).toMatch(/only completed snapshots can be restored/);
    expect((await h.app.services.store.listRecent(100)).length).toBe(requestsBefore);
  });

  it('Reject while Slack refuses the thread message and then the card update: the message is posted again, once, and the card catches up', async () => {
    const req = await requestRestore(h, { source: 'orders' });
    // The request's own first messages are out before Slack starts refusing: the refusals are the reject's.
    await h.waitForThread(req.id, /asks to restore/);
    h.slack.failNext('chat.update', 'internal_error', 1);
    h.slack.failNext('chat.postMessage', 'internal_error', 1);
    await h.click(APPROVER, 'restore_reject', req.id);
    await waitForState(h, req.id, 'rejected');
    // The last word is a step of the request's job: tried again until Slack takes it, then never again.
    await h.waitForThread(req.id, /was rejected/);
    expect(h.threadTexts(req.id).filter((t) => /was rejected/.test(t))).toHaveLength(1);
    // The card's update was refused once: it is tried again, and stops offering Approve.
    await waitFor(() => cardText(h, req.id).includes(`*Request rejected* by <@${APPROVER}>`), { timeoutMs: 10_000, message: 'the card catches up' });
    expect(cardText(h, req.id)).not.toContain('restore_approve');
    const audited = (await h.app.services.store.readAudit(200)).filter((e) => e.requestId === req.id && e.type === 'rejected');
    expect(audited).toEqual([expect.objectContaining({ user: APPROVER })]);
    expect((await h.app.services.store.acquireTargetLock(req.target, 'RR-OTHER', 5)).ok).toBe(true);
  });

  it('an outsider cannot Reject either', async () => {
    const req = await requestRestore(h, { source: 'orders' });
    await h.click(OUTSIDER, 'restore_reject', req.id);
    await waitFor(() => h.ephemeralTexts(OUTSIDER).find((t) => t.includes('reject')), { message: 'reject refused' });
    expect((await h.request(req.id))!.state).toBe('pending_approval');
  });
});

describe('approval.required: 2', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ policyYaml: DEFAULT_POLICY.replace('required: 1', 'required: 2') });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('first approval shows 1 of 2 and posts nothing; the same approver again is refused; a second approver submits once', async () => {
    const req = await requestRestore(h, { source: 'orders' });
    expect(req.approvalsRequired).toBe(2);
    const posts = h.postsToAtlas();

    await h.click(APPROVER, 'restore_approve', req.id);
    await waitFor(() => cardText(h, req.id).includes(`1 of 2: <@${APPROVER}>`), { message: 'card shows 1 of 2' });
    await h.waitForThread(req.id, /approved \(1 of 2\)\. 1 more needed/);
    expect(cardText(h, req.id)).toContain('restore_approve');
    expect((await h.request(req.id))!.state).toBe('pending_approval');
    expect(h.postsToAtlas()).toBe(posts);

    await h.click(APPROVER, 'restore_approve', req.id);
    await waitFor(() => h.ephemeralTexts(APPROVER).find((t) => t.includes('already approved')), { message: 'second click by the same approver refused' });
    expect((await h.request(req.id))!.approvals).toHaveLength(1);
    expect(h.postsToAtlas()).toBe(posts);

    await h.click(APPROVER_2, 'restore_approve', req.id);
    const running = await waitForState(h, req.id, 'running');
    expect(running.approvals.map((a) => a.user)).toEqual([APPROVER, APPROVER_2]);
    expect(h.postsToAtlas() - posts).toBe(1);
    await h.waitForThread(req.id, /Restore submitted to Atlas/);
    await waitFor(() => cardText(h, req.id).includes(`Approved by <@${APPROVER}> and <@${APPROVER_2}>`) || cardText(h, req.id).includes(`<@${APPROVER}>, <@${APPROVER_2}>`), { message: 'card lists both approvers' });
  });
});

describe('DRY_RUN', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ dryRun: true });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('runs every step but the POST: card and thread say dry run, nothing reaches Atlas, the request ends and frees the target', async () => {
    const req = await requestRestore(h, { source: 'ledger' });
    expect(req.dryRun).toBe(true);
    expect(cardText(h, req.id)).toContain('DRY RUN');
    await h.waitForThread(req.id, /\(\*dry run\*\)/);

    await h.click(APPROVER, 'restore_approve', req.id);
    const done = await waitForState(h, req.id, 'completed');
    expect(done.atlasJobId).toBeUndefined();
    await h.waitForThread(req.id, /Dry run: no restore was sent/);
    await waitFor(() => cardText(h, req.id).includes('Dry run completed'), { message: 'card says dry run' });
    expect(cardText(h, req.id)).not.toContain('restore_approve');
    expect(h.postsToAtlas()).toBe(0);
    // The snapshot was still re-checked: a dry run tells whether the real one would go through.
    expect(h.atlas.requests.some((r) => r.method === 'GET' && r.path.endsWith(`/snapshots/${req.snapshot.id}`))).toBe(true);
    const audit = (await h.app.services.store.readAudit(200)).filter((e) => e.requestId === req.id);
    expect(audit.find((e) => e.type === 'submitted')?.detail).toMatch(/dry run/);
    await targetIsFree(h, 'ledger');
  });
});
