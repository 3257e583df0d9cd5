// Redis restarting under the bot (project issue 4): while it is down, commands get a clear "try again"
// at once (never silence); once it is back (same port, AOF data kept, as production Redis must), the app
// reconnects and follows the running restore to its end. Needs `redis-server` on PATH.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RestoreRequest } from '../../src/restore/types.js';
import { FAST_TRACKER } from '../fakes/config-for-fakes.js';
import { sendSlashCommand } from '../helpers/slack-requests.js';
import { waitFor } from '../helpers/wait-for.js';
import { APPROVER, CHANNEL, REQUESTER, requestRestore, SIGNING_SECRET, startHarness, waitForState, type Harness } from './conversation-harness.js';

const hasRedisServer = spawnSync('redis-server', ['--version']).status === 0;
if (!hasRedisServer) console.warn('tracking-redis-outage: skipped because `redis-server` is not on PATH (it starts its own Redis to stop and restart it)');

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A Redis of our own that we can stop and start again on the same port, keeping its data (AOF). */
function redisServer(port: number, dir: string) {
  let child: ChildProcess | undefined;
  return {
    url: `redis://127.0.0.1:${port}`,
    running: () => child !== undefined,
    async start() {
      const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--dir', dir], { stdio: 'ignore' });
      child = proc;
      const probe = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      probe.on('error', () => undefined); // refused until redis-server listens: expected while waiting
      try {
        await waitFor(async () => {
          if (proc.exitCode !== null) throw new Error(`redis-server exited with ${proc.exitCode}`);
          if (probe.status !== 'ready') await probe.connect().catch(() => undefined);
          return (await probe.ping().catch(() => '')) === 'PONG';
        }, { message: `redis-server on port ${port}` });
      } finally {
        probe.disconnect();
      }
    },
    async stop() {
      const proc = child;
      child = undefined;
      if (!proc || proc.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
      proc.kill('SIGTERM'); // Redis flushes its AOF on SIGTERM, as on a rolling restart
      await exited;
    },
  };
}

describe.skipIf(!hasRedisServer)('Redis restarting under the bot', () => {
  let dir: string;
  let redis: ReturnType<typeof redisServer>;
  let h: Harness;
  let req: RestoreRequest;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'atlas-restore-redis-'));
    redis = redisServer(await freePort(), dir);
    await redis.start();
    // A poll cut off by the outage leaves its job active with a lock; BullMQ's stalled-job check hands it back once
    // the lock runs out (30 s in production). Short locks keep this test's wait short.
    h = await startHarness({ redisUrl: redis.url, overrides: { tracker: { ...FAST_TRACKER, worker: { drainDelay: 1, lockDuration: 2000, stalledInterval: 1000 } } } });
  });
  afterAll(async () => {
    // A failed test may leave Redis down: bring it back so the harness can clean up.
    if (redis && !redis.running()) await redis.start();
    await h?.close();
    await redis?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('says "try again" while Redis is down and follows the restore to its end once it is back', async () => {
    req = await requestRestore(h, { source: 'ledger' });
    await h.click(APPROVER, 'restore_approve', req.id);
    req = await waitForState(h, req.id, 'running');

    // Redis goes away in the middle of a poll: the poll's Atlas call hangs until the outage has begun.
    const jobGets = () => h.atlas.requests.filter((r) => r.method === 'GET' && r.path.includes(`/restoreJobs/${req.atlasJobId}`)).length;
    const getsBefore = jobGets();
    h.atlas.inject({ kind: 'hang', method: 'GET', pathIncludes: `/restoreJobs/${req.atlasJobId}`, count: 1 });
    await waitFor(() => jobGets() > getsBefore, { message: 'a poll in progress' });
    await redis.stop();
    // The hung call times out and is retried while Redis is down: that poll can't record anything.
    await waitFor(() => jobGets() > getsBefore + 1, { timeoutMs: 8000, message: 'the poll retried Atlas during the outage' });
    await waitFor(() => h.app.redis.status !== 'ready', { message: 'the app sees Redis gone' });

    // Opening the form: refused at once in the command's answer, no modal left to fail on submit.
    const viewsBefore = h.slack.views().length;
    const open = await sendSlashCommand(h.url, SIGNING_SECRET, { text: 'shop/ledger', userId: REQUESTER, channelId: CHANNEL, responseUrl: h.slack.responseUrl('outage-open', { channelId: CHANNEL, userId: REQUESTER }) });
    // Slack gives up after 3 s, and so does Bolt's receiver: an ack later than that gets its 404, not this 200 with our text.
    expect(open.status).toBe(200);
    expect(open.json).toMatchObject({ response_type: 'ephemeral' });
    expect(String((open.json as { text?: string }).text)).toMatch(/try again/i);
    expect(h.slack.views().length).toBe(viewsBefore);

    // status and list answer through the response URL, with the same advice.
    for (const text of [`status ${req.id}`, 'list']) {
      const { status, responseUrlId } = await h.command(REQUESTER, text);
      expect(status).toBe(200);
      const answer = await h.slack.waitForCall('response_url', (c) => c.args.id === responseUrlId);
      expect(answer.args.response_type).toBe('ephemeral');
      expect(String(answer.args.text)).toMatch(/try again/i);
    }

    // A button click can't be answered from the store: the user is told privately, not left in silence.
    await h.click(APPROVER, 'restore_reject', req.id);
    const told = await waitFor(() => h.ephemeralTexts(APPROVER).find((t) => t.includes("couldn't finish that just now")), { message: 'a try-again answer to the click' });
    expect(told).toMatch(/Try again in a minute/);

    // Atlas finishes the job while Redis is still down; nothing can be recorded yet.
    h.atlas.advanceJob(req.atlasJobId!, 'completed');

    await redis.start();
    await waitFor(() => h.app.redis.status === 'ready', { timeoutMs: 10_000, message: 'the app reconnected to Redis' });
    const final = await h.waitForThread(req.id, /Restore completed/, 20_000);
    expect(final).toContain(req.atlasJobId!);
    const done = await waitForState(h, req.id, 'completed');
    expect(done.finishedAt).toBeDefined();
    expect(h.threadTexts(req.id).filter((t) => /Restore (completed|failed|cancelled|expired)/.test(t))).toHaveLength(1);

    // And commands work again.
    const { responseUrlId } = await h.command(REQUESTER, `status ${req.id}`);
    const answer = await h.slack.waitForCall('response_url', (c) => c.args.id === responseUrlId);
    expect(String(answer.args.text)).toMatch(/Restore completed/);
  }, 60_000);
});
