// The restore form's submission within Slack's 3 seconds, through the real Bolt receiver and a fake Slack that is
// slow or rate-limits for real: a late answer is lost (Slack shows the form its own error), so a slow user-group
// lookup refuses on the form, a 429 elsewhere doesn't hold the lookup up, and a request made when Slack has stopped
// waiting is still posted and the requester told.
import { describe, expect, it } from 'vitest';
import type { StoredView } from '../fakes/fake-slack.js';
import { buildViewSubmissionPayload } from '../helpers/slack-requests.js';
import { waitFor } from '../helpers/wait-for.js';
import { APPROVER, GROUP_ID, REQUESTER, filledView, isFilledModal, policyWith, useHarness, type Harness } from './conversation-harness.js';

const ONCALL = 'S0ONCALL01';
const errorsOf = (json: unknown) => Object.values((json as { errors?: Record<string, string> } | undefined)?.errors ?? {});
const lockKey = (h: Harness, cluster: string) => `${h.prefix}lock:${GROUP_ID}:${cluster}`;

async function openForm(h: Harness, cluster: string): Promise<StoredView> {
  const before = h.slack.views().length;
  await h.command(REQUESTER, `shop/${cluster}`);
  return waitFor(() => h.slack.views().slice(before).reverse().find((v) => v.callback_id === 'atlas_restore_modal' && isFilledModal(v)), { message: `the form for ${cluster}` });
}

async function requestsFor(h: Harness, cluster: string) {
  return (await h.app.services.store.listRecent(100)).filter((r) => r.target.cluster === cluster);
}

describe('the form submission within Slack’s 3 seconds', () => {
  // A member cache of 1 ms: at submit the requester's group is looked up in Slack again, as after a minute's typing.
  const h = useHarness({ policyYaml: policyWith({ requesters: [ONCALL] }), usergroups: { [ONCALL]: [REQUESTER] }, overrides: { membershipTtlMs: 1 } });

  it('Slack rate-limits the user-group lookup: the form says to try again at once, nothing is requested, the next submit goes through', async () => {
    const form = await openForm(h, 'orders');
    h.slack.rateLimit('usergroups.users.list', 5);
    const refused = await h.submitModal(form, REQUESTER, { confirmation: 'orders' });
    // Bolt's receiver answers 404 when the handler hasn't answered after 3 s: a 200 with errors is our own answer.
    expect(refused.status).toBe(200);
    expect(errorsOf(refused.json).join(' ')).toMatch(/user-group membership couldn't be checked.*Try again/);
    expect(await requestsFor(h, 'orders')).toEqual([]);
    expect(await h.redis.exists(lockKey(h, 'orders'))).toBe(0);

    const again = await h.submitModal(form, REQUESTER, { confirmation: 'orders' });
    expect(again.json ?? null).toBeNull();
    await waitFor(async () => (await requestsFor(h, 'orders')).find((r) => r.cardTs), { message: 'the request of the second submit, with its card' });
  });

  it('Slack is slow to list the group: the form refuses before Slack stops waiting, and nothing is requested', async () => {
    const form = await openForm(h, 'ledger');
    h.slack.slowNext('usergroups.users.list', 3500);
    const refused = await h.submitModal(form, REQUESTER, { confirmation: 'ledger' });
    expect(refused.status).toBe(200);
    expect(errorsOf(refused.json).join(' ')).toMatch(/Slack didn't answer in time to confirm that you may request this restore.*nothing was requested/);
    expect(await requestsFor(h, 'ledger')).toEqual([]);
    expect(await h.redis.exists(lockKey(h, 'ledger'))).toBe(0);
  });

  it('a 429 on another method pauses the bot’s Slack client: the submission’s lookup doesn’t wait for it', async () => {
    const form = await openForm(h, 'staging');
    // An App Home refresh rate-limited for 5 s: the Web API client holds every later call of its queue that long.
    h.slack.rateLimit('views.publish', 5);
    void h.app.services.homes.publishNow(APPROVER);
    await h.slack.waitForCall('views.publish', (c) => c.status === 429);
    const answered = await h.submitModal(form, REQUESTER, { confirmation: 'staging' });
    expect(answered.status).toBe(200);
    expect(answered.json ?? null).toBeNull();
    // The card itself goes out on the bot's client, once its pause is over: 5 s of Retry-After, then the post.
    await waitFor(async () => (await requestsFor(h, 'staging')).find((r) => r.cardTs), { timeoutMs: 15_000, message: 'the card of the request' });
  });

  it('a 429 on one form\'s time-zone lookup does not hold up the next form past its trigger\'s 3 s', async () => {
    // Rate-limited for 5 s: on the handlers' shared client, that pause would hold every later call, views.open too.
    h.slack.rateLimit('users.info', 5);
    const opens = h.slack.calls.filter((c) => c.method === 'views.open').length;
    await h.command(REQUESTER, 'shop/orders');
    await h.slack.waitForCall('users.info', (c) => c.status === 429);
    await h.command(REQUESTER, 'shop/ledger');
    const second = await waitFor(() => h.slack.calls.filter((c) => c.method === 'views.open').slice(opens)[1], { message: 'the second form opened' });
    expect(second.error ?? 'ok').toBe('ok');
  });

  it('Slack stopped waiting before the answer: the request is posted anyway and the requester is told not to submit again', async () => {
    const form = await openForm(h, 'ledger');
    // As a receiver whose 3 s are over: its ack throws (the HTTP receiver has already answered 404).
    await h.app.processEvent({
      body: buildViewSubmissionPayload({ userId: REQUESTER, view: filledView(form, { confirmation: 'ledger' }) }),
      ack: () => Promise.reject(new Error('Cannot write headers after they are sent to the client')),
    });
    const made = await waitFor(async () => (await requestsFor(h, 'ledger')).find((r) => r.cardTs), { message: 'the request, with its card' });
    const dm = await waitFor(() => h.slack.messages(REQUESTER).find((m) => m.text.includes(made.id)), { message: 'the direct message' });
    expect(dm.text).toMatch(/was made and posted in <#C0DBOPS01>.*may have shown an error.*Don't submit it again/);
  });

  it('the same with a receiver whose ack never throws (Socket Mode): told from the time the answer took', async () => {
    const form = await openForm(h, 'staging');
    const earlier = new Set((await requestsFor(h, 'staging')).map((r) => r.id));
    // A Socket Mode ack resolves whenever it is sent; this one takes Slack's whole 3 s (a stalled event loop, a slow
    // socket): the answer comes too late although nothing failed.
    await h.app.processEvent({
      body: buildViewSubmissionPayload({ userId: REQUESTER, view: filledView(form, { confirmation: 'staging' }) }),
      ack: () => new Promise<void>((resolve) => setTimeout(resolve, 3100)),
    });
    const made = await waitFor(async () => (await requestsFor(h, 'staging')).find((r) => r.cardTs && !earlier.has(r.id)), { message: 'the request, with its card' });
    const dm = await waitFor(() => h.slack.messages(REQUESTER).find((m) => m.text.includes(made.id)), { message: 'the direct message' });
    expect(dm.text).toMatch(/Don't submit it again/);
  });
});
