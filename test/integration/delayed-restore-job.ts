// The restore's BullMQ job once it is delayed with data the test accepts: how a test sees when the next run is due.
import type { Job, Queue } from 'bullmq';
import { restoreJobId } from '../../src/restore/tracker.js';
import type { PollJobData } from '../../src/restore/tracker-types.js';
import { waitFor } from '../helpers/wait-for.js';

export async function waitForDelayedRestoreJob(queue: Queue, requestId: string, accept: (data: PollJobData) => boolean, message: string): Promise<{ job: Job; data: PollJobData }> {
  return waitFor(
    async () => {
      const job = await queue.getJob(restoreJobId(requestId));
      const data = job?.data as PollJobData | undefined;
      return job && data && (await job.getState()) === 'delayed' && accept(data) ? { job, data } : undefined;
    },
    { message },
  );
}
