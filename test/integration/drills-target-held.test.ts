// A drill whose scratch target is held by a person's request says what holds it: a request only waiting for approval
// is not "a restore in progress" (nothing is written to the target yet; someone may just have to decide on it).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait-for.js';
import { APPROVER, commandAnswer, REQUESTER, requestRestore, startHarness, type Harness } from './conversation-harness.js';
import { drillRequestsOf, DRILL_POLICY, DRILLS } from './drill-policy.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ policyYaml: DRILL_POLICY });
});
afterAll(async () => {
  await h?.close();
});

describe("a drill whose target is held by a person's request waiting for approval", () => {
  it('does not run, and says the request waits for approval, not that a restore is in progress', async () => {
    const pending = await requestRestore(h, { user: REQUESTER, source: 'ledger', target: 'staging' });
    expect(pending.state).toBe('pending_approval');
    const messages = h.slack.messages(DRILLS).length;
    expect(await commandAnswer(h, APPROVER, 'drill ledger-weekly')).toMatch(/is starting/);
    const loud = await waitFor(() => h.slack.messages(DRILLS).slice(messages).find((m) => m.text.includes('did not run')), { message: 'the "did not run"' });
    expect(loud.text).toContain('<!here>');
    expect(loud.text).toContain(`\`shop/staging\` has a restore request waiting for approval (${pending.id}, since `);
    expect(loud.text).not.toContain('in progress');
    expect(await drillRequestsOf(h)).toEqual([]);
    expect(await commandAnswer(h, REQUESTER, 'drills')).toMatch(new RegExp(`last: \\*did not run\\* .*waiting for approval \\(${pending.id}`));
  });
});
