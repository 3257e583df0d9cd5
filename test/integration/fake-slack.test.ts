// The fake Slack must behave like Slack where our app depends on it, or the other tests prove nothing.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { webApi } from '@slack/bolt';
import { startFakeSlack, type FakeSlack } from '../fakes/fake-slack.js';
import { newTriggerId } from '../helpers/slack-requests.js';

const { WebClient } = webApi;

let fake: FakeSlack;
let client: InstanceType<typeof WebClient>;

beforeEach(async () => {
  fake = await startFakeSlack({ users: { U_PARIS: { tz: 'Europe/Paris' } }, usergroups: { S_ONCALL: ['U1', 'U2'] } });
  // No retries: a failure must surface in the test at once.
  client = new WebClient(fake.botToken, { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true });
});
afterEach(async () => {
  await fake.close();
});

/** The Slack error code a WebClient call failed with. */
async function slackError(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    const data = (err as { data?: { error?: string } }).data;
    return data?.error ?? (err as { code?: string }).code ?? String(err);
  }
  throw new Error('expected the call to fail');
}

async function rawPost(method: string, body: string, headers: Record<string, string>) {
  const res = await fetch(`${fake.apiUrl}${method}`, { method: 'POST', headers, body });
  return { status: res.status, headers: res.headers, json: (await res.json()) as Record<string, unknown> };
}

describe('auth', () => {
  it('accepts the bot token and answers auth.test with the bot identity', async () => {
    const res = await client.auth.test();
    expect(res).toMatchObject({ ok: true, user_id: fake.botUserId, team_id: 'T0001', bot_id: 'B0123BOT456' });
  });

  it('rejects another token with invalid_auth and no token with not_authed', async () => {
    const intruder = new WebClient('xoxb-someone-else', { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } });
    expect(await slackError(intruder.chat.postMessage({ channel: 'C1', text: 'hi' }))).toBe('invalid_auth');
    const anonymous = await rawPost('chat.postMessage', 'channel=C1&text=hi', { 'Content-Type': 'application/x-www-form-urlencoded' });
    expect(anonymous.json).toEqual({ ok: false, error: 'not_authed' });
    expect(fake.messages('C1')).toEqual([]);
  });

  it('understands JSON bodies as well as form bodies', async () => {
    const res = await rawPost('chat.postMessage', JSON.stringify({ channel: 'C1', text: 'json', blocks: [{ type: 'divider' }] }), {
      'Content-Type': 'application/json; charset=utf-8',
      Authorization: `Bearer ${fake.botToken}`,
    });
    expect(res.json.ok).toBe(true);
    expect(fake.messages('C1')[0]).toMatchObject({ text: 'json', blocks: [{ type: 'divider' }] });
  });
});

describe('views', () => {
  const modal = { type: 'modal' as const, title: { type: 'plain_text' as const, text: 'Restore' }, blocks: [] };

  it('accepts a trigger once; a used, unknown or expired trigger is refused', async () => {
    const trigger = newTriggerId();
    const opened = await client.views.open({ trigger_id: trigger, view: modal });
    expect(opened.view?.id).toMatch(/^V/);
    expect(await slackError(client.views.open({ trigger_id: trigger, view: modal }))).toBe('invalid_trigger_id');
    expect(await slackError(client.views.open({ trigger_id: '12345.67890.abcdef', view: modal }))).toBe('invalid_trigger_id');
    const old = `trigger-${Date.now() - 10_000}.deadbeef`;
    expect(await slackError(client.views.open({ trigger_id: old, view: modal }))).toBe('expired_trigger_id');
    fake.registerTrigger('12345.67890.registered');
    await expect(client.views.open({ trigger_id: '12345.67890.registered', view: modal })).resolves.toMatchObject({ ok: true });
    expect(fake.views()).toHaveLength(2);
  });

  it('updates a view by id, refusing a stale hash and an unknown id', async () => {
    const { view } = await client.views.open({ trigger_id: newTriggerId(), view: { ...modal, callback_id: 'restore' } });
    const id = view?.id ?? '';
    const staleHash = view?.hash ?? '';
    const updated = await client.views.update({ view_id: id, hash: staleHash, view: { ...modal, callback_id: 'restore', private_metadata: 'v2' } });
    expect(updated.view?.hash).not.toBe(staleHash);
    expect(await slackError(client.views.update({ view_id: id, hash: staleHash, view: modal }))).toBe('hash_conflict');
    expect(await slackError(client.views.update({ view_id: 'VNOPE', view: modal }))).toBe('not_found');
    expect(fake.views()).toEqual([expect.objectContaining({ id, private_metadata: 'v2' })]);
  });
});

