// A Redis that comes back empty: a managed cache replaced (or restarted without persistence), or a FLUSHALL. Every
// request, target lock and restore job is gone at once; the tracker finds nothing to do and a running restore's thread
// goes silent while Atlas goes on. The readiness probe's write notices (a marker under the prefix, in the same
// script), once per replica, and names what the replica last saw in flight; a deployment that only restarts, or
// upgrades from a version without the marker, is not a loss.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createHealthRoutes, createReadiness } from '../../src/http/health-routes.js';
import { createMetrics } from '../../src/http/metrics.js';
import { createRedisClient, type RedisClient } from '../../src/redis/redis-client.js';
import { createRestoreStore, describeStateLoss, type RestoreStore, type StateLoss } from '../../src/restore/store.js';

const lossOf = (store: RestoreStore) => store.redisWarnings().find((w) => w.code === 'REDIS_STATE_LOST');
import { createSlackApp } from '../../src/slack/create-app.js';
import { startFakeSlack } from '../fakes/fake-slack.js';
import { RedisGroup, skipUnless } from '../helpers/redis-servers.js';
import { sampleRequest } from '../helpers/sample-request.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { waitFor } from '../helpers/wait-for.js';

const clients: RedisClient[] = [];
const proxies: TcpProxy[] = [];
const group = new RedisGroup();

afterEach(async () => {
  for (const client of clients.splice(0)) client.disconnect();
  for (const proxy of proxies.splice(0)) await proxy.close();
});
afterAll(() => group.cleanup());

async function replica(url: string, prefix: string): Promise<{ store: RestoreStore; losses: StateLoss[]; redis: RedisClient }> {
  const redis = createRedisClient({ topology: { kind: 'standalone' }, url, tlsCaFile: undefined }, 'commands');
  redis.on('error', () => undefined);
  clients.push(redis);
  await redis.connect();
  const losses: StateLoss[] = [];
  return { store: createRestoreStore({ redis, prefix, onRedisWarning: (warning) => warning.code === 'REDIS_STATE_LOST' && losses.push(warning.loss) }), losses, redis };
}

const running = sampleRequest({ id: 'RR-RUN001', state: 'running', atlasJobId: '6748b0a1c1d2e3f4a5b6c7d9', cardTs: '1700000000.000100' });
const waiting = sampleRequest({ id: 'RR-WAIT01', state: 'pending_approval', createdAt: '2026-03-01T10:01:00Z' });

async function deletePrefix(redis: RedisClient, prefix: string): Promise<void> {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
}

const canRun = skipUnless('redis-state-lost', ['redis-server'], 'it replaces a Redis of its own with an empty one');

describe.skipIf(!canRun)('a managed Redis replaced by an empty one behind the same name', () => {
  it('the next probe says so once, naming the requests in flight and their Atlas jobs', async () => {
    const before = await group.start('state-lost-before');
    const proxy = await startTcpProxy(before.port);
    proxies.push(proxy);
    const prefix = '{atlas-restore}:';
    const { store, losses } = await replica(`redis://127.0.0.1:${proxy.port}`, prefix);
    await store.create(running);
    await store.create(waiting);
    expect(await store.ping()).toBe(true);
    expect(await store.listActive()).toHaveLength(2); // what a metrics scrape or the reconciler reads
    expect(await store.ping()).toBe(true);
    expect(losses).toEqual([]);

    const after = await group.start('state-lost-after');
    proxy.retarget(after.port);
    await before.kill();
    await waitFor(() => store.ping(), { message: 'a probe through the new Redis' });

    expect(losses).toHaveLength(1);
    expect(lossOf(store)).toMatchObject({ loss: losses[0], text: describeStateLoss(losses[0]!) });
    expect(losses[0]!.lastSeen?.requests.map((r) => [r.id, r.state, r.atlasJobId])).toEqual([
      ['RR-RUN001', 'running', running.atlasJobId],
      ['RR-WAIT01', 'pending_approval', undefined],
    ]);
    const text = describeStateLoss(losses[0]!);
    expect(text).toContain(`RR-RUN001 (running, into ${running.target.groupId}/${running.target.cluster}, Atlas restore job ${running.atlasJobId}: Atlas may still be restoring)`);
    expect(text).toMatch(/not locked/);

    // Said once: later probes of the new Redis are quiet.
    expect(await store.ping()).toBe(true);
    expect(losses).toHaveLength(1);
  });
});

