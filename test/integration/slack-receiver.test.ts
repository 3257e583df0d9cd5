// The Bolt app as Slack sees it: a real HTTP server on port 0, signed requests, a fake Slack Web API behind it.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSlackApp, SlackAppConfigError, type SlackApp } from '../../src/slack/create-app.js';
import { startFakeSlack, type FakeSlack } from '../fakes/fake-slack.js';
import {
  buildBlockActionPayload,
  buildSlashCommandBody,
  buildViewSubmissionPayload,
  newTriggerId,
  sendBlockAction,
  sendBlockSuggestion,
  sendSlashCommand,
  sendViewAction,
  sendViewSubmission,
} from '../helpers/slack-requests.js';

const SECRET = 'test-signing-secret-0123456789';
const silent = pino({ level: 'silent' });
const CONTRACTS = fileURLToPath(new URL('../contracts/slack-payloads/', import.meta.url));

let fake: FakeSlack;
let slack: SlackApp;
let appUrl: string;

beforeAll(async () => {
  fake = await startFakeSlack();
  slack = createSlackApp({
    botToken: fake.botToken,
    signingSecret: SECRET,
    socketMode: false,
    slackApiUrl: fake.apiUrl,
    port: 0,
    logger: silent,
    customRoutes: [{ path: '/healthz', method: 'GET', handler: (_req, res) => res.writeHead(200).end('ok') }],
  });
  const { app } = slack;
  // Trivial handlers, registered here: the real ones belong to the app's wiring.
  app.command('/atlas-restore', async ({ ack, body, client, context }) => {
    await ack();
    // Bolt exposes X-Slack-Retry-Num as context.retryNum (undefined on a first delivery).
    await client.views.open({
      trigger_id: body.trigger_id,
      view: {
        type: 'modal',
        callback_id: 'probe',
        title: { type: 'plain_text', text: 'Probe' },
        private_metadata: JSON.stringify({ text: body.text, retryNum: context.retryNum ?? null }),
        blocks: [],
      },
    });
  });
  app.action('restore_approve', async ({ ack, body, client }) => {
    await ack();
    if (body.type !== 'block_actions' || !body.channel || !body.message) return;
    await client.chat.postMessage({ channel: body.channel.id, thread_ts: body.message.ts, text: `approved by <@${body.user.id}>` });
  });
  app.action('source_select', async ({ ack, body, client }) => {
    await ack();
    if (body.type !== 'block_actions' || !body.view) return;
    await client.chat.postEphemeral({ channel: 'C1', user: body.user.id, text: `view ${body.view.id} changed` });
  });
  app.options('snapshot_select', async ({ ack, payload }) => {
    await ack({ options: [{ text: { type: 'plain_text', text: `match ${payload.value}` }, value: 'snap-1' }] });
  });
  app.view('probe', async ({ ack }) => {
    await ack({ response_action: 'errors', errors: { target_block: 'Type the target cluster name to confirm' } });
  });
  const address = await slack.start();
  appUrl = address?.url ?? '';
});

afterAll(async () => {
  await slack?.stop();
  await fake?.close();
});

describe('createSlackApp', () => {
  it('listens on the port it was given (0 = any) and reports the bound address', () => {
    expect(slack.address()?.port).toBeGreaterThan(0);
    expect(appUrl).toBe(`http://127.0.0.1:${slack.address()?.port}`);
  });

  it('verifies the token once at start, not at construction nor per request', async () => {
    expect(fake.calls.filter((c) => c.method === 'auth.test')).toHaveLength(1);
    const before = fake.calls.length;
    const other = createSlackApp({ botToken: 'xoxb-wrong', signingSecret: SECRET, socketMode: false, slackApiUrl: fake.apiUrl, port: 0, logger: silent });
    expect(fake.calls.length).toBe(before);
    await expect(other.start()).rejects.toMatchObject({ data: { error: 'invalid_auth' } });
    expect(other.address()).toBeUndefined();
  });

  it('refuses incomplete configuration with coded errors', () => {
    const base = { botToken: 'xoxb-x', port: 0, logger: silent };
    expect(() => createSlackApp({ ...base, socketMode: false })).toThrow(SlackAppConfigError);
    expect(() => createSlackApp({ ...base, socketMode: false })).toThrow(expect.objectContaining({ code: 'SLACK_SIGNING_SECRET_MISSING' }));
    expect(() => createSlackApp({ ...base, socketMode: true })).toThrow(expect.objectContaining({ code: 'SLACK_APP_TOKEN_MISSING' }));
    const socket = createSlackApp({ ...base, socketMode: true, appToken: 'xapp-1-x' });
    expect(socket.receiver).toBeUndefined();
  });

  it('serves custom routes next to /slack/events, 404 elsewhere', async () => {
    expect((await fetch(`${appUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${appUrl}/nope`)).status).toBe(404);
  });
});

