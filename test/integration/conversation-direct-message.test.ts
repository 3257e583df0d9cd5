// A request made in a direct message with the bot (a policy that names no channels allows it): nobody but the
// requester reads that conversation, so mentions there call no one. The first thread message says so, and where the
// approvers can act on it (the App Home lists requests into the clusters they approve), instead of pinging no one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APPROVER, policyWith, requestRestore, startHarness, type Harness } from './conversation-harness.js';

const BOT_DM = 'D0BOTDM001';
let h: Harness;

beforeAll(async () => {
  // policyWith lists a channel; this team's policy lists none ("anywhere").
  h = await startHarness({ policyYaml: policyWith().replace(/^channels: .*$/m, ''), channels: { [BOT_DM]: {} } });
});
afterAll(async () => {
  await h?.close();
});

describe('a request made in a direct message with the bot', () => {
  it('is posted there, and its thread says the approvers are not notified and can approve it in the App Home', async () => {
    const req = await requestRestore(h, { source: 'ledger', snapshotIndex: 0, channel: BOT_DM });
    expect(req.channel).toBe(BOT_DM);
    const first = await h.waitForThread(req.id, /asks to restore/);
    expect(first).toContain(`its approvers (<@${APPROVER}>`);
    expect(first).toMatch(/can't see this card and aren't notified[^]*App Home/);
    expect(first).not.toMatch(new RegExp(`^<@${APPROVER}>`));
  });
});
