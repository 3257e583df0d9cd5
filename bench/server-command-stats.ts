// What the Redis server ran, by command, from INFO commandstats: it counts commands run inside Lua scripts too,
// which is where most of BullMQ's work is. Server-wide: any other client of the same Redis counts as well.
import type { Redis } from 'ioredis';

/** Calls per command since the server started (or since CONFIG RESETSTAT). */
export async function serverCommandStats(redis: Redis): Promise<Map<string, number>> {
  const info = await redis.info('commandstats');
  const stats = new Map<string, number>();
  for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) stats.set(match[1]!, Number(match[2]));
  return stats;
}