describe('home tab', () => {
  const home = { type: 'home' as const, blocks: [{ type: 'section' as const, text: { type: 'mrkdwn' as const, text: 'hi' } }] };

  it('publishes a home per user, keeping the latest; a stale hash, a modal or a bad user are refused', async () => {
    const first = await client.views.publish({ user_id: 'U1', view: home });
    expect(first.view).toMatchObject({ type: 'home', id: expect.stringMatching(/^V/) });
    const second = await client.views.publish({ user_id: 'U1', hash: first.view?.hash ?? '', view: { ...home, blocks: [] } });
    expect(second.view?.id).toBe(first.view?.id);
    expect(await slackError(client.views.publish({ user_id: 'U1', hash: first.view?.hash ?? '', view: home }))).toBe('hash_conflict');
    expect(await slackError(client.views.publish({ user_id: 'U1', view: { type: 'modal', title: { type: 'plain_text', text: 'x' }, blocks: [] } }))).toBe('invalid_arguments');
    expect(await slackError(client.views.publish({ user_id: 'C1', view: home }))).toBe('invalid_arguments');
    expect(fake.home('U1')?.blocks).toEqual([]);
    expect(fake.home('U2')).toBeUndefined();
  });

  it('refuses a home over Slack’s block limits, like views.update: invalid_arguments, saying where', async () => {
    const tooMany = { type: 'home' as const, blocks: Array.from({ length: 101 }, () => ({ type: 'divider' as const })) };
    const err = (await client.views.publish({ user_id: 'U1', view: tooMany }).catch((e: unknown) => e)) as { data?: Record<string, unknown> };
    expect(err.data).toMatchObject({ ok: false, error: 'invalid_arguments', response_metadata: { messages: ['[ERROR] no more than 100 items allowed [json-pointer:/view/blocks]'] } });
    const sameId = { type: 'home' as const, blocks: [{ type: 'divider' as const, block_id: 'a' }, { type: 'divider' as const, block_id: 'a' }] };
    expect(await slackError(client.views.publish({ user_id: 'U1', view: sameId }))).toBe('invalid_arguments');
    const huge = { type: 'home' as const, blocks: Array.from({ length: 90 }, () => ({ type: 'section' as const, text: { type: 'mrkdwn' as const, text: 'x'.repeat(3000) } })) };
    expect(await slackError(client.views.publish({ user_id: 'U1', view: huge }))).toBe('view_too_large');
    expect(fake.home('U1')).toBeUndefined();
  });
});

