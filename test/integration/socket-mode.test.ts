// The whole app in Socket Mode (real Bolt SocketModeReceiver, real Redis, real BullMQ) against a fake Socket Mode
// server, the fake Slack Web API (which hands out the socket URL from apps.connections.open) and the fake Atlas.
// Slack's requests arrive as envelopes on the WebSocket; the app's answers come back in the acks.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { buildApp, type RunningApp } from '../../src/app.js';
import { configForFakes } from '../fakes/config-for-fakes.js';
import { parsePolicy } from '../../src/policy/load-policy.js';
import { createSlackApp } from '../../src/slack/create-app.js';
import { CONFIRMATION_BLOCK_ID } from '../../src/slack/views/ids.js';
import { helpText } from '../../src/slack/views/status-views.js';
import { startFakeAtlas, type FakeAtlas } from '../fakes/fake-atlas.js';
import { startFakeSlack, type FakeSlack, type StoredView } from '../fakes/fake-slack.js';
import { startFakeSocketMode, type FakeSocketMode } from '../fakes/fake-socket-mode.js';
import { buildBlockActionPayload, buildSlashCommandBody, buildViewSubmissionPayload } from '../helpers/slack-requests.js';
import { waitFor } from '../helpers/wait-for.js';
import { APPROVER, CHANNEL, DEFAULT_POLICY, GROUP_ID, REQUESTER, filledView, isFilledModal, type ModalFields } from './conversation-harness.js';

const APP_TOKEN = 'xapp-1-test';
const quiet = pino({ level: process.env.TEST_LOG ?? 'silent' });

let sock: FakeSocketMode;
let slack: FakeSlack;
let atlas: FakeAtlas;
let app: RunningApp;
let redis: Redis;
const prefix = `test-socket-${randomBytes(4).toString('hex')}:`;
let closed = false;

async function closeEverything(): Promise<void> {
  if (closed) return;
  closed = true;
  await app?.stop();
  if (redis) {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  }
  await slack?.close();
  await atlas?.close();
  await sock?.close();
}

/**
 * Kinds and counts of the process's network handles (sockets, servers): what this test opens. Timers are left out:
 * the runner's own hook and test timers come and go with the load.
 */
function activeResources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) if (kind.startsWith('TCP')) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}
let resourcesBefore: Record<string, number>;

beforeAll(async () => {
  resourcesBefore = activeResources();
  sock = await startFakeSocketMode();
  slack = await startFakeSlack({ users: { [REQUESTER]: { tz: 'Europe/Paris' } }, socketMode: { appToken: APP_TOKEN, connectionUrl: () => sock.connectionUrl() } });
  atlas = await startFakeAtlas({ stepsPerState: 0 });
  for (const [name, type] of [['orders', 'flex'], ['ledger', 'dedicated'], ['legacy', 'serverless'], ['staging', 'dedicated']] as const) {
    atlas.addCluster({ groupId: GROUP_ID, name, type, snapshots: 3 });
  }
  redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  const config = configForFakes({ slack, atlas, socketAppToken: APP_TOKEN, prefix });
  app = buildApp(config, parsePolicy(DEFAULT_POLICY, 'test-policy.yaml'), quiet, {
    atlas: { retryPolicy: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 20 }, timeoutMs: 2000 },
    tracker: { minDelayMs: 50, maxDelayMs: 200, worker: { drainDelay: 1 } },
  });
  await app.start();
});
afterAll(closeEverything);

function slashCommand(user: string, text: string): Record<string, unknown> {
  return Object.fromEntries(new URLSearchParams(buildSlashCommandBody({ text, userId: user, channelId: CHANNEL, responseUrl: slack.responseUrl(`cmd-${randomBytes(3).toString('hex')}`, { channelId: CHANNEL, userId: user }) })));
}

/** The HTTP status a WebSocket upgrade to `url` gets (101 when it is accepted; the socket is closed at once). */
function upgradeStatus(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('open', () => {
      ws.terminate();
      resolve(101);
    });
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
      ws.terminate();
    });
    ws.once('error', reject);
  });
}

