// The App Home through the real app (DESIGN.md §6, "App Home"): signed app_home_opened events into the Bolt receiver,
// views.publish to the fake Slack, clicks from a view of type home handled like the card's.
import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../src/policy/load-policy.js';
import { APPROVE_ACTION_ID, HOME_NEW_RESTORE_ACTION_ID, REJECT_ACTION_ID } from '../../src/slack/views/ids.js';
import { sendViewAction } from '../helpers/slack-requests.js';
import { waitFor } from '../helpers/wait-for.js';
import { APPROVER, APPROVER_2, CHANNEL, DEFAULT_POLICY, OUTSIDER, REQUESTER, SIGNING_SECRET, requestRestore, useHarness, waitForState } from './conversation-harness.js';
import { clickInHome, findButton, homePublishes, homeText, openHome, waitForHome } from './home-helpers.js';

const h = useHarness({ overrides: { homeRefresh: { debounceMs: 100 } } });
const waitingSection = (text: string) => text.slice(text.indexOf('Waiting for your approval'), text.indexOf('In flight'));

describe('App Home', () => {
  it('lists what waits for the viewer, with the card’s Approve (same confirm) and Reject carrying only the id', async () => {
    const req = await requestRestore(h, { source: 'orders', reason: 'orders index dropped' });
    const home = await openHome(h, APPROVER);
    expect(waitingSection(homeText(home))).toContain(req.id);
    expect(homeText(home)).toContain('orders index dropped');
    expect(homeText(home)).toContain('No drills in the policy');
    const approve = (home.blocks as { elements?: Record<string, unknown>[] }[]).flatMap((b) => b.elements ?? []).find((e) => e.action_id === APPROVE_ACTION_ID && e.value === req.id);
    const cardApprove = (h.rootCard(req.id)!.blocks as { elements?: Record<string, unknown>[] }[]).flatMap((b) => b.elements ?? []).find((e) => e.action_id === APPROVE_ACTION_ID);
    expect(approve).toEqual(cardApprove);
    expect(findButton(home, REJECT_ACTION_ID, req.id)).toBeDefined();
    // The second approver sees it too; the requester can't approve their own (self-approval off): in flight only.
    expect(waitingSection(homeText(await openHome(h, APPROVER_2)))).toContain(req.id);
    const mine = homeText(await openHome(h, REQUESTER));
    expect(waitingSection(mine)).not.toContain(req.id);
    expect(mine).toMatch(new RegExp(`In flight[\\s\\S]*${req.id}`));
  });

  it('publishes on every app_home_opened, the Messages tab included', async () => {
    await h.app.services.homes.flush(); // the refreshes the previous test's request still owes
    const before = homePublishes(h, APPROVER);
    await openHome(h, APPROVER);
    await openHome(h, APPROVER, 'messages');
    expect(homePublishes(h, APPROVER) - before).toBe(2);
  });

  it('someone outside the policy sees no request, and is told why', async () => {
    await requestRestore(h, { source: 'ledger' });
    const home = await openHome(h, OUTSIDER);
    expect(homeText(home)).toMatch(/not named in the restore policy/);
    expect(homeText(home)).not.toMatch(/RR-/);
    expect(findButton(home, HOME_NEW_RESTORE_ACTION_ID, 'new')).toBeUndefined();
  });

  it('Approve from the home approves exactly once with 10 concurrent clicks from the home and the card; an outsider’s click is refused', async () => {
    const req = await requestRestore(h, { source: 'legacy' });
    const posts = h.postsToAtlas();
    const home = await openHome(h, APPROVER);
    // The outsider forges the click from a home view: the same checks as on the card.
    const refusals = h.ephemeralTexts(OUTSIDER).length;
    await sendViewAction(h.url, SIGNING_SECRET, { actionId: APPROVE_ACTION_ID, value: req.id, userId: OUTSIDER, view: { type: 'home', blocks: [] } });
    await waitFor(() => h.ephemeralTexts(OUTSIDER).slice(refusals).find((t) => t.includes('not an approver') && t.includes('shop/legacy')), { message: 'the outsider refused' });
    expect((await h.request(req.id))?.state).toBe('pending_approval');

    const answers = h.ephemeralTexts(APPROVER).length;
    const clicks = Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? clickInHome(h, APPROVER, home, APPROVE_ACTION_ID, req.id) : h.click(APPROVER, APPROVE_ACTION_ID, req.id)));
    expect((await Promise.all(clicks)).map((r) => r.status)).toEqual(Array(10).fill(200));
    const running = await waitForState(h, req.id, 'running');
    // Every click but one is answered privately in the request's channel (already approved, or nothing to do).
    await waitFor(() => h.ephemeralTexts(APPROVER).length - answers >= 9, { message: '9 private answers' });
    expect(h.slack.ephemerals(APPROVER).slice(-9).every((e) => e.channel === CHANNEL)).toBe(true);
    expect(h.postsToAtlas() - posts).toBe(1);
    expect(running.approvals.map((a) => a.user)).toEqual([APPROVER]);
    const audit = (await h.app.services.store.readAudit(500)).filter((e) => e.requestId === req.id);
    expect(audit.filter((e) => e.type === 'approved')).toHaveLength(1);
    expect(audit.some((e) => e.type === 'refused' && e.user === OUTSIDER)).toBe(true);
    h.atlas.advanceJob(running.atlasJobId!, 'completed');
    await waitForState(h, req.id, 'completed');
  });

  it('Reject from the home rejects, updates the card and thread, and publishes the viewer’s home again', async () => {
    const req = await requestRestore(h, { source: 'staging' });
    const home = await openHome(h, APPROVER_2);
    const published = homePublishes(h, APPROVER_2);
    await clickInHome(h, APPROVER_2, home, REJECT_ACTION_ID, req.id);
    const rejected = await waitForState(h, req.id, 'rejected');
    expect(rejected.rejectedBy).toBe(APPROVER_2);
    await h.waitForThread(req.id, /reject/i);
    await waitFor(() => !JSON.stringify(h.rootCard(req.id)!.blocks).includes(APPROVE_ACTION_ID), { message: 'card buttons gone' });
    const after = await waitForHome(h, APPROVER_2, (t) => !waitingSection(t).includes(req.id) && new RegExp(`${req.id}.*rejected .*you rejected it`).test(t));
    expect(homePublishes(h, APPROVER_2)).toBeGreaterThan(published);
    expect(findButton(after, APPROVE_ACTION_ID, req.id)).toBeUndefined();
  });

  it('a click from a stale home changes nothing, is answered directly, and publishes that home again', async () => {
    const home = await openHome(h, APPROVER_2);
    const published = homePublishes(h, APPROVER_2);
    // Slack would send the id the home showed; one that is gone (past retention) gets the same treatment.
    await sendViewAction(h.url, SIGNING_SECRET, { actionId: APPROVE_ACTION_ID, value: 'RR-GONE99', userId: APPROVER_2, view: home });
    await waitFor(() => h.slack.messages(APPROVER_2).find((m) => m.text.includes('RR-GONE99') && m.text.includes('not known here')), { message: 'a direct answer' });
    await waitFor(() => homePublishes(h, APPROVER_2) > published, { message: 'the home published again' });
  });

  it('refreshes the homes of the requester and the approver when a request changes, without them opening it', async () => {
    const req = await requestRestore(h, { source: 'orders' });
    // A new request reaches the approvers' homes by itself.
    await waitForHome(h, APPROVER, (t) => waitingSection(t).includes(req.id));
    await openHome(h, REQUESTER);
    const [requesterBefore, approverBefore] = [homePublishes(h, REQUESTER), homePublishes(h, APPROVER)];
    await h.click(APPROVER, APPROVE_ACTION_ID, req.id); // from the card
    const running = await waitForState(h, req.id, 'running');
    await waitForHome(h, REQUESTER, (t) => new RegExp(`${req.id}[^\\n]*\\n[^\\n]*Restore (queued|running)`).test(t));
    await waitForHome(h, APPROVER, (t) => !waitingSection(t).includes(req.id) && t.includes(req.id));
    expect(homePublishes(h, REQUESTER)).toBeGreaterThan(requesterBefore);
    expect(homePublishes(h, APPROVER)).toBeGreaterThan(approverBefore);
    h.atlas.advanceJob(running.atlasJobId!, 'completed');
    await waitForHome(h, REQUESTER, (t) => new RegExp(`${req.id}.*restore completed .*you requested it`).test(t));
    await waitForHome(h, APPROVER, (t) => new RegExp(`${req.id}.*restore completed .*you approved it`).test(t));
  });

  it('New restore opens the restore form for the policy’s first channel, and its submission posts the card there', async () => {
    const home = await openHome(h, REQUESTER);
    const views = h.slack.views().length;
    await clickInHome(h, REQUESTER, home, HOME_NEW_RESTORE_ACTION_ID, 'new');
    const modal = await waitFor(() => h.slack.views().slice(views).find((v) => v.callback_id === 'atlas_restore_modal' && JSON.stringify(v.blocks).includes('restore_snapshot') && !JSON.stringify(v.blocks).includes('Loading')), { message: 'the restore modal filled in' });
    expect(JSON.parse(modal.private_metadata)).toMatchObject({ channel: CHANNEL });
    const res = await h.submitModal(modal, REQUESTER, { confirmation: 'orders', reason: 'from the home tab' });
    expect(res.json ?? null).toBeNull();
    const req = await waitFor(async () => (await h.app.services.store.listRecent(5)).find((r) => r.reason === 'from the home tab' && r.cardTs), { message: 'the request posted' });
    expect(req.channel).toBe(CHANNEL);
    expect(h.rootCard(req.id)?.channel).toBe(CHANNEL);
  });

  it('New restore with a policy that names no channel says to run the command in one, in a modal', async () => {
    const policy = h.app.services.policy;
    h.app.services.policy = parsePolicy(DEFAULT_POLICY.replace(/^channels:.*$/m, ''), 'no-channels.yaml');
    try {
      const home = await openHome(h, REQUESTER);
      const views = h.slack.views().length;
      await clickInHome(h, REQUESTER, home, HOME_NEW_RESTORE_ACTION_ID, 'new');
      const notice = await waitFor(() => h.slack.views().slice(views)[0], { message: 'a modal' });
      expect(notice.callback_id).not.toBe('atlas_restore_modal');
      expect(JSON.stringify(notice.blocks)).toMatch(/names no channel.*Run `\/atlas-restore` in the channel/);
    } finally {
      h.app.services.policy = policy;
    }
  });
});