describe('messages', () => {
  it('answers not_in_channel for a channel the bot is not in, and only there', async () => {
    fake.notInChannel('C_PRIVATE');
    expect(await slackError(client.chat.postMessage({ channel: 'C_PRIVATE', text: 'x' }))).toBe('not_in_channel');
    await expect(client.chat.postMessage({ channel: 'C_OPEN', text: 'x' })).resolves.toMatchObject({ ok: true });
    expect((await client.conversations.info({ channel: 'C_PRIVATE' })).channel?.is_member).toBe(false);
    expect(fake.messages('C_PRIVATE')).toEqual([]);
  });

  it('rebuilds a thread in order, reflecting updates, replies to replies included', async () => {
    const root = await client.chat.postMessage({
      channel: 'C1',
      text: 'fallback',
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*Restore request* RR-1' } }, { type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'Approve' }, action_id: 'a' }] }],
    });
    const rootTs = root.ts ?? '';
    await client.chat.postMessage({ channel: 'C2', text: 'elsewhere' });
    const first = await client.chat.postMessage({ channel: 'C1', thread_ts: rootTs, text: 'approved by <@U2>' });
    await client.chat.postMessage({ channel: 'C1', thread_ts: first.ts ?? '', text: 'Restore completed' });
    await client.chat.update({ channel: 'C1', ts: rootTs, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*Restore request* RR-1: completed' } }] });

    const thread = fake.thread('C1', rootTs);
    expect(thread.map((m) => m.text)).toEqual(['fallback', 'approved by <@U2>', 'Restore completed']);
    expect(thread[0]?.edited).toBeDefined();
    expect(fake.transcript('C1')).toBe('• *Restore request* RR-1: completed\n  ↳ approved by <@U2>\n  ↳ Restore completed');
    expect(await slackError(client.chat.update({ channel: 'C1', ts: '1.000000', text: 'x' }))).toBe('message_not_found');
  });

  it('refuses blocks over Slack’s limits with invalid_blocks, its errors and response_metadata, for every chat method', async () => {
    const long = [{ type: 'section' as const, text: { type: 'mrkdwn' as const, text: 'x'.repeat(3001) } }];
    const err = (await client.chat.postMessage({ channel: 'C1', text: 'x', blocks: long }).catch((e: unknown) => e)) as { data?: Record<string, unknown> };
    expect(err.data).toMatchObject({
      ok: false,
      error: 'invalid_blocks',
      errors: ['must be less than 3001 characters [json-pointer:/blocks/0/text/text]'],
      response_metadata: { messages: ['[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]'] },
    });
    const { ts } = await client.chat.postMessage({ channel: 'C1', text: 'card' });
    expect(await slackError(client.chat.update({ channel: 'C1', ts: ts ?? '', text: 'x', blocks: long }))).toBe('invalid_blocks');
    expect(await slackError(client.chat.postEphemeral({ channel: 'C1', user: 'U1', text: 'x', blocks: long }))).toBe('invalid_blocks');
    expect(fake.messages('C1').map((m) => m.text)).toEqual(['card']);
    expect(fake.ephemerals()).toEqual([]);
  });

  it('truncates a top-level text past 40,000 characters, as Slack does, rather than refusing it', async () => {
    await client.chat.postMessage({ channel: 'C1', text: 'x'.repeat(40_001) });
    expect(fake.messages('C1')[0]?.text).toHaveLength(40_000);
  });

  it('gives every message of a burst its own increasing ts', async () => {
    const posted = await Promise.all(Array.from({ length: 50 }, (_, i) => client.chat.postMessage({ channel: 'C1', text: `m${i}` })));
    const ts = posted.map((p) => p.ts ?? '');
    expect(new Set(ts).size).toBe(50);
    expect(fake.messages('C1').map((m) => m.ts)).toEqual([...ts].sort());
  });

  it('stores ephemerals per user and links messages', async () => {
    await client.chat.postEphemeral({ channel: 'C1', user: 'U1', text: 'only you' });
    await client.chat.postEphemeral({ channel: 'C1', user: 'U2', text: 'not you' });
    expect(fake.ephemerals('U1').map((e) => e.text)).toEqual(['only you']);
    const { ts } = await client.chat.postMessage({ channel: 'C1', text: 'card' });
    const link = await client.chat.getPermalink({ channel: 'C1', message_ts: ts ?? '' });
    expect(link.permalink).toBe(`${fake.url}/archives/C1/p${(ts ?? '').replace('.', '')}`);
  });
});

describe('directory', () => {
  it('lists user-group members and user time zones', async () => {
    expect((await client.usergroups.users.list({ usergroup: 'S_ONCALL' })).users).toEqual(['U1', 'U2']);
    expect(await slackError(client.usergroups.users.list({ usergroup: 'S_NOPE' }))).toBe('no_such_subteam');
    const paris = await client.users.info({ user: 'U_PARIS' });
    expect(paris.user?.tz).toBe('Europe/Paris');
    expect([3600, 7200]).toContain(paris.user?.tz_offset);
    expect((await client.users.info({ user: 'U_ANYONE' })).user?.tz).toBe('UTC');
  });
});

describe('configuration', () => {
  it('refuses an unknown time zone with a message naming the option', async () => {
    await expect(startFakeSlack({ users: { U1: { tz: 'Mars/Olympus' } } })).rejects.toThrow(/bad users option.*Mars\/Olympus/);
  });
});

describe('failures', () => {
  it('answers 429 with Retry-After once, then serves the call again', async () => {
    fake.rateLimit('chat.postMessage', 7);
    const limited = await rawPost('chat.postMessage', 'channel=C1&text=x', {
      'Content-Type': 'application/x-www-form-urlencoded',
      Authorization: `Bearer ${fake.botToken}`,
    });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    await expect(client.chat.postMessage({ channel: 'C1', text: 'x' })).resolves.toMatchObject({ ok: true });
  });

  it('makes a rate-limit visible to @slack/web-api as one', async () => {
    fake.rateLimit('chat.update', 3);
    const err = await client.chat.update({ channel: 'C1', ts: '1.0', text: 'x' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'slack_webapi_rate_limited_error', retryAfter: 3 });
  });

  it('fails the next N calls of a method with the given error', async () => {
    fake.failNext('chat.postMessage', 'channel_not_found', 2);
    expect(await slackError(client.chat.postMessage({ channel: 'C1', text: 'a' }))).toBe('channel_not_found');
    expect(await slackError(client.chat.postMessage({ channel: 'C1', text: 'b' }))).toBe('channel_not_found');
    await expect(client.chat.postMessage({ channel: 'C1', text: 'c' })).resolves.toMatchObject({ ok: true });
    expect(fake.calls.filter((c) => c.method === 'chat.postMessage').map((c) => c.error ?? 'ok')).toEqual(['channel_not_found', 'channel_not_found', 'ok']);
    expect(() => fake.failNext('chat.postMessage', 'x', 0)).toThrow(/positive integer/);
  });
});

describe('response_url and waiting', () => {
  it('records response_url posts as ephemerals, at most 5 uses', async () => {
    const url = fake.responseUrl('cmd-1', { userId: 'U1', channelId: 'C1' });
    const post = (text: string) => fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ text }) });
    const statuses = [];
    for (let i = 0; i < 6; i += 1) statuses.push((await post(`r${i}`)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 404]);
    expect(fake.ephemerals('U1').map((e) => e.text)).toEqual(['r0', 'r1', 'r2', 'r3', 'r4']);
    expect((await fake.waitForCall('response_url', (c) => c.args.text === 'r4')).args.id).toBe('cmd-1');
  });

  it('lets a block-action response_url replace the original message', async () => {
    const { ts } = await client.chat.postMessage({ channel: 'C1', text: 'Approve?' });
    const url = fake.responseUrl('action-1', { channelId: 'C1', messageTs: ts ?? '', userId: 'U2' });
    const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ replace_original: true, text: 'Approved' }) });
    expect(res.status).toBe(200);
    expect(fake.messages('C1').map((m) => m.text)).toEqual(['Approved']);
    const unknown = await fetch(`${fake.url}/response/never-issued`, { method: 'POST', body: '{}' });
    expect(unknown.status).toBe(404);
  });

  it('answers a response_url post with blocks Slack would refuse with a 400 invalid_blocks', async () => {
    const url = fake.responseUrl('cmd-2', { userId: 'U1', channelId: 'C1' });
    const blocks = [{ type: 'header', text: { type: 'plain_text', text: 'x'.repeat(151) } }];
    const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ text: 'x', blocks }) });
    expect([res.status, await res.text()]).toEqual([400, 'invalid_blocks']);
    expect(fake.ephemerals('U1')).toEqual([]);
    expect(fake.calls.at(-1)).toMatchObject({ method: 'response_url', status: 400, error: 'invalid_blocks' });
  });

  it('waitForCall resolves on a later call and times out with the calls it saw', async () => {
    const waiting = fake.waitForCall('chat.postMessage', (c) => c.args.text === 'later', 2000);
    await client.auth.test();
    await client.chat.postMessage({ channel: 'C1', text: 'later' });
    expect((await waiting).args.channel).toBe('C1');
    await expect(fake.waitForCall('views.open', undefined, 50)).rejects.toThrow(/no matching views.open call within 50 ms; calls so far: auth.test, chat.postMessage/);
  });
});