describe('a FLUSHALL (every key of the deployment deleted) under running replicas', () => {
  const prefix = `{state-lost-${randomUUID()}}:`;
  afterEach(async () => {
    const admin = new Redis({ host: '127.0.0.1', port: 6379 });
    await deletePrefix(admin, prefix);
    admin.disconnect();
  });

  it('each replica notices once, also when a metrics read lands between the flush and its probe', async () => {
    const one = await replica('redis://127.0.0.1:6379', prefix);
    const two = await replica('redis://127.0.0.1:6379', prefix);
    await one.store.create(running);
    expect(await one.store.ping()).toBe(true);
    expect(await two.store.ping()).toBe(true);
    expect(await one.store.listActive()).toHaveLength(1);
    expect(await two.store.listActive()).toHaveLength(1);

    await deletePrefix(one.redis, prefix);
    // A scrape after the flush finds nothing in flight: that must not replace what was there before.
    expect(await one.store.listActive()).toEqual([]);
    expect(await one.store.ping()).toBe(true);
    expect(await two.store.ping()).toBe(true);

    for (const { losses } of [one, two]) {
      expect(losses).toHaveLength(1);
      expect(losses[0]!.lastSeen?.requests.map((r) => r.id)).toEqual(['RR-RUN001']);
    }
    expect(await one.store.ping()).toBe(true);
    expect(await two.store.ping()).toBe(true);
    expect([one.losses.length, two.losses.length]).toEqual([1, 1]);
  });

  it('a restart of the bot, or the first start of a version with the marker over existing data, is no loss', async () => {
    const old = await replica('redis://127.0.0.1:6379', prefix);
    await old.store.create(running); // written by a version without the marker: data, no marker
    const first = await replica('redis://127.0.0.1:6379', prefix);
    expect(await first.store.ping()).toBe(true);
    const restarted = await replica('redis://127.0.0.1:6379', prefix);
    expect(await restarted.store.listActive()).toHaveLength(1);
    expect(await restarted.store.ping()).toBe(true);
    expect(await first.store.ping()).toBe(true);
    expect([first.losses, restarted.losses]).toEqual([[], []]);
    expect(restarted.store.redisWarnings()).toEqual([]);
  });

  it('/readyz stays 200 and says in its body what was lost', async () => {
    const { store } = await replica('redis://127.0.0.1:6379', prefix);
    const fake = await startFakeSlack({ botToken: 'xoxb-test' });
    const readiness = createReadiness({ pingRedis: () => store.ping(), warnings: () => store.redisWarnings().map((w) => w.text) });
    readiness.markInitialised();
    const slack = createSlackApp({
      botToken: 'xoxb-test', signingSecret: 's', socketMode: false, port: 0, host: '127.0.0.1', slackApiUrl: fake.apiUrl, logger: pino({ level: 'silent' }),
      customRoutes: createHealthRoutes({ metrics: createMetrics(), isReady: () => readiness.isReady() }),
    });
    try {
      const address = await slack.start();
      const readyz = async () => {
        const res = await fetch(`${address!.url}/readyz`, { signal: AbortSignal.timeout(5000) });
        return { status: res.status, body: (await res.json()) as { status: string; warnings?: string[] } };
      };
      await store.create(running);
      await store.listActive();
      expect(await readyz()).toEqual({ status: 200, body: { status: 'ready' } });
      await deletePrefix(clients[0]!, prefix);
      const { status, body } = await readyz();
      expect(status).toBe(200);
      expect(body.warnings).toEqual([lossOf(store)!.text]);
      expect(body.warnings![0]).toContain('RR-RUN001 (running');
    } finally {
      await slack.stop();
      await fake.close();
    }
  });
});
