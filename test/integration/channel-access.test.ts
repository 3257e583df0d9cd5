// checkChannelAccess against the fake Slack Web API: each answer of conversations.info, and what the requester is told.
import { webApi } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelAccessProblem, checkChannelAccess } from '../../src/slack/channel-access.js';
import { startFakeSlack, type FakeSlack } from '../fakes/fake-slack.js';

let fake: FakeSlack;
let client: webApi.WebClient;
beforeAll(async () => {
  fake = await startFakeSlack();
  client = new webApi.WebClient(fake.botToken, { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } });
});
afterAll(async () => fake.close());

describe('checkChannelAccess', () => {
  it('tells a member, a channel the bot is not in, an archived one, one it cannot see, and a Slack that does not say', async () => {
    fake.setChannel('C0MEMBER', {});
    expect(await checkChannelAccess(client, 'C0MEMBER')).toBe('ok');
    fake.notInChannel('C0OUTSIDE');
    expect(await checkChannelAccess(client, 'C0OUTSIDE')).toBe('not_in_channel');
    fake.setChannel('C0OLD', { is_archived: true });
    expect(await checkChannelAccess(client, 'C0OLD')).toBe('is_archived');
    fake.failNext('conversations.info', 'channel_not_found');
    expect(await checkChannelAccess(client, 'G0SECRET')).toBe('channel_not_found');
    fake.failNext('conversations.info', 'missing_scope');
    expect(await checkChannelAccess(client, 'C0MEMBER')).toBe('unknown');
  });

  it('says what to do for each problem, and nothing when the bot can post or Slack did not say', () => {
    expect(channelAccessProblem('not_in_channel')).toMatch(/\/invite @Atlas Restore/);
    expect(channelAccessProblem('channel_not_found')).toMatch(/private channel/);
    expect(channelAccessProblem('is_archived')).toMatch(/archived/);
    for (const fine of ['ok', 'unknown', undefined] as const) expect(channelAccessProblem(fine)).toBeUndefined();
  });
});
