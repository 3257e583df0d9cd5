// One outage, one alarm: the first run of a drill that waits for Atlas claims the wait, and another run of the same
// drill meeting the same trouble meanwhile (its scheduled time comes while a run on command waits, or the reverse) is
// skipped quietly instead of waiting beside it and saying "did not run" a second time. The claim lasts the waiting
// run's start window at most, and is given back when that run goes on or gives up.
import type { DrillDefinition } from './drill-definition.js';
import type { DrillJobData, DrillStepResult } from './drill-job.js';
import type { TrackerContext } from './tracker-types.js';

const claimKey = (drill: DrillDefinition): string => `drill-waiting:${drill.name}`;

/** The run that holds the wait: `requestId` when it is this run's (now, or from an earlier step). */
export function claimTheWait(ctx: TrackerContext, drill: DrillDefinition, requestId: string, until: number, now: number): Promise<string> {
  return ctx.store.claimAs(claimKey(drill), requestId, Math.max(1, Math.ceil((until - now) / 1000)));
}

/** Best effort: a claim left behind ends with its window all the same. Never another run's. */
export async function releaseTheWait(ctx: TrackerContext, drill: DrillDefinition, requestId: string): Promise<void> {
  try {
    if ((await ctx.store.claimAs(claimKey(drill), requestId, 1)) === requestId) await ctx.store.releaseClaim(claimKey(drill));
  } catch (err) {
    ctx.logger.warn({ err, drill: drill.name }, 'could not give back the drill run\'s wait for Atlas; it ends with its window');
  }
}

export async function waitingBehind(ctx: TrackerContext, drill: DrillDefinition, data: DrillJobData, waitingId: string): Promise<DrillStepResult> {
  const run = data.trigger === 'command' ? 'run' : 'scheduled run';
  const reason = `another run of the drill (${waitingId}) already waits for Atlas; this ${run} was skipped, and that run says whether it could start.`;
  ctx.logger.info({ drill: drill.name, waiting: waitingId, trigger: data.trigger }, 'drill skipped: another run of it waits for Atlas');
  await ctx.store.auditOnce(`drill-not-started:${drill.name}:${data.startedAt ?? 0}`, { type: 'drill_not_started', ...(data.by ? { user: data.by } : {}), detail: `drill ${drill.name}: ${reason}` });
  return { kind: 'done', reason: `drill ${drill.name} not started: ${reason}` };
}