/** The view_submission Slack sends for `view` with the fields filled in. */
function viewSubmission(view: StoredView, user: string, fields: ModalFields): Record<string, unknown> {
  return buildViewSubmissionPayload({ userId: user, view: filledView(view, fields) });
}

/** Sends `/atlas-restore shop/<cluster> <snapshot>` over the socket and returns the modal once it shows that snapshot. */
async function openFilledModal(cluster: string, snapshotId: string): Promise<StoredView> {
  const callsBefore = slack.calls.length;
  const ack = await sock.send('slash_commands', slashCommand(REQUESTER, `shop/${cluster} ${snapshotId}`));
  expect(ack).toEqual({}); // the modal opens instead of a message
  await slack.waitForCall('views.open', (c) => c.seq >= callsBefore && c.ok);
  await slack.waitForCall('views.update', (c) => c.seq >= callsBefore && c.ok && JSON.stringify(c.args.view).includes(snapshotId));
  return waitFor(() => slack.views().find((v) => v.callback_id === 'atlas_restore_modal' && isFilledModal(v) && JSON.stringify(v.blocks).includes(`shop/${cluster}`)), {
    message: `restore modal for ${cluster} with snapshots`,
  });
}

describe('Socket Mode, end to end', () => {
  it('connects with the app-level token and serves /healthz and /readyz on its own port', async () => {
    const open = slack.calls.filter((c) => c.method === 'apps.connections.open');
    expect(open.map((c) => c.ok)).toEqual([true]);
    expect(sock.connections().map((c) => c.open)).toEqual([true]);
    expect(await sock.ping()).toBe(1); // the client answers Slack's pings
    // Only the app-level token opens a connection, and a socket URL works once.
    const openWith = async (token: string) => (await (await fetch(`${slack.apiUrl}apps.connections.open`, { method: 'POST', headers: { Authorization: `Bearer ${token}` } })).json()) as { ok: boolean; error?: string; url?: string };
    expect(await openWith(slack.botToken)).toEqual({ ok: false, error: 'not_allowed_token_type' });
    expect(await openWith('xapp-1-other')).toEqual({ ok: false, error: 'invalid_auth' });
    const reusedUrl = `${sock.url}/link/?ticket=${sock.connections()[0]!.ticket}&app_id=${sock.appId}`;
    expect(await upgradeStatus(reusedUrl)).toBe(401);

    const address = app.address();
    expect(address?.port).toBeGreaterThan(0);
    const health = await fetch(`${address!.url}/healthz`);
    expect(health.status).toBe(200);
    const ready = await fetch(`${address!.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready' });
    expect((await fetch(`${address!.url}/slack/events`, { method: 'POST' })).status).toBe(404); // no HTTP receiver
  });

  it('answers `help` in the ack of the slash command envelope', async () => {
    const ack = await sock.send('slash_commands', slashCommand(REQUESTER, 'help'));
    expect(ack).toEqual({ response_type: 'ephemeral', text: helpText() });
  });

  it('runs the whole conversation over the socket: command → modal → card → approval → one POST → "Restore completed"', async () => {
    const snapshotId = String(atlas.snapshots(GROUP_ID, 'orders')[1]!.id);
    const modal = await openFilledModal('orders', snapshotId);

    const submitAck = await sock.send('interactive', viewSubmission(modal, REQUESTER, { snapshotId, confirmation: 'orders', reason: 'orders.status index dropped' }));
    expect(submitAck).toEqual({}); // closes the modal: no response_action

    const req = await waitFor(async () => (await app.services.store.listRecent(1)).find((r) => r.target.cluster === 'orders' && r.cardTs), { message: 'posted request' });
    expect(req.state).toBe('pending_approval');
    expect(req.snapshot.id).toBe(snapshotId);
    const card = slack.messages(CHANNEL).find((m) => !m.thread_ts && m.text.includes(req.id))!;
    expect(JSON.stringify(card.blocks)).toContain('"action_id":"restore_approve"');

    const postsBefore = atlas.requests.filter((r) => r.method === 'POST' && r.path.includes('restoreJobs')).length;
    const clickAck = await sock.send('interactive', buildBlockActionPayload({ actionId: 'restore_approve', value: req.id, userId: APPROVER, channelId: CHANNEL, messageTs: card.ts, message: card as unknown as Record<string, unknown> }));
    expect(clickAck).toEqual({});
    const running = await waitFor(async () => {
      const r = await app.services.store.get(req.id);
      return r?.state === 'running' ? r : undefined;
    }, { message: `${req.id} running` });
    expect(running.approvals.map((a) => a.user)).toEqual([APPROVER]);
    expect(atlas.requests.filter((r) => r.method === 'POST' && r.path.includes('restoreJobs')).length - postsBefore).toBe(1);

    const thread = () => slack.thread(CHANNEL, card.ts).slice(1).map((m) => `${m.text}\n${JSON.stringify(m.blocks ?? [])}`);
    await waitFor(() => thread().some((t) => /Restore submitted to Atlas/.test(t)), { message: 'submitted message in the thread' });
    atlas.advanceJob(running.atlasJobId!, 'running');
    atlas.advanceJob(running.atlasJobId!, 'completed');
    const final = await waitFor(() => thread().find((t) => /Restore completed/.test(t)), { timeoutMs: 8000, message: '"Restore completed" in the thread' });
    expect(final).toContain(running.atlasJobId!);
    expect(final).toContain(`<@${REQUESTER}>`);
  });

  it('returns a wrong confirmation as response_action "errors" in the ack of the view_submission', async () => {
    const snapshotId = String(atlas.snapshots(GROUP_ID, 'ledger')[0]!.id);
    const modal = await openFilledModal('ledger', snapshotId);
    const before = (await app.services.store.listRecent(100)).length;

    const ack = await sock.send('interactive', viewSubmission(modal, REQUESTER, { snapshotId, confirmation: 'not-ledger' }));
    expect(ack.response_action).toBe('errors');
    expect(Object.keys(ack.errors as Record<string, string>)).toContain(CONFIRMATION_BLOCK_ID);
    expect((await app.services.store.listRecent(100)).length).toBe(before); // nothing was requested
  });

  it('stop() closes the socket cleanly and leaves no open handles behind', async () => {
    const url = app.address()!.url;
    await app.stop();
    const [conn] = await waitFor(() => {
      const all = sock.connections();
      return all.every((c) => !c.open) ? all : undefined;
    }, { message: 'the fake to see the socket closed' });
    expect(sock.connections()).toHaveLength(1); // never reconnected, not even while stopping
    expect(conn).toMatchObject({ open: false, closeCode: 1000 });
    await expect(fetch(`${url}/healthz`)).rejects.toThrow(); // the routes server is closed too

    await closeEverything();
    // Every socket and server the test opened is gone, so the test file can end.
    const expected = JSON.stringify(resourcesBefore);
    let now = '';
    await waitFor(() => (now = JSON.stringify(activeResources())) === expected, { timeoutMs: 5000, message: `network handles back to ${expected}` }).catch((err: Error) => {
      throw new Error(`${err.message} (still open: ${now})`);
    });
  });
});

describe('createSlackApp in Socket Mode', () => {
  it("keeps the bot client's retry policy (the socket client's 100 retries stay its own)", () => {
    const http = createSlackApp({ botToken: 'xoxb-x', signingSecret: 's', socketMode: false, port: 0, logger: quiet, slackApiUrl: 'http://127.0.0.1:9/api' });
    const socket = createSlackApp({ botToken: 'xoxb-x', appToken: APP_TOKEN, socketMode: true, port: 0, logger: quiet, slackApiUrl: 'http://127.0.0.1:9/api' });
    const retries = (s: typeof http) => (s.app.client as unknown as { retryConfig: { retries: number } }).retryConfig.retries;
    expect(retries(socket)).toBe(retries(http));
    expect(retries(http)).toBeLessThanOrEqual(3); // bounded: a handler or a poll never waits out Slack for half an hour
  });
});
