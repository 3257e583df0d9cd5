// A drill run that meets an error of its own before it made its request (Redis refusing or unreachable, a bug). It is
// waited out as the run's own steps, like Atlas trouble, within the same start window; then the run ends as every
// other drill that could not start does: said in its channel, recorded as the drill's last result, audited. Left to
// BullMQ's attempts instead, it would end in a log line, the channel and `drills` silent.
import type { DrillDefinition } from './drill-definition.js';
import type { DrillJobData, DrillStepResult } from './drill-job.js';
import { notStarted } from './drill-not-started.js';
import { noteWaiting } from './drill-waiting-note.js';
import type { TrackerContext } from './tracker-types.js';
import { drillRetryDelayMs } from './drill-retry-delay.js';


export async function afterInternalError(ctx: TrackerContext, drill: DrillDefinition, data: DrillJobData, err: unknown, now: number, startWindowMs: number): Promise<DrillStepResult> {
  const errors = (data.errors ?? 0) + 1;
  // The first step may be the one that failed: the window counts from it.
  const startedAt = data.startedAt ?? now;
  const until = startedAt + startWindowMs;
  const what = describeInternalError(err);
  if (now < until) {
    ctx.logger.warn({ err, drill: drill.name, errors }, 'drill could not get its run ready; trying again');
    await noteWaiting(ctx, drill, data, until);
    // The last try falls on the end of the window, not a whole wait after it.
    const delayMs = drillRetryDelayMs(ctx, errors, until - now);
    return { kind: 'again', delayMs, data: { ...data, startedAt, errors, waiting: { why: what, nextTryAt: now + delayMs, until } } };
  }
  ctx.logger.error({ err, drill: drill.name, errors }, 'drill could not get its run ready within its start window: it did not run');
  const tries = `${errors} ${errors === 1 ? 'try' : 'tries'}`;
  const reason = `the bot could not get the run ready in ${roughDuration(now - startedAt)} (${tries}): ${what}. Nothing was restored. Look at Redis and at the bot's log (\`drill could not get its run ready\`).`;
  return notStarted(ctx, drill, { ...data, startedAt, errors }, now, reason);
}

/** Plain words for the channel; never the error's own text, which may carry keys or internal paths. */
function describeInternalError(err: unknown): string {
  const e = err instanceof Error ? err : undefined;
  if (e?.name === 'ReplyError') {
    const code = /^[A-Z]{2,}/.exec(e.message)?.[0];
    return `Redis refused the bot's commands${code ? ` (${code})` : ''}`;
  }
  if (e && (e.name === 'MaxRetriesPerRequestError' || /ECONNREFUSED|ETIMEDOUT|ENOTFOUND|Connection is closed|enableOfflineQueue|Stream isn't writeable/.test(e.message))) {
    return 'Redis could not be reached';
  }
  return 'an unexpected error in the bot';
}

/** "40 s", "12 min". */
function roughDuration(ms: number): string {
  return ms < 60_000 ? `${Math.max(0, Math.round(ms / 1000))} s` : `${Math.round(ms / 60_000)} min`;
}
