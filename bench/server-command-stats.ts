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

/** What the server ran between two readings, per unit of work (a step, a poll): the total and the top commands. */
export function commandsPer(before: Map<string, number>, after: Map<string, number>, units: number, top = Number(process.env.BENCH_TOP_COMMANDS ?? 12)): { total: string; top: string } {
  const delta = [...after].map(([name, calls]) => [name, calls - (before.get(name) ?? 0)] as const).filter(([, d]) => d > 0);
  const per = (n: number) => (units > 0 ? (n / units).toFixed(1) : 'n/a');
  const sum = delta.reduce((acc, [, d]) => acc + d, 0);
  const shown = [...delta].sort((a, b) => b[1] - a[1]).slice(0, top).map(([name, d]) => `${name} ${per(d)}`);
  return { total: per(sum), top: shown.join(', ') };
}
