// /atlas-restore in a direct message with the bot, with a policy that names no channels: the card and its thread would
// be seen by the requester alone, the approvers called where they can't read it, and the request would expire unseen.
// The form doesn't open; the answer says where to run it. `status` and `help` still answer there.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { policyWith, REQUESTER, startHarness, type Harness } from './conversation-harness.js';

const BOT_DM = 'D0BOTDM001';
let h: Harness;

beforeAll(async () => {
  // policyWith lists a channel; this team's policy lists none ("anywhere").
  h = await startHarness({ policyYaml: policyWith().replace(/^channels: .*$/m, '') });
});
afterAll(async () => {
  await h?.close();
});

const answer = async (text: string): Promise<string> => String(((await h.command(REQUESTER, text, { channel: BOT_DM })).json as { text?: string } | null)?.text);

describe('/atlas-restore in a direct message with the bot', () => {
  it('opens no form and says to run it in a channel the approvers are in', async () => {
    const views = h.slack.views().length;
    const text = await answer('ledger');
    expect(text).toMatch(/can't be requested in a direct message with the bot[^]*Run `\/atlas-restore` in a channel the target's approvers are in/);
    expect(h.slack.views().length).toBe(views);
  });

  it('still answers status and help there', async () => {
    expect(await answer('help')).toContain('*Usage*');
    expect(await answer('status')).not.toMatch(/direct message/);
  });
});
