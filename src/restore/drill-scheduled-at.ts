// The time a drill's scheduled run was planned for, and the ids of a drill's run jobs. BullMQ's job scheduler names
// each run `repeat:<scheduler>:<ms>`; the job's own timestamps move with every step (delays), its data is the
// scheduler's template.
import type { DrillJobData } from './drill-job.js';

/** The job scheduler of a drill: `drill-<name>`. */
export const DRILL_SCHEDULER_PREFIX = 'drill-';
/** The run on command: one at a time per drill. */
export const drillNowJobId = (name: string): string => `drill-now-${name}`;

export function drillScheduledAt(jobId: string | undefined, data: Pick<DrillJobData, 'trigger'>): Pick<DrillJobData, 'scheduledAt'> {
  if (data.trigger !== 'schedule') return {};
  const planned = Number(/^repeat:[^:]+:(\d+)$/.exec(jobId ?? '')?.[1]);
  return Number.isFinite(planned) ? { scheduledAt: planned } : {};
}

/** The id of the job running this run (the inverse of drillScheduledAt), when it can be told. */
export function drillRunJobId(data: Pick<DrillJobData, 'drill' | 'trigger' | 'scheduledAt'>): string | undefined {
  if (data.trigger === 'command') return drillNowJobId(data.drill);
  return data.scheduledAt === undefined ? undefined : `repeat:${DRILL_SCHEDULER_PREFIX}${data.drill}:${data.scheduledAt}`;
}
