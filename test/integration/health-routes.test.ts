// /healthz, /readyz and /metrics served by a real Bolt app (HTTP mode, port 0) in front of a fake Slack Web API.
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHealthRoutes, createReadiness, REDIS_PING_TIMEOUT_MS, type ReadinessTracker } from '../../src/http/health-routes.js';
import { createMetrics, type Metrics } from '../../src/http/metrics.js';
import { createSlackApp, type SlackApp } from '../../src/slack/create-app.js';
import { startFakeSlack, type FakeSlack } from '../fakes/fake-slack.js';
import { waitFor } from '../helpers/wait-for.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const silent = pino({ level: 'silent' });

let fake: FakeSlack;
let slack: SlackApp;
let baseUrl: string;
let metrics: Metrics;
let redis: Redis;
const realPing = async (): Promise<boolean> => (await redis.ping()) === 'PONG';
// The routes ask whichever readiness tracker the current test installed.
let readiness: ReadinessTracker;

beforeAll(async () => {
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  fake = await startFakeSlack({ botToken: 'xoxb-test' });
  metrics = createMetrics();
  readiness = createReadiness({ pingRedis: realPing });
  slack = createSlackApp({
    botToken: 'xoxb-test',
    signingSecret: 's',
    socketMode: false,
    port: 0,
    host: '127.0.0.1',
    slackApiUrl: fake.apiUrl,
    logger: silent,
    customRoutes: createHealthRoutes({ metrics, isReady: () => readiness.isReady() }),
  });
  const address = await slack.start();
  if (!address) throw new Error('the Bolt app did not report its address');
  baseUrl = address.url;
});

afterAll(async () => {
  await slack?.stop();
  await fake?.close();
  redis?.disconnect();
});

async function get(path: string, init?: RequestInit): Promise<{ status: number; type: string | null; text: string; ms: number }> {
  const started = Date.now();
  const res = await fetch(`${baseUrl}${path}`, { ...init, signal: AbortSignal.timeout(5000) });
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type'), text, ms: Date.now() - started };
}

