// Readiness follows the Slack socket in Socket Mode: a pod whose websocket is down (not yet connected, cut, or unable
// to reconnect) ignores Slack, so /readyz must say so; /healthz must not (a Slack outage must not restart pods).
// The whole app against the fake Socket Mode server, the fake Slack Web API, the fake Atlas and real Redis.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type RunningApp } from '../../src/app.js';
import type { Config } from '../../src/config.js';
import { configForFakes } from '../fakes/config-for-fakes.js';
import { parsePolicy } from '../../src/policy/load-policy.js';
import { startFakeAtlas, type FakeAtlas } from '../fakes/fake-atlas.js';
import { startFakeSlack, type FakeSlack } from '../fakes/fake-slack.js';
import { startFakeSocketMode, type FakeSocketMode } from '../fakes/fake-socket-mode.js';
import { buildSlashCommandBody } from '../helpers/slack-requests.js';
import { waitFor } from '../helpers/wait-for.js';
import { helpText } from '../../src/slack/views/status-views.js';
import { CHANNEL, DEFAULT_POLICY, REQUESTER } from './conversation-harness.js';

const APP_TOKEN = 'xapp-1-test';
const SOCKET_DOWN = 'Slack socket not connected';

let sock: FakeSocketMode;
let slack: FakeSlack;
let atlas: FakeAtlas;
let app: RunningApp;
let redis: Redis;
let starting: Promise<unknown>;
let config: Readonly<Config>;
const prefix = `test-socket-ready-${randomBytes(4).toString('hex')}:`;
const logLines: Record<string, unknown>[] = [];
const logger = pino({ level: 'info' }, { write: (line: string) => void logLines.push(JSON.parse(line) as Record<string, unknown>) });

async function probe(path: '/healthz' | '/readyz'): Promise<{ status: number; body: { status?: string; reasons?: string[] } }> {
  const res = await fetch(`${app.address()!.url}${path}`);
  return { status: res.status, body: (await res.json()) as { status?: string; reasons?: string[] } };
}
const socketDown = (r: { status: number; body: { reasons?: string[] } }) => r.status === 503 && (r.body.reasons ?? []).some((x) => x.startsWith(SOCKET_DOWN));

beforeAll(async () => {
  sock = await startFakeSocketMode();
  slack = await startFakeSlack({ socketMode: { appToken: APP_TOKEN, connectionUrl: () => sock.connectionUrl() } });
  atlas = await startFakeAtlas({ stepsPerState: 0 });
  redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  config = configForFakes({ slack, atlas, socketAppToken: APP_TOKEN, prefix });
  app = buildApp(config, parsePolicy(DEFAULT_POLICY, 'test-policy.yaml'), logger, { tracker: { worker: { drainDelay: 1 } } });
});

afterAll(async () => {
  await starting?.catch(() => undefined);
  await app?.stop();
  if (redis) {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  }
  await slack?.close();
  await atlas?.close();
  await sock?.close();
});

