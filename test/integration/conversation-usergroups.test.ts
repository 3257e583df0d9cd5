// Policy entries that are Slack user groups (S…), resolved with usergroups.users.list through the real app.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APPROVER, CHANNEL, GROUP_ID, OUTSIDER, REQUESTER, requestRestore, startHarness, waitForState, type Harness } from './conversation-harness.js';

const ONCALL = 'S0ONCALL01';
const DBAS = 'S0DBAS0001';

const POLICY = `
projects:
  - name: shop
    id: ${GROUP_ID}
    clusters:
      - { name: orders, type: flex }
requesters: [${ONCALL}]
approvers: [${DBAS}]
channels: [${CHANNEL}]
`;

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ policyYaml: POLICY });
  h.slack.setUsergroup(ONCALL, [REQUESTER]);
  h.slack.setUsergroup(DBAS, [APPROVER]);
});
afterAll(async () => {
  await h?.close();
});

describe('user groups in the policy', () => {
  it('a member of the requesters group requests, a member of the approvers group approves', async () => {
    const req = await requestRestore(h, { source: 'orders' });
    await h.click(APPROVER, 'restore_approve', req.id);
    await waitForState(h, req.id, 'running');
    const lookups = h.slack.calls.filter((c) => c.method === 'usergroups.users.list').map((c) => c.args.usergroup);
    expect(lookups).toEqual(expect.arrayContaining([ONCALL, DBAS]));
  });

  it('someone in neither group is refused, and the lookups are cached', async () => {
    const before = h.slack.calls.filter((c) => c.method === 'usergroups.users.list').length;
    const viewsBefore = h.slack.views().length;
    const { json } = await h.command(OUTSIDER, '');
    expect(String((json as { text: string }).text)).toMatch(/not allowed to request restores/);
    expect(h.slack.views().length).toBe(viewsBefore);
    expect(h.slack.calls.filter((c) => c.method === 'usergroups.users.list').length).toBe(before);
  });

  it('when Slack cannot list a group, the user is told to try again (membership never defaults to yes)', async () => {
    // A fresh app: nothing cached yet, so the lookup has to reach Slack.
    const h2 = await startHarness({ policyYaml: POLICY });
    try {
      h2.slack.failNext('usergroups.users.list', 'internal_error', 10);
      const viewsBefore = h2.slack.views().length;
      const { json } = await h2.command(REQUESTER, '');
      const text = String((json as { text: string }).text);
      expect(text).toMatch(/couldn't be checked/);
      expect(text).toMatch(/Try again/);
      expect(h2.slack.views().length).toBe(viewsBefore);
    } finally {
      await h2.close();
    }
  });
});
