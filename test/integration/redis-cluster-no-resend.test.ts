// On a Redis Cluster, a command of the commands connection that timed out is not sent again behind its caller's back.
// Its caller was told it failed (a Slack click says "try again", a submission step runs again), and our scripts are
// compare-and-sets: a submission's claim of the POST applied later would say a POST was made that never was. ioredis
// Cluster sends a command again ~100 ms after its connection closed (retryDelayOnFailover), so a write that waited on
// a master that paused (a failover, CLIENT PAUSE) landed once it resumed. The worker keeps that resend (BullMQ needs it).
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisClient, duplicateRedisClient, SOCKET_TIMEOUT_MS, type RedisClient } from '../../src/redis/redis-client.js';
import { createRestoreStore, type RestoreStore } from '../../src/restore/store.js';
import { startCluster } from '../helpers/redis-cluster.js';
import { RedisGroup, skipUnless, type RedisProcess } from '../helpers/redis-servers.js';

const canRun = skipUnless('redis-cluster-no-resend', ['redis-server', 'redis-cli'], 'it starts three cluster nodes and pauses them');
/** Longer than the socket timeout: the silent connection is dropped while the master is still paused. */
const PAUSE_MS = SOCKET_TIMEOUT_MS.commands + 3000;

describe.skipIf(!canRun)('a timed-out command on a Cluster', () => {
  const group = new RedisGroup();
  const prefix = `{test-${randomBytes(4).toString('hex')}}:`;
  let nodes: RedisProcess[] = [];
  let redis: RedisClient;
  let store: RestoreStore;

  beforeAll(async () => {
    nodes = await startCluster(group);
    redis = createRedisClient({ topology: { kind: 'cluster', nodes: [{ host: '127.0.0.1', port: nodes[0]!.port }] }, url: 'redis://127.0.0.1', tlsCaFile: undefined }, 'commands');
    redis.on('error', () => undefined);
    await redis.connect();
    store = createRestoreStore({ redis, prefix });
  }, 60_000);
  afterAll(async () => {
    redis?.disconnect();
    await group.cleanup();
  });

  async function pauseWrites(): Promise<() => Promise<void>> {
    const admins = nodes.map((n) => new Redis({ host: '127.0.0.1', port: n.port }));
    await Promise.all(admins.map((a) => a.call('CLIENT', 'PAUSE', String(PAUSE_MS), 'WRITE')));
    return async () => {
      await Promise.all(admins.map((a) => a.call('CLIENT', 'UNPAUSE')));
      for (const a of admins) a.disconnect();
    };
  }

  it('a write its caller was told timed out never lands', async () => {
    const resume = await pauseWrites();
    try {
      // A once-claim, as a Slack click's or a step's: the caller hears "timed out" and acts on that.
      await expect(store.claimOnce('timed-out', 60)).rejects.toThrow(/timed out/i);
      // Past the socket timeout: the connection the write waited on is dropped, and ioredis made a new one.
      await new Promise((resolve) => setTimeout(resolve, SOCKET_TIMEOUT_MS.commands + 1000));
    } finally {
      await resume();
    }
    // Read on the commands connection: a write sent again on it would have been sent before this read, and run first.
    expect(await redis.exists(`${prefix}once:timed-out`)).toBe(0);
    expect(await store.claimOnce('timed-out', 60)).toBe(true);
  }, 40_000);

  it("the worker's duplicate still sends its command again, and it lands", async () => {
    const worker = duplicateRedisClient(redis, 'worker');
    worker.on('error', () => undefined);
    try {
      const resume = await pauseWrites();
      let landed: Promise<unknown>;
      try {
        landed = worker.set(`${prefix}worker-write`, '1');
      } finally {
        setTimeout(() => void resume(), SOCKET_TIMEOUT_MS.commands + 1000);
      }
      expect(await landed).toBe('OK');
      expect(await redis.get(`${prefix}worker-write`)).toBe('1');
    } finally {
      worker.disconnect();
    }
  }, 40_000);
});
