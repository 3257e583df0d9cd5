// A request written and read back through the app's own Redis client for `config`: the data path, not only the checks.
// `alsoCheck` runs on the same connection before it closes (e.g. that no plain port was used).
import { expect } from 'vitest';
import type { Config } from '../../src/config.js';
import { connectRedis, createRedisClient, type RedisClient } from '../../src/redis/redis-client.js';
import { createRestoreStore } from '../../src/restore/store.js';
import { makeRequest } from '../integration/store-fixtures.js';

export async function storeRoundTrip(config: Readonly<Config>, requestId: string, alsoCheck?: (redis: RedisClient) => Promise<void>): Promise<void> {
  const redis = createRedisClient(config.redis, 'commands');
  try {
    await connectRedis(redis);
    const store = createRestoreStore({ redis, prefix: config.redisKeyPrefix });
    const req = makeRequest({ id: requestId });
    await store.create(req);
    expect((await store.get(req.id))?.reason).toBe(req.reason);
    expect(await store.ping()).toBe(true);
    await alsoCheck?.(redis);
  } finally {
    redis.disconnect();
  }
}
