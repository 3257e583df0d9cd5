// The App Home while Slack can't list a user group that decides who approves a request: the home must not say
// "Nothing waits for your approval" about a request that may well wait for the viewer (it would hide it silently).
import { expect, it } from 'vitest';
import { APPROVER, policyWith, requestRestore, useHarness } from './conversation-harness.js';
import { homeText, openHome } from './home-helpers.js';

const DBAS = 'S0DBAS0001';
// The viewer is named directly (top-level approvers), so the home's first question needs no lookup; the target's own
// approvers are a user group, so whether the request waits for them does. The request's channel is theirs too.
const h = useHarness({
  policyYaml: policyWith({ staging: `approvers: [${DBAS}]` }),
  usergroups: { [DBAS]: [APPROVER] },
  overrides: { membershipTtlMs: 0, homeRefresh: { debounceMs: 100 } },
});
const waitingSection = (text: string) => text.slice(text.indexOf('Waiting for your approval'), text.indexOf('In flight'));

it('says the membership could not be checked, rather than that nothing waits for the viewer', async () => {
  const req = await requestRestore(h, { source: 'staging' });
  expect(waitingSection(homeText(await openHome(h, APPROVER)))).toContain(req.id);
  await h.app.services.homes.flush(); // the refreshes the request owes, so that the failures below are the home's
  h.slack.failNext('usergroups.users.list', 'internal_error', 50);
  const home = homeText(await openHome(h, APPROVER));
  expect(home).not.toContain('Nothing waits for your approval');
  expect(home).toContain("Slack couldn't tell just now whether you are in the restore policy's user groups");
});
