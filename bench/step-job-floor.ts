// Benchmark: what one step of a BullMQ step job costs Redis on its own: no Atlas, no store, no notifier.
// 1,000 jobs each delay themselves 5 s ±20 % (the tracker's first-minutes cadence) with the same worker
// settings, the same delayJob (data written by moveToDelayed) and the same due-time grid as the tracker. The server-side commands per
// step are the floor under "Redis commands per poll" in poller-load.ts while each poll is one step of the
// restore's job (DESIGN §4).
// Run: npx tsx bench/step-job-floor.ts   (FLOOR_JOBS=N, FLOOR_RUN_SECONDS=S to change the load, FLOOR_GRID_MS=0 for no grid)
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { DelayedError, Queue, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { alignDueTime, DUE_TIME_GRID_MS } from '../src/restore/align-due-time.js';
import { delayJob } from '../src/restore/delay-job.js';
import { WORKER_DEFAULTS } from '../src/restore/tracker-types.js';
import { deleteKeys } from './delete-keys.js';
import { commandsPer, serverCommandStats } from './server-command-stats.js';

const JOBS = Number(process.env.FLOOR_JOBS ?? 1000);
const RUN_SECONDS = Number(process.env.FLOOR_RUN_SECONDS ?? 30);
/** The first steps come all at once (the jobs are added together); counting starts after this. */
const WARM_UP_SECONDS = 10;
const DELAY_MS = 5000;
/** Due times rounded up to this grid, as the tracker does (FLOOR_GRID_MS=0 shows the cost without it). */
const GRID_MS = Number(process.env.FLOOR_GRID_MS ?? DUE_TIME_GRID_MS);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export async function benchStepJobFloor(): Promise<void> {
  const prefix = `bench-floor-${randomBytes(4).toString('hex')}`;
  const redis = new Redis(REDIS_URL);
  // BullMQ leaves connections it was given open on close(): these are disconnected below, or the process never exits.
  const queueConnection = redis.duplicate();
  const workerConnection = redis.duplicate({ maxRetriesPerRequest: null });
  const queue = new Queue('floor', { connection: queueConnection, prefix });
  let steps = 0;
  let worker: Worker | undefined;
  try {
    worker = new Worker(
      'floor',
      async (job: Job<{ n: number }>, token?: string) => {
        steps += 1;
        await delayJob(job, token, { n: job.data.n + 1 }, alignDueTime(Date.now(), DELAY_MS * (0.8 + Math.random() * 0.4), GRID_MS));
        throw new DelayedError();
      },
      { connection: workerConnection, prefix, ...WORKER_DEFAULTS },
    );
    await worker.waitUntilReady();
    for (let i = 0; i < JOBS; i += 500) {
      await queue.addBulk(Array.from({ length: Math.min(500, JOBS - i) }, (_, k) => ({ name: 'step', data: { n: 0 }, opts: { jobId: `step-${i + k}` } })));
    }
    await new Promise((resolve) => setTimeout(resolve, WARM_UP_SECONDS * 1000));
    const [before, stepsBefore] = [await serverCommandStats(redis), steps];
    const [cpuBefore, wallBefore] = [process.cpuUsage(), performance.now()];
    await new Promise((resolve) => setTimeout(resolve, (RUN_SECONDS - WARM_UP_SECONDS) * 1000));
    const [after, stepsAfter] = [await serverCommandStats(redis), steps];
    const cpu = process.cpuUsage(cpuBefore);
    const cpuShare = ((cpu.user + cpu.system) / 1000 / (performance.now() - wallBefore)) * 100;

    const counted = stepsAfter - stepsBefore;
    const commands = commandsPer(before, after, counted);
    console.log(`${JOBS} step jobs, each delaying itself ${DELAY_MS / 1000} s ±20 %, due times rounded up to ${GRID_MS > 0 ? `${GRID_MS} ms` : 'nothing'} (worker as the tracker's: concurrency ${WORKER_DEFAULTS.concurrency}); ${counted} steps counted over ${RUN_SECONDS - WARM_UP_SECONDS} s`);
    console.log(`server commands per step, top: ${commands.top}`);
    console.log(`CPU share of one core: ${cpuShare.toFixed(1)} % at ${(counted / (RUN_SECONDS - WARM_UP_SECONDS)).toFixed(0)} steps/s (BullMQ and ioredis alone)`);
    console.log(`BullMQ's own Redis commands per step: ${commands.total} executed by the server (INFO commandstats, incl. inside Lua): the floor under the poller's commands per poll`);
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
  benchStepJobFloor().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
