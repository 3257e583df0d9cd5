// The bot token refused (the app uninstalled, the token revoked): the messenger says so once, for readiness and a
// metric, and sees by itself when it works again, even when no restore has anything to say meanwhile.
import { webApi } from '@slack/bolt';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSlackMessenger } from '../../src/slack/slack-messenger.js';
import { startFakeSlack, type FakeSlack } from '../fakes/fake-slack.js';
import { waitFor } from '../helpers/wait-for.js';
import { sampleRequest } from '../helpers/sample-request.js';

let fake: FakeSlack;
const lines: string[] = [];
beforeAll(async () => {
  fake = await startFakeSlack();
});
afterAll(async () => fake.close());

describe('the messenger’s token health', () => {
  it('is not ok from the first refusal, said once as an error; back to ok once Slack takes the token, without anything to post', async () => {
    const client = new webApi.WebClient(fake.botToken, { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } });
    const logger = pino({ level: 'info' }, { write: (l: string) => void lines.push(l) });
    const messenger = createSlackMessenger(client, logger, () => new Date(), { tokenRecheckMs: 50 });
    const req = sampleRequest({ channel: 'C0TOKEN01' });
    expect(messenger.tokenHealth()).toEqual({ ok: true });

    fake.revokeToken('token_revoked');
    await messenger.postInThread(req, { text: 'one' });
    await messenger.postInThread(req, { text: 'two' });
    expect(messenger.tokenHealth()).toEqual({ ok: false, reason: 'Slack refuses the bot token (token_revoked)' });
    const errors = lines.filter((l) => l.includes('Slack refuses the bot token (token_revoked)'));
    expect(errors).toHaveLength(1);
    expect(JSON.parse(errors[0]!)).toMatchObject({ level: 50 });
    expect(errors[0]).toContain('SLACK_BOT_TOKEN');

    fake.restoreToken();
    await waitFor(() => messenger.tokenHealth().ok, { timeoutMs: 5000, message: 'the token seen working again' });
    expect(fake.calls.some((c) => c.method === 'auth.test' && c.ok)).toBe(true);
    expect(lines.some((l) => l.includes('Slack takes the bot token again'))).toBe(true);
  });
});
