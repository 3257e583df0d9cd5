// Benchmark, for a decision on the poll's design (not how the tracker works): what a poll would cost Redis if one
// BullMQ job scheduler tick polled every restore that is due, instead of one step of each restore's own job
// (DESIGN §4). The same load as step-job-floor.ts: 1,000 restores each due every 5 s ±20 %. Each tick (every
// second) claims the due restores in one script (their due time pushed out by a lease, so an overlapping tick on
// another replica skips them), reads each request as the poll does (HGETALL), and sets its next due time.
// No Atlas, no store: the floor of that design, beside step-job-floor.ts's floor of today's.
// Run: npx tsx bench/batched-poll-floor.ts   (FLOOR_JOBS=N, FLOOR_RUN_SECONDS=S to change the load)
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { deleteKeys } from './delete-keys.js';
import { commandsPer, serverCommandStats } from './server-command-stats.js';

const RESTORES = Number(process.env.FLOOR_JOBS ?? 1000);
const RUN_SECONDS = Number(process.env.FLOOR_RUN_SECONDS ?? 30);
const WARM_UP_SECONDS = 10;
const DELAY_MS = 5000;
const TICK_MS = 1000;
/** How long a claimed restore is skipped by other ticks: longer than a tick's polls could take. */
const LEASE_MS = 60_000;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

// Claims what is due: each id's score moves to now + lease in the same script, so two ticks never poll one restore.
const CLAIM_DUE = `
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
for _, id in ipairs(ids) do redis.call('ZADD', KEYS[1], 'XX', ARGV[2], id) end
return ids`;

export async function benchBatchedPollFloor(): Promise<void> {
  const prefix = `bench-batch-${randomBytes(4).toString('hex')}`;
  const redis = new Redis(REDIS_URL);
  const queueConnection = redis.duplicate();
  const workerConnection = redis.duplicate({ maxRetriesPerRequest: null });
  const queue = new Queue('batch', { connection: queueConnection, prefix });
  const dueKey = `${prefix}:due`;
  let polls = 0;
  let ticks = 0;
  let worker: Worker | undefined;
  try {
    const seed = redis.pipeline();
    for (let i = 0; i < RESTORES; i += 1) {
      // About the size of a request hash (the fields a poll reads).
      seed.hset(`${prefix}:request:${i}`, { state: 'running', atlasJobId: `job-${i}`, source: 'Cluster0', target: 'Cluster1', channel: 'C1', cardTs: '1.2' });
      seed.zadd(dueKey, Date.now() + Math.random() * DELAY_MS, String(i));
    }
    await seed.exec();
    worker = new Worker(
      'batch',
      async () => {
        ticks += 1;
        const now = Date.now();
        const ids = (await redis.eval(CLAIM_DUE, 1, dueKey, now, now + LEASE_MS, 5000)) as string[];
        if (ids.length === 0) return;
        const reads = redis.pipeline();
        for (const id of ids) reads.hgetall(`${prefix}:request:${id}`);
        await reads.exec();
        const next = redis.pipeline();
        for (const id of ids) next.zadd(dueKey, 'XX', Date.now() + DELAY_MS * (0.8 + Math.random() * 0.4), id);
        await next.exec();
        polls += ids.length;
      },
      { connection: workerConnection, prefix, concurrency: 1 },
    );
    await worker.waitUntilReady();
    await queue.upsertJobScheduler('tick', { every: TICK_MS }, { name: 'tick' });
    await new Promise((resolve) => setTimeout(resolve, WARM_UP_SECONDS * 1000));
    const [before, pollsBefore, ticksBefore] = [await serverCommandStats(redis), polls, ticks];
    await new Promise((resolve) => setTimeout(resolve, (RUN_SECONDS - WARM_UP_SECONDS) * 1000));
    const [after, pollsAfter, ticksAfter] = [await serverCommandStats(redis), polls, ticks];

    const counted = pollsAfter - pollsBefore;
    const commands = commandsPer(before, after, counted, 8);
    console.log(`${RESTORES} restores due every ${DELAY_MS / 1000} s ±20 %, one tick every ${TICK_MS} ms polls what is due; ${counted} polls in ${ticksAfter - ticksBefore} ticks over ${RUN_SECONDS - WARM_UP_SECONDS} s`);
    console.log(`server commands per poll, top: ${commands.top}`);
    console.log(`Redis commands per poll with one tick for many restores: ${commands.total} executed by the server (compare step-job-floor.ts)`);
  } finally {
    await worker?.close();
    await queue.close();
    const deleted = await deleteKeys(redis, prefix);
    console.log(`  cleaned up ${deleted} Redis keys under ${prefix}`);
    queueConnection.disconnect();
    workerConnection.disconnect();
    redis.disconnect();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  benchBatchedPollFloor().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