/** A free TCP port nobody listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('GET /healthz', () => {
  it('answers 200 {"status":"ok"} whatever readiness says', async () => {
    readiness = createReadiness({ pingRedis: () => Promise.resolve(false) });
    const res = await get('/healthz');
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^application\/json/);
    expect(JSON.parse(res.text)).toEqual({ status: 'ok' });
  });

  it('answers 405 to other methods', async () => {
    const res = await fetch(`${baseUrl}/healthz`, { method: 'POST', body: 'x', signal: AbortSignal.timeout(5000) });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET');
    await res.body?.cancel();
  });
});

describe('GET /readyz', () => {
  it('is 503 before initialisation and 200 after, with a real Redis ping', async () => {
    readiness = createReadiness({ pingRedis: realPing });
    const before = await get('/readyz');
    expect(before.status).toBe(503);
    expect(JSON.parse(before.text)).toEqual({ status: 'not ready', reasons: ['not initialised'] });

    readiness.markInitialised();
    const after = await get('/readyz');
    expect(after.status).toBe(200);
    expect(JSON.parse(after.text)).toEqual({ status: 'ready' });
  });

  it('is 503 with the reason when Redis does not answer', async () => {
    readiness = createReadiness({ pingRedis: () => Promise.resolve(false) });
    readiness.markInitialised();
    const res = await get('/readyz');
    expect(res.status).toBe(503);
    const body = JSON.parse(res.text) as { status: string; reasons: string[] };
    expect(body.status).toBe('not ready');
    expect(body.reasons).toEqual([expect.stringMatching(/^redis did not take a write/)]);
  });

  it('says each change of readiness once, with why it is not ready (a Redis that stops answering, then answers again)', async () => {
    let answering = false;
    const changes: { ready: boolean; reasons: string[] }[] = [];
    readiness = createReadiness({ pingRedis: async () => answering && (await redis.ping()) === 'PONG', onChange: (r) => changes.push(r) });
    await get('/readyz'); // before initialisation: nothing to say yet
    readiness.markInitialised();
    answering = true;
    expect((await get('/readyz')).status).toBe(200);
    expect(changes).toEqual([]); // ready from the start is no news
    answering = false;
    expect((await get('/readyz')).status).toBe(503);
    expect((await get('/readyz')).status).toBe(503);
    answering = true;
    expect((await get('/readyz')).status).toBe(200);
    expect((await get('/readyz')).status).toBe(200);
    expect(changes).toEqual([{ ready: false, reasons: [expect.stringMatching(/^redis did not take a write/)] }, { ready: true, reasons: [] }]);
  });

  it('is 503 when a real Redis client points at a port nobody listens on', async () => {
    const port = await closedPort();
    const down = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 0, enableOfflineQueue: false, lazyConnect: true });
    down.on('error', () => undefined); // connection refusals are the point of this test
    try {
      readiness = createReadiness({ pingRedis: async () => (await down.ping()) === 'PONG' });
      readiness.markInitialised();
      const res = await get('/readyz');
      expect(res.status).toBe(503);
      expect((JSON.parse(res.text) as { reasons: string[] }).reasons[0]).toMatch(/^redis did not take a write/);
    } finally {
      down.disconnect();
    }
  });

  it('gives up on a Redis ping that hangs after about a second', async () => {
    readiness = createReadiness({ pingRedis: () => new Promise<boolean>(() => undefined) });
    readiness.markInitialised();
    const res = await get('/readyz');
    expect(res.status).toBe(503);
    // The ping never settles, so this answer came from the timer the reason names. A lower bound only: a loaded
    // machine makes the answer late, never early.
    expect((JSON.parse(res.text) as { reasons: string[] }).reasons).toEqual([`redis did not take a write within ${REDIS_PING_TIMEOUT_MS} ms`]);
    expect(res.ms).toBeGreaterThanOrEqual(REDIS_PING_TIMEOUT_MS - 100);
  });

  it('is 503 at once after markShuttingDown, without asking Redis', async () => {
    let pings = 0;
    readiness = createReadiness({
      pingRedis: () => {
        pings += 1;
        return new Promise<boolean>(() => undefined); // would cost the full timeout if it were asked
      },
    });
    readiness.markInitialised();
    readiness.markShuttingDown();
    const res = await get('/readyz');
    expect(res.status).toBe(503);
    expect(JSON.parse(res.text)).toEqual({ status: 'not ready', reasons: ['shutting down'] });
    // Redis was never asked, so its timeout can't have been waited out (no wall-clock bound: CI may be slow).
    expect(pings).toBe(0);
  });

  it('answers many concurrent probes, all ready', async () => {
    readiness = createReadiness({ pingRedis: realPing });
    readiness.markInitialised();
    const results = await Promise.all(Array.from({ length: 25 }, () => get('/readyz')));
    expect(results.map((r) => r.status)).toEqual(Array(25).fill(200));
  });
});

describe('createReadiness', () => {
  it('shares one Redis ping between concurrent checks', async () => {
    let pings = 0;
    let answer!: (ok: boolean) => void;
    const tracker = createReadiness({
      pingRedis: () => {
        pings += 1;
        return new Promise<boolean>((resolve) => (answer = resolve));
      },
    });
    tracker.markInitialised();
    const checks = Promise.all(Array.from({ length: 10 }, () => tracker.isReady()));
    await waitFor(() => pings === 1, { message: 'the first ping' });
    answer(true);
    expect((await checks).every((c) => c.ready)).toBe(true);
    expect(pings).toBe(1);
    // The next check pings again (no stale cached answer).
    const next = tracker.isReady();
    await waitFor(() => pings === 2, { message: 'the second ping' });
    answer(false);
    expect((await next).ready).toBe(false);
    expect(pings).toBe(2);
  });

  it('turns a throwing ping into "not ready" and drops readiness if shutdown starts mid-ping', async () => {
    const throwing = createReadiness({ pingRedis: () => Promise.reject(new Error('ECONNREFUSED')) });
    throwing.markInitialised();
    expect((await throwing.isReady()).ready).toBe(false);

    let answer: ((ok: boolean) => void) | undefined;
    const tracker = createReadiness({ pingRedis: () => new Promise<boolean>((resolve) => (answer = resolve)) });
    tracker.markInitialised();
    const check = tracker.isReady();
    const resolvePing = await waitFor(() => answer, { message: 'the ping' });
    tracker.markShuttingDown();
    resolvePing(true);
    expect(await check).toEqual({ ready: false, reasons: ['shutting down'] });
  });
});

describe('GET /metrics', () => {
  it('serves the registry in the Prometheus text format, with what was counted', async () => {
    metrics.slackRequests.inc({ kind: 'command', outcome: 'ok' });
    metrics.setPendingApprovalsSource(() => Promise.resolve(2));
    const res = await get('/metrics');
    expect(res.status).toBe(200);
    expect(res.type).toBe(metrics.contentType);
    expect(res.text).toContain('# TYPE atlas_restore_slack_requests_total counter');
    expect(res.text).toContain('atlas_restore_slack_requests_total{kind="command",outcome="ok"} 1\n');
    expect(res.text).toContain('atlas_restore_approvals_pending 2\n');
    expect(res.text).toContain('process_cpu_user_seconds_total');
  });

  it('still serves the scrape when the pending-approvals source fails', async () => {
    metrics.setPendingApprovalsSource(() => Promise.reject(new Error('redis down')));
    const res = await get('/metrics');
    expect(res.status).toBe(200);
    expect(res.text).toContain('atlas_restore_approvals_pending 2\n');
  });
});
