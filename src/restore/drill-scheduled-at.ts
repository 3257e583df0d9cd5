// The time a drill's scheduled run was planned for. BullMQ's job scheduler names each run `repeat:<scheduler>:<ms>`;
// the job's own timestamps move with every step (delays), its data is the scheduler's template.
import type { DrillJobData } from './drill-job.js';

export function drillScheduledAt(jobId: string | undefined, data: Pick<DrillJobData, 'trigger'>): Pick<DrillJobData, 'scheduledAt'> {
  if (data.trigger !== 'schedule') return {};
  const planned = Number(/^repeat:[^:]+:(\d+)$/.exec(jobId ?? '')?.[1]);
  return Number.isFinite(planned) ? { scheduledAt: planned } : {};
}
