// A typo of a subcommand (`stauts`, `lsit`) is read as a cluster name by the grammar. The user must learn that it is
// not a command, and see the usage, in any channel: `status` works everywhere, so a refusal that only says "not in
// this channel" would send them looking for the wrong channel.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHANNEL, DEFAULT_POLICY, OUTSIDER, REQUESTER, startHarness, type Harness } from './conversation-harness.js';

const ELSEWHERE = 'C0ELSEWHERE';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ policyYaml: DEFAULT_POLICY });
});
afterAll(async () => {
  await h?.close();
});

const answer = async (user: string, text: string, channel: string): Promise<string> => String(((await h.command(user, text, { channel })).json as { text?: string } | null)?.text);

describe('a misspelt subcommand', () => {
  it.each([
    ['stauts', 'status', ELSEWHERE],
    ['lsit', 'list', ELSEWHERE],
    ['drils', 'drills', ELSEWHERE],
    ['hepl', 'help', CHANNEL],
    ['Stauts', 'status', CHANNEL],
  ])('`%s` says it is not a command, suggests `%s` and shows the usage (channel %s)', async (typed, meant, channel) => {
    const views = h.slack.views().length;
    const text = await answer(REQUESTER, typed, channel);
    expect(text).toContain(`\`${typed.toLowerCase()}\` is not a command (nor a cluster in the restore policy): did you mean \`/atlas-restore ${meant}\`?`);
    expect(text).toContain('*Usage*');
    expect(text).not.toMatch(/can't be requested in this channel/);
    expect(h.slack.views().length).toBe(views);
  });

  it('with arguments after it: the suggestion keeps them, instead of reading them as a snapshot id', async () => {
    const text = await answer(REQUESTER, 'stauts RR-7K3P2Q', ELSEWHERE);
    expect(text).toContain('did you mean `/atlas-restore status RR-7K3P2Q`?');
    expect(text).not.toMatch(/snapshot id/);
  });

  it('someone outside the policy is told the same (it says nothing of the policy)', async () => {
    expect(await answer(OUTSIDER, 'stauts', CHANNEL)).toMatch(/did you mean `\/atlas-restore status`/);
  });

  it('a cluster named in a channel the policy does not list: the refusal says what works anywhere, with the usage', async () => {
    const text = await answer(REQUESTER, 'shop/orders', ELSEWHERE);
    expect(text).toMatch(/^Restores can't be requested in this channel: run `\/atlas-restore` in <#C0DBOPS01>\. `\/atlas-restore status`, `list`, `drill`, `drills` and `help` work in any channel\./);
    expect(text).toContain('*Usage*');
  });

  it('a word far from every keyword is still read as a cluster name', async () => {
    expect(await answer(REQUESTER, 'nosuch', CHANNEL)).toMatch(/There is no cluster `nosuch` you can use/);
  });
});
