// Policy entries that are Slack user groups (S…), resolved with usergroups.users.list through the real app.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APPROVER, CHANNEL, commandAnswer, GROUP_ID, logLines, OUTSIDER, REQUESTER, requestRestore, startHarness, waitForState, type Harness } from './conversation-harness.js';
import { homeText, openHome } from './home-helpers.js';

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

  it('when Slack cannot list a group, status, list and drills say to try again, never "not named in the policy"', async () => {
    const h2 = await startHarness({ policyYaml: POLICY });
    try {
      h2.slack.setUsergroup(ONCALL, [REQUESTER]);
      h2.slack.setUsergroup(DBAS, [APPROVER]);
      // The App Home says so too, not that Redis is down (first: nothing is cached yet).
      h2.slack.failNext('usergroups.users.list', 'internal_error', 2);
      expect(homeText(await openHome(h2, APPROVER))).toMatch(/Slack couldn't tell just now whether you are in the restore policy's user groups/);
      for (const text of ['status', 'list', 'drills', 'drill nightly']) {
        h2.slack.failNext('usergroups.users.list', 'internal_error', 2);
        const answer = await commandAnswer(h2, APPROVER, text); // an approver through the DBAS group only
        expect(answer, text).toMatch(/user-group membership couldn't be checked just now.*Try again in a minute/);
        expect(answer, text).not.toMatch(/not named/);
      }
      expect(await commandAnswer(h2, APPROVER, 'list')).not.toMatch(/not named|couldn't be checked/);
      // Nobody was refused: the audit doesn't send an operator looking for a policy mistake.
      expect((await h2.app.services.store.readAudit(100)).filter((e) => e.type === 'refused')).toEqual([]);
    } finally {
      await h2.close();
    }
  });

  it('a group id Slack doesn\'t know (a typo) is an empty group: others are answered, not sent to "try again"', async () => {
    const TYPO = 'S0TYPO0001';
    const h2 = await startHarness({ policyYaml: POLICY.replace(`requesters: [${ONCALL}]`, `requesters: [${ONCALL}, ${TYPO}]`) });
    try {
      h2.slack.setUsergroup(ONCALL, [REQUESTER]);
      h2.slack.setUsergroup(DBAS, [APPROVER]);
      const { json } = await h2.command(OUTSIDER, '');
      expect(String((json as { text: string }).text)).toMatch(/not allowed to request restores/);
      expect(await commandAnswer(h2, OUTSIDER, 'status')).toMatch(/not named in the restore policy/);
      const lookups = () => h2.slack.calls.filter((c) => c.method === 'usergroups.users.list' && c.args.usergroup === TYPO).length;
      const before = lookups();
      await h2.command(OUTSIDER, '');
      expect(lookups()).toBe(before); // cached like any group, not asked again on every click
      const req = await requestRestore(h2, { source: 'orders' });
      expect(req.requester).toBe(REQUESTER);
      // The policy's owners hear of the wrong id in the log.
      expect(logLines.some((l) => l.includes('names a Slack user group that does not exist') && l.includes(TYPO))).toBe(true);
    } finally {
      await h2.close();
    }
  });
});
