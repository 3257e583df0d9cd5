// maxmemory-policy changed under a running bot (a CONFIG SET, a parameter group edited or reset to the provider's
// default): the start-up check passed, and from now on Redis may drop target locks (their TTL makes them the first a
// volatile-* policy evicts) or requests when memory runs short. The readiness probe asks the policy again, says an
// evicting one once as an error and keeps it in /readyz's warnings while it lasts.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createRedisClient } from '../../src/redis/redis-client.js';
import { createRestoreStore, type RedisWarning } from '../../src/restore/store.js';
import { RedisGroup, skipUnless } from '../helpers/redis-servers.js';
import { waitFor } from '../helpers/wait-for.js';

const canRun = skipUnless('redis-eviction-policy-runtime', ['redis-server'], 'it changes the eviction policy of a Redis of its own');
const group = new RedisGroup();
afterAll(() => group.cleanup());

describe.skipIf(!canRun)('an eviction policy changed while the bot runs', () => {
  it('the next probe past the interval says so once, and stops saying it once noeviction is back', async () => {
    const server = await group.start('eviction-runtime', { args: ['--maxmemory-policy', 'noeviction'] });
    const admin = new Redis({ host: '127.0.0.1', port: server.port });
    const redis = createRedisClient({ topology: { kind: 'standalone' }, url: server.url, tlsCaFile: undefined }, 'commands');
    redis.on('error', () => undefined);
    try {
      await redis.connect();
      const told: RedisWarning[] = [];
      // Every probe asks (the interval is 5 minutes in production: one CONFIG GET per replica then).
      const store = createRestoreStore({ redis, prefix: `{eviction-${randomUUID()}}:`, evictionCheckEveryMs: 1, onRedisWarning: (w) => told.push(w) });
      expect(await store.ping()).toBe(true);
      expect(store.redisWarnings()).toEqual([]);

      await admin.config('SET', 'maxmemory-policy', 'volatile-lru');
      await waitFor(async () => (await store.ping()) && store.redisWarnings().length > 0, { message: 'the evicting policy reported' });
      expect(store.redisWarnings()).toEqual([{ code: 'REDIS_EVICTION_POLICY', text: expect.stringContaining('maxmemory-policy is now volatile-lru') }]);
      expect(told).toEqual(store.redisWarnings());
      expect(told[0]!.text).toContain('CONFIG SET maxmemory-policy noeviction');
      // Said once while it lasts, not at every probe.
      for (let i = 0; i < 5; i++) await store.ping();
      expect(told).toHaveLength(1);

      await admin.config('SET', 'maxmemory-policy', 'noeviction');
      await waitFor(async () => (await store.ping()) && store.redisWarnings().length === 0, { message: 'the warning gone once noeviction is back' });
      expect(told).toHaveLength(1);
    } finally {
      redis.disconnect();
      admin.disconnect();
    }
  });
});
