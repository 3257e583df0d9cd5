// A scheduled drill run that waits (Atlas, its own errors) before making its request leaves its job's id where
// `drills` and the App Home look for it, so they read that one job instead of every delayed job of the queue.
import type { DrillDefinition } from './drill-definition.js';
import type { DrillJobData } from './drill-job.js';
import { drillRunJobId } from './drill-scheduled-at.js';
import type { TrackerContext } from './tracker-types.js';

/** Best effort (a run on command has a known id, and needs none). */
export async function noteWaiting(ctx: TrackerContext, drill: DrillDefinition, data: DrillJobData, until: number): Promise<void> {
  const jobId = data.trigger === 'schedule' ? drillRunJobId(data) : undefined;
  if (!jobId) return;
  await ctx.drillHistory.noteWaiting(drill.name, jobId, until).catch((err: unknown) => ctx.logger.warn({ err, drill: drill.name }, "could not note the drill run's wait for `drills`"));
}