describe('signed requests', () => {
  it('runs the command handler for a signed slash command', async () => {
    const triggerId = newTriggerId();
    const res = await sendSlashCommand(appUrl, SECRET, { text: 'shop/orders', userId: 'U1', channelId: 'C1', triggerId });
    expect(res.status).toBe(200);
    const call = await fake.waitForCall('views.open', (c) => c.args.trigger_id === triggerId);
    expect(call.ok).toBe(true);
    expect(JSON.parse((call.args.view as { private_metadata: string }).private_metadata)).toEqual({ text: 'shop/orders', retryNum: null });
  });

  it.each(['forged', 'unsigned', 'stale'] as const)('answers 401 to a %s request and runs no handler', async (tamper) => {
    const rejectedTrigger = newTriggerId();
    const res = await sendSlashCommand(appUrl, SECRET, { text: tamper, userId: 'U1', channelId: 'C1', triggerId: rejectedTrigger }, { tamper });
    expect(res.status).toBe(401);
    // A signed request sent after it is handled; had the rejected one reached a handler, its call would be recorded too.
    const okTrigger = newTriggerId();
    await sendSlashCommand(appUrl, SECRET, { text: 'after', userId: 'U1', channelId: 'C1', triggerId: okTrigger });
    await fake.waitForCall('views.open', (c) => c.args.trigger_id === okTrigger);
    expect(fake.calls.filter((c) => c.args.trigger_id === rejectedTrigger)).toEqual([]);
  });

  it('passes X-Slack-Retry-Num to the handler as context.retryNum', async () => {
    const triggerId = newTriggerId();
    const res = await sendSlashCommand(appUrl, SECRET, { text: 'again', userId: 'U1', channelId: 'C1', triggerId }, { retryNum: 2 });
    expect(res.status).toBe(200);
    const call = await fake.waitForCall('views.open', (c) => c.args.trigger_id === triggerId);
    expect(JSON.parse((call.args.view as { private_metadata: string }).private_metadata)).toMatchObject({ retryNum: 2 });
  });
});

describe('the senders speak Bolt', () => {
  it('block action on a message', async () => {
    const { ts } = await slack.app.client.chat.postMessage({ channel: 'C_CARD', text: 'card' });
    const res = await sendBlockAction(appUrl, SECRET, { actionId: 'restore_approve', value: 'RR-1', userId: 'U2', channelId: 'C_CARD', messageTs: ts ?? '' });
    expect(res.status).toBe(200);
    await fake.waitForCall('chat.postMessage', (c) => c.args.thread_ts === ts);
    expect(fake.transcript('C_CARD')).toBe('• card\n  ↳ approved by <@U2>');
  });

  it('block action inside a modal, block suggestion, view submission with inline errors', async () => {
    const view = { id: 'V_MODAL', callback_id: 'probe', title: { type: 'plain_text', text: 'Probe' }, blocks: [] };
    const action = await sendViewAction(appUrl, SECRET, { actionId: 'source_select', userId: 'U3', view, selectedOption: { text: 'orders', value: 'shop/orders' } });
    expect(action.status).toBe(200);
    await fake.waitForCall('chat.postEphemeral', (c) => c.args.text === 'view V_MODAL changed');

    const suggestion = await sendBlockSuggestion(appUrl, SECRET, { actionId: 'snapshot_select', blockId: 'snapshot_block', value: '2026', userId: 'U3', view });
    expect(suggestion.json).toEqual({ options: [{ text: { type: 'plain_text', text: 'match 2026' }, value: 'snap-1' }] });

    const submitted = await sendViewSubmission(appUrl, SECRET, { view, userId: 'U3' });
    expect(submitted.status).toBe(200);
    expect(submitted.json).toEqual({ response_action: 'errors', errors: { target_block: 'Type the target cluster name to confirm' } });
  });
});

describe('payloads match Slack’s published examples', () => {
  const contract = (name: string) => readFileSync(`${CONTRACTS}${name}`, 'utf8');
  const keys = (o: unknown) => Object.keys(o as object).sort();

  it('slash command: same form fields, same order', () => {
    const ours = [...new URLSearchParams(buildSlashCommandBody({ text: 'x', userId: 'U1', channelId: 'C1' })).keys()];
    expect(ours).toEqual([...new URLSearchParams(contract('slash_command.txt').trim()).keys()]);
  });

  it('block_actions: same fields at every level we build', () => {
    const theirs = JSON.parse(contract('block_actions.json')) as Record<string, Record<string, unknown>>;
    const ours = buildBlockActionPayload({ actionId: 'a', value: 'v', userId: 'U1', channelId: 'C1', messageTs: '1.000001' }) as Record<string, Record<string, unknown>>;
    expect(keys(ours)).toEqual(keys(theirs));
    for (const k of ['user', 'container', 'team', 'enterprise', 'channel', 'state']) expect(keys(ours[k]), k).toEqual(keys(theirs[k]));
    const theirAction = (theirs.actions as unknown as Record<string, unknown>[])[0];
    const ourAction = (ours.actions as unknown as Record<string, unknown>[])[0];
    expect(keys(ourAction)).toEqual(keys(theirAction).filter((k) => k !== 'style'));
  });

  it('view_submission: same top-level fields, and every view field Slack adds', () => {
    const theirs = JSON.parse(contract('view_submission.json')) as Record<string, Record<string, unknown>>;
    const appFields = { title: {}, close: {}, submit: {}, blocks: [], callback_id: 'c', private_metadata: '' };
    const ours = buildViewSubmissionPayload({ view: appFields, userId: 'U1' }) as Record<string, Record<string, unknown>>;
    expect(keys(ours)).toEqual(keys(theirs));
    expect(keys(ours.view)).toEqual(keys(theirs.view));
  });
});