describe('Socket Mode readiness follows the websocket', () => {
  it('is not ready before the first connect (the reason says the socket), alive all along, ready once Slack says hello', async () => {
    const release = sock.holdHello();
    starting = app.start();
    await waitFor(() => app.address(), { message: 'the routes server to listen' });
    await waitFor(() => sock.connections().length === 1, { message: 'the socket to open (no hello yet)' });
    const before = await probe('/readyz');
    expect(before.status).toBe(503);
    expect(before.body.reasons).toContain(SOCKET_DOWN);
    expect((await probe('/healthz')).status).toBe(200);
    release();
    await starting;
    expect(await probe('/readyz')).toEqual({ status: 200, body: { status: 'ready' } });
  });

  it('is not ready while the socket is cut and cannot reconnect yet, ready again once it has; liveness stays 200', async () => {
    const release = sock.holdHello();
    sock.dropConnections();
    const down = await waitFor(async () => {
      const r = await probe('/readyz');
      return socketDown(r) ? r : undefined;
    }, { message: '/readyz to say the socket is down' });
    expect(down.body).toEqual({ status: 'not ready', reasons: [expect.stringMatching(new RegExp(`^${SOCKET_DOWN}`))] });
    expect((await probe('/healthz')).status).toBe(200);
    // The log says why, as for any other readiness change.
    await waitFor(() => logLines.some((l) => l.msg === 'readiness: not ready' && JSON.stringify(l.reasons).includes(SOCKET_DOWN)), { message: 'the not-ready log line' });
    // The client reconnects by itself (after its back-off): a new connection, held before its hello.
    await waitFor(() => sock.connections().length === 2, { timeoutMs: 15_000, message: 'the client to open a new socket' });
    expect(socketDown(await probe('/readyz'))).toBe(true);
    release();
    await waitFor(async () => (await probe('/readyz')).status === 200, { message: '/readyz ready again after the reconnect' });
    expect(logLines.some((l) => l.msg === 'readiness: ready again')).toBe(true);
  });

  it('stays not ready, saying why, while apps.connections.open refuses the app token (revoked), without ending the process', async () => {
    slack.failNext('apps.connections.open', 'invalid_auth', 2);
    const refusalsBefore = slack.calls.filter((c) => c.method === 'apps.connections.open' && c.error === 'invalid_auth').length;
    sock.dropConnections();
    const refused = await waitFor(async () => {
      const r = await probe('/readyz');
      return socketDown(r) && JSON.stringify(r.body.reasons).includes('invalid_auth') ? r : undefined;
    }, { message: '/readyz to name the refused token' });
    expect(refused.body.reasons).toEqual([`${SOCKET_DOWN}: apps.connections.open refused the app token (invalid_auth): check SLACK_APP_TOKEN`]);
    expect((await probe('/healthz')).status).toBe(200);
    expect(logLines.some((l) => l.level === 50 && String(l.msg).includes('refused the app token'))).toBe(true);
    // Still trying (a refusal may be Slack's own hiccup): once the token is taken again, the socket is back.
    await waitFor(async () => (await probe('/readyz')).status === 200, { timeoutMs: 15_000, message: '/readyz ready once the token is accepted again' });
    expect(slack.calls.filter((c) => c.method === 'apps.connections.open' && c.error === 'invalid_auth').length - refusalsBefore).toBe(2);
  });

  it('reconnects at once when Slack asks (a `disconnect` message before recycling a server), and takes envelopes on the new socket', async () => {
    const before = sock.connections().length;
    sock.disconnect('refresh_requested');
    await waitFor(() => sock.connections().length === before + 1 && sock.connections().at(-1)!.open, { message: 'a new socket' });
    await waitFor(async () => (await probe('/readyz')).status === 200, { message: '/readyz ready on the new socket' });
    expect(sock.connections().filter((c) => c.open)).toHaveLength(1);
    const command = Object.fromEntries(new URLSearchParams(buildSlashCommandBody({ text: 'help', userId: REQUESTER, channelId: CHANNEL, responseUrl: slack.responseUrl('cmd-help', { channelId: CHANNEL, userId: REQUESTER }) })));
    expect(await sock.send('slash_commands', command)).toEqual({ response_type: 'ephemeral', text: helpText() });
  });
});

describe('a stop while the socket waits for its first hello', () => {
  it('ends the start and closes the socket: nothing keeps trying after stop()', async () => {
    const release = sock.holdHello();
    try {
      const second = buildApp(config, parsePolicy(DEFAULT_POLICY, 'test-policy.yaml'), logger, { tracker: { worker: { drainDelay: 1 } } });
      const before = sock.connections().length;
      const secondStart = second.start().then(() => 'started', (err: unknown) => `failed: ${String(err)}`);
      await waitFor(() => sock.connections().length === before + 1, { message: 'the second app to open its socket (no hello yet)' });
      await second.stop();
      expect(await secondStart).toBe('started');
      await waitFor(() => !sock.connections()[before]!.open, { message: 'the held socket to be closed by the stop' });
      expect(sock.connections().length).toBe(before + 1);
    } finally {
      release();
    }
  });
});
