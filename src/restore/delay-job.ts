// The step-job pattern's "see you later": store the step's data and move the job to delayed. BullMQ's moveToDelayed
// script can write job fields itself (its retries use that); doing so saves a round trip and an updateData script on
// every poll, which is most of what a restore in flight costs Redis. Job.moveToDelayed doesn't expose it, so the
// backend is called directly when it has the shape this code was written against, and the two public calls otherwise.
import type { Job } from 'bullmq';

interface DelayingBackend {
  moveToDelayed(jobId: string, timestamp: number, delay: number, token: string, opts: { skipAttempt?: boolean; fieldsToUpdate?: Record<string, string> }): Promise<unknown>;
}

function backendOf(job: Job): DelayingBackend | undefined {
  const backend = (job as unknown as { backend?: Partial<DelayingBackend> }).backend;
  return typeof backend?.moveToDelayed === 'function' && backend.moveToDelayed.length >= 3 ? (backend as DelayingBackend) : undefined;
}

/** Whether the installed BullMQ still lets delayJob write the data and delay the job in one script. */
export function delaysInOneRoundTrip(job: Job): boolean {
  return backendOf(job) !== undefined;
}

/** Stores the step's data and delays the job until `dueAt` (ms since the epoch; exact, so due times on a grid stay on it). */
export async function delayJob(job: Job, token: string | undefined, data: unknown, dueAt: number): Promise<void> {
  const backend = backendOf(job);
  if (backend && job.id !== undefined && token !== undefined) {
    const now = Date.now();
    await backend.moveToDelayed(job.id, now, Math.max(0, Math.round(dueAt) - now), token, { skipAttempt: true, fieldsToUpdate: { data: JSON.stringify(data) } });
    job.data = data;
    return;
  }
  await job.updateData(data);
  await job.moveToDelayed(Math.round(dueAt), token);
}
