// A drill run that meets an error of its own once its request exists, or may exist (its create was sent and its
// answer lost: a connection cut, a failover right after the write). From then on it can never say "did not run,
// nothing was restored": that request holds the target and is restored once tracked. The run looks at it again as
// its own steps (not BullMQ's attempts, whose last one ends in a log line only) until Redis answers: then it finds
// the request and hands it on (its card posted first when the create's answer was what got lost), or finds that
// the create never landed and goes on as a run that made no request.
import type { DrillDefinition } from './drill-definition.js';
import type { DrillJobData, DrillStepResult } from './drill-job.js';
import type { TrackerContext } from './tracker-types.js';
import { drillRetryDelayMs } from './drill-retry-delay.js';

/** Redis failing for a day: the run stops looking; the periodic reconcile hands on a request it finds then. */
export const REQUEST_LOOK_HORIZON_MS = 24 * 3600_000;

/**
 * `createUnconfirmed`: this step sent the create and lost its answer, so the request may lack its card as well.
 */
export function afterErrorWithRequest(ctx: TrackerContext, drill: DrillDefinition, data: DrillJobData, err: unknown, now: number, createUnconfirmed: boolean): DrillStepResult {
  const errors = (data.errors ?? 0) + 1;
  const since = data.requestErrorsSince ?? now;
  const log = { err, drill: drill.name, requestId: data.requestId, errors, failingSince: new Date(since).toISOString() };
  if (now - since >= REQUEST_LOOK_HORIZON_MS) {
    ctx.logger.error(log, "drill run stopped looking at its request after a day of errors: the reconcile hands it on once Redis answers, if it was made");
    return { kind: 'done', reason: `drill ${drill.name}: its request ${data.requestId ?? '?'} could not be looked at for a day` };
  }
  ctx.logger.warn(log, 'drill run could not look at its request; trying again (it is not said to have not run)');
  const delayMs = drillRetryDelayMs(ctx, errors, ctx.policy.maxDelayMs);
  return {
    kind: 'again',
    delayMs,
    data: { ...data, errors, requestMayExist: true, requestErrorsSince: since, waiting: undefined, ...(createUnconfirmed || data.cardOwed ? { cardOwed: true } : {}) },
  };
}
