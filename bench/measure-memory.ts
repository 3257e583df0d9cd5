// Memory figures for the benchmarks: the bot process's heap and RSS after a full garbage collection, and the Redis
// server's used_memory. A heap read without a collection first measures garbage as much as what is kept.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Redis } from 'ioredis';

export interface MemoryReading {
  heapUsedBytes: number;
  rssBytes: number;
  /** INFO memory's used_memory: server-wide, so any other client's keys count as well. */
  redisUsedBytes: number;
}

// `--expose-gc` without restarting node: the flag applies to contexts made after it is set.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/** Collects garbage twice (the second pass frees what the first one's finalisers released), then reads. */
export async function measureMemory(redis: Redis): Promise<MemoryReading> {
  collectGarbage();
  collectGarbage();
  const { heapUsed, rss } = process.memoryUsage();
  const info = await redis.info('memory');
  const used = /^used_memory:(\d+)/m.exec(info)?.[1];
  if (used === undefined) throw new Error('BENCH_NO_USED_MEMORY: INFO memory gave no used_memory');
  return { heapUsedBytes: heapUsed, rssBytes: rss, redisUsedBytes: Number(used) };
}

/** `12.3 MB`, or `-0.4 MB` for a difference. */
export function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** `2.1 KB`: per-item figures. */
export function kilobytes(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KB`;
}
