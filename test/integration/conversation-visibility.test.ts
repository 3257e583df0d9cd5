// Who gets answers (DESIGN.md §2): `status` and `list` answer only people named in the policy, and only about the
// requests they may see: their own, those into clusters they approve, those in channels they are in. A user who may
// request nothing, or who names a cluster outside the policy, gets a private answer instead of a form.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RestoreRequest } from '../../src/restore/types.js';
import { sendBlockAction } from '../helpers/slack-requests.js';
import { waitFor } from '../helpers/wait-for.js';
import { APPROVER, APPROVER_2, CHANNEL, commandAnswer, GROUP_ID, OUTSIDER, REQUESTER, requestRestore, SIGNING_SECRET, startHarness, type Harness } from './conversation-harness.js';

const PRIVATE = 'G0PRIVATE1';
const MEMBER = 'U0MEMBER01'; // a requester of ledger only, in the private channel
const POLICY = `
projects:
  - name: shop
    id: ${GROUP_ID}
    clusters:
      - { name: orders, type: flex }
      - { name: ledger, type: dedicated, requesters: [${REQUESTER}, ${MEMBER}], approvers: [${APPROVER_2}] }
      - { name: legacy, type: serverless }
      - { name: staging }
requesters: [${REQUESTER}]
approvers: [${APPROVER}]
channels: [${CHANNEL}, ${PRIVATE}]
`;

let h: Harness;
let secret: RestoreRequest;
beforeAll(async () => {
  h = await startHarness({ policyYaml: POLICY, channels: { [PRIVATE]: { is_private: true, members: [REQUESTER, MEMBER] } } });
  secret = await requestRestore(h, { source: 'orders', channel: PRIVATE }); // into shop/orders, approved by APPROVER
});
afterAll(async () => {
  await h?.close();
});

const answer = (user: string, text: string, channel = CHANNEL): Promise<string> => commandAnswer(h, user, text, channel);

describe('status and list', () => {
  it('someone outside the policy gets no answer about any request, wherever they ask', async () => {
    for (const text of ['list', `status ${secret.id}`, 'status']) expect(await answer(OUTSIDER, text)).toMatch(/not named in the restore policy/);
  });

  it("a named user who neither requested it, approves its target, nor is in its channel doesn't see it", async () => {
    expect(await answer(APPROVER_2, 'list')).not.toContain(secret.id);
    expect(await answer(APPROVER_2, `status ${secret.id}`)).toMatch(/is known here/);
  });

  it('the requester, an approver of its target and a member of its channel do', async () => {
    expect(await answer(REQUESTER, `status ${secret.id}`)).toContain(`Restore request ${secret.id}`);
    expect(await answer(APPROVER, 'list')).toContain(secret.id);
    expect(await answer(MEMBER, 'list')).toContain(secret.id);
  });
});

describe('private answers instead of a form', () => {
  it.each([
    ['someone who may request nothing', OUTSIDER, '', /not allowed to request restores/],
    ['a cluster outside the policy', REQUESTER, 'shop/no-such-cluster', /There is no cluster `shop\/no-such-cluster` you can use/],
    ['a target outside the policy', REQUESTER, 'shop/orders to nope/x', /There is no cluster `nope\/x` you can use/],
    // Someone outside the policy hears that, and nothing of the policy's clusters.
    ['someone outside the policy naming a cluster that does not exist', OUTSIDER, 'no-such-cluster', /^You're not allowed to request restores of any cluster/],
  ])('%s', async (_name, user, text, expected) => {
    const views = h.slack.views().length;
    const res = await h.command(user, text);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ response_type: 'ephemeral' });
    expect(String((res.json as { text?: string }).text)).toMatch(expected);
    expect(h.slack.views().length).toBe(views); // no modal was opened
    if (user === OUTSIDER) expect(String((res.json as { text?: string }).text)).not.toMatch(/shop\/|orders|ledger|staging|legacy/);
  });

  it('a cluster that does not exist: only the clusters this user may use are named', async () => {
    const res = await h.command(MEMBER, 'shop/no-such-cluster', { channel: PRIVATE });
    const text = String((res.json as { text?: string }).text);
    expect(text).toContain('There is no cluster `shop/no-such-cluster` you can use in the restore policy. Clusters you can name: `shop/ledger`.');
    expect(text).not.toMatch(/shop\/(orders|legacy|staging)/);
  });
});

describe("the card's buttons with a request id someone may not see", () => {
  // A click is a payload the user's client builds: any card's button can carry any request id. Someone who may not
  // see the request (not its requester, not an approver of its target, not in its channel) learns nothing of it.
  it.each([
    ['Approve', 'restore_approve'],
    ['Reject', 'restore_reject'],
    ['Cancel', 'restore_cancel'],
  ])('%s: answered as if the request did not exist, and nothing changes', async (_name, actionId) => {
    for (const user of [OUTSIDER, APPROVER_2]) {
      const said = () => [...h.slack.ephemerals(user).map((e) => e.text), ...h.slack.messages(user).map((m) => m.text)];
      const before = said().length;
      // From a card in the channel they are in, with the id of the request in the private channel.
      await sendBlockAction(h.url, SIGNING_SECRET, { actionId, value: secret.id, userId: user, channelId: CHANNEL, messageTs: '1.000001' });
      const answer = await waitFor(() => said().slice(before).find((t) => t.includes(secret.id)), { message: `an answer to ${user}` });
      expect(answer).toContain('not known here');
      for (const text of said().slice(before)) expect(text).not.toMatch(/shop\/|orders|pending|waiting|U0REQUEST1/);
    }
    expect((await h.request(secret.id))!.state).toBe('pending_approval');
  });
});

describe('`at …` or `only …` on a source the user may not use', () => {
  it('says nothing of what that source can do (its type, its backup)', async () => {
    const res = await h.command(MEMBER, 'shop/orders only sales.orders', { channel: PRIVATE });
    expect(res.status).toBe(200);
    expect(JSON.stringify(res.json ?? '')).not.toMatch(/Flex|can't do|flex/);
  });
});
