// How a failed tracker job is logged. Its attempts used up, a job is not run again: what it carried (a restore, a
// drill run) waits for the periodic reconcile, or for nobody. That line is the one to alert on; an attempt that will
// be retried is only a warning.
import type { Logger } from 'pino';

export interface FailedJob {
  id?: string | undefined;
  name: string;
  attemptsMade: number;
  opts: { attempts?: number | undefined };
}

export function logFailedJob(logger: Pick<Logger, 'error' | 'warn'>, job: FailedJob | undefined, err: Error): void {
  if (job !== undefined && job.attemptsMade >= (job.opts.attempts ?? 1)) {
    logger.error({ jobId: job.id, job: job.name, attempts: job.attemptsMade, err: err.message }, 'tracker job failed for good');
    return;
  }
  logger.warn({ jobId: job?.id, err: err.message }, 'tracker job failed');
}
