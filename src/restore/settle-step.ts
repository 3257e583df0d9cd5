// Delivering what a final request owes (lock, audit, the final message) from inside a step. A failure there (Slack
// down, a Redis hiccup) never throws out of the step: BullMQ's attempts are few and meant for bugs, and a job that
// used them up is failed for good, with the message lost and nothing (reconcile only resumes requests in flight)
// coming back for it. The failure is logged and the step returns a delayed retry whose attempts ride in the job's data.
import { stageDelayMs } from './poll-interval.js';
import { settleFinal } from './tracker-settle.js';
import type { OnceOutcome } from './tracker-marks.js';
import type { PollJobData, SettleRetryState, StepResult, TrackerContext } from './tracker-types.js';
import type { RestoreRequest } from './types.js';

/** After this many failed attempts to deliver a final notification, stop trying (and say so in the log). */
const MAX_SETTLE_ATTEMPTS = 20;

export type SettleTry = { ok: true; outcome: OnceOutcome | 'none' } | { ok: false; error: unknown };

/** One try at what `req` owes; a failure is returned, never thrown. */
export async function trySettle(ctx: TrackerContext, req: RestoreRequest, liveError?: Error): Promise<SettleTry> {
  try {
    return { ok: true, outcome: await settleFinal(ctx, req, liveError) };
  } catch (error) {
    return { ok: false, error };
  }
}

export type SettleRetry = { kind: 'again'; delayMs: number; state: Required<Pick<SettleRetryState, 'settleAttempts'>> } | { kind: 'give_up'; attempts: number };

/** A try failed: when to try again (exponential, capped at the poll policy's maximum), or that it is time to stop. */
export function nextSettleRetry(ctx: TrackerContext, requestId: string, state: SettleRetryState, err: unknown): SettleRetry {
  const attempts = (state.settleAttempts ?? 0) + 1;
  if (attempts >= MAX_SETTLE_ATTEMPTS) {
    ctx.logger.error({ requestId, err, attempts }, 'giving up on the final notification');
    return { kind: 'give_up', attempts };
  }
  ctx.logger.warn({ requestId, err, attempts }, 'final notification failed; retrying');
  const delayMs = Math.min(ctx.policy.maxDelayMs, Math.max(ctx.policy.minDelayMs, stageDelayMs(ctx.policy, 0) * 2 ** attempts));
  return { kind: 'again', delayMs, state: { settleAttempts: attempts } };
}

/** The request is final: deliver what is owed (lock, audit, notification), then complete; retried while that fails. */
export async function settleStep(ctx: TrackerContext, req: RestoreRequest, data: PollJobData, why: string, liveError?: Error): Promise<StepResult> {
  const settled = await trySettle(ctx, req, liveError);
  if (settled.ok) {
    if (settled.outcome === 'busy') return { kind: 'again', delayMs: ctx.notifyLeaseMs, data: { ...data, step: 'settle' } };
    return { kind: 'done', reason: `${why}: request ${req.state}` };
  }
  const retry = nextSettleRetry(ctx, req.id, data, settled.error);
  if (retry.kind === 'give_up') return { kind: 'done', reason: `${why}: final notification not delivered` };
  return { kind: 'again', delayMs: retry.delayMs, data: { ...data, step: 'settle', ...retry.state } };
}
