// delayJob: the step's data and the delay in one BullMQ script, on real Redis; the next run sees the new data.
import { DelayedError, Queue, Worker, type Job } from 'bullmq';
import { afterAll, describe, expect, it } from 'vitest';
import { delayJob, delaysInOneRoundTrip } from '../../src/restore/delay-job.js';
import { waitFor } from '../helpers/wait-for.js';
import { connect, deleteKeys, randomPrefix } from './store-fixtures.js';

const redis = connect();
const prefix = randomPrefix('delay');
afterAll(async () => {
  await deleteKeys(redis, prefix);
  redis.disconnect();
});

describe('delayJob', () => {
  it('stores the data with the delay, in one round trip on the BullMQ in use', async () => {
    const queue = new Queue('delay-test', { connection: redis.duplicate(), prefix: `${prefix}bull` });
    const seen: number[] = [];
    let fastPath: boolean | undefined;
    const worker = new Worker(
      'delay-test',
      async (job: Job<{ n: number }>, token?: string) => {
        seen.push(job.data.n);
        fastPath ??= delaysInOneRoundTrip(job);
        if (job.data.n >= 3) return 'done';
        await delayJob(job, token, { n: job.data.n + 1 }, Date.now() + 20);
        throw new DelayedError();
      },
      { connection: redis.duplicate({ maxRetriesPerRequest: null }), prefix: `${prefix}bull`, drainDelay: 1 },
    );
    try {
      const job = await queue.add('step', { n: 1 }, { jobId: 'steps' });
      await waitFor(async () => (await job.getState()) === 'completed', { message: 'the job completed' });
      expect(seen).toEqual([1, 2, 3]);
      // If a BullMQ upgrade hides this, polls still work (two calls), but each costs Redis a round trip more.
      expect(fastPath).toBe(true);
    } finally {
      await worker.close();
      await queue.close();
    }
  });
});