describe('the workspace changing under the bot', () => {
  it('a card deleted with replies is a tombstone that refuses replies and edits; one without replies is gone', async () => {
    const card = await client.chat.postMessage({ channel: 'C1', text: 'card' });
    await client.chat.postMessage({ channel: 'C1', text: 'reply', thread_ts: card.ts! });
    const lone = await client.chat.postMessage({ channel: 'C1', text: 'lone' });
    fake.deleteMessage('C1', card.ts!);
    fake.deleteMessage('C1', lone.ts!);
    expect(fake.workspace.findMessage('C1', card.ts!)).toMatchObject({ subtype: 'tombstone', text: 'This message was deleted.' });
    expect(fake.workspace.findMessage('C1', lone.ts!)).toBeUndefined();
    expect(await slackError(client.chat.postMessage({ channel: 'C1', text: 'late', thread_ts: card.ts! }))).toBe('cannot_reply_to_message');
    expect(await slackError(client.chat.postMessage({ channel: 'C1', text: 'late', thread_ts: lone.ts! }))).toBe('thread_not_found');
    expect(await slackError(client.chat.update({ channel: 'C1', ts: card.ts!, text: 'edit' }))).toBe('message_not_found');
  });

  it('an archived channel refuses posts (is_archived) and edits (is_inactive)', async () => {
    const card = await client.chat.postMessage({ channel: 'C2', text: 'card' });
    fake.setChannel('C2', { is_archived: true });
    expect(await slackError(client.chat.postMessage({ channel: 'C2', text: 'more' }))).toBe('is_archived');
    expect(await slackError(client.chat.update({ channel: 'C2', ts: card.ts!, text: 'edit' }))).toBe('is_inactive');
  });

  it('a revoked token refuses every call until it is restored', async () => {
    fake.revokeToken('account_inactive');
    expect(await slackError(client.auth.test())).toBe('account_inactive');
    fake.restoreToken();
    expect((await client.auth.test()).ok).toBe(true);
  });

  it('one post a second per channel: a second one within the second is answered 429 with Retry-After; another channel is not held back', async () => {
    fake.limitChannelPosts(1);
    await client.chat.postMessage({ channel: 'C3', text: 'one' });
    expect(await slackError(client.chat.postMessage({ channel: 'C3', text: 'two' }))).toBe('slack_webapi_rate_limited_error');
    expect(fake.calls.at(-1)).toMatchObject({ method: 'chat.postMessage', status: 429 });
    expect((await client.chat.postMessage({ channel: 'C4', text: 'elsewhere' })).ok).toBe(true);
  });

  it('failNext with a match fails only the calls it matches', async () => {
    fake.failNext('chat.postMessage', 'invalid_blocks', 5, (a) => a.channel === 'C5');
    expect((await client.chat.postMessage({ channel: 'C6', text: 'fine' })).ok).toBe(true);
    expect(await slackError(client.chat.postMessage({ channel: 'C5', text: 'refused' }))).toBe('invalid_blocks');
    fake.clearFailures('chat.postMessage');
    expect((await client.chat.postMessage({ channel: 'C5', text: 'fine now' })).ok).toBe(true);
  });
});
