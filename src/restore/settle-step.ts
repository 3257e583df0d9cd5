// Delivering what a final request owes (lock, audit, the final message) from inside a step. A failure there (Slack
// down, a Redis hiccup) never throws out of the step: BullMQ's attempts are few and meant for bugs, and a job that
// used them up is failed for good, with the message lost and nothing (reconcile only resumes requests in flight)
// coming back for it. The failure is logged and the step returns a delayed retry whose attempts ride in the job's data.
import { settleFinal } from './tracker-settle.js';
import type { OnceOutcome } from './tracker-marks.js';
import type { PollJobData, SettleRetryState, StepResult, TrackerContext } from './tracker-types.js';
import type { RestoreRequest } from './types.js';

/**
 * How a final notification is retried: exponential from `firstDelayMs`, then every `maxDelayMs`, until `horizonMs`
 * after its first failure. The horizon must stay well inside how long intents and once-markers are kept
 * (tracker-options.ts): a try after they expired would find nothing owed and end silently.
 */
export interface SettleRetryPolicy {
  firstDelayMs: number;
  maxDelayMs: number;
  horizonMs: number;
}

/** A Slack outage of a day is still followed by the message; beyond that the operators have to look (log, metric). */
export const DEFAULT_SETTLE_HORIZON_MS = 24 * 3600_000;

export type SettleTry = { ok: true; outcome: OnceOutcome | 'none' } | { ok: false; error: unknown };

/** One try at what `req` owes; a failure is returned, never thrown. */
export async function trySettle(ctx: TrackerContext, req: RestoreRequest, liveError?: Error): Promise<SettleTry> {
  try {
    return { ok: true, outcome: await settleFinal(ctx, req, liveError) };
  } catch (error) {
    return { ok: false, error };
  }
}

export type SettleRetry = { kind: 'again'; delayMs: number; state: Required<SettleRetryState> } | { kind: 'give_up'; attempts: number };

/**
 * The notifier's word that no retry will deliver it (`permanent: true`: every way it knows was refused for good, e.g.
 * the channel archived and nobody left to write to directly). Waiting out the horizon would only hide that for a day.
 */
function isPermanent(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { permanent?: unknown }).permanent === true;
}

/** A try failed: when to try again, or, past the horizon or refused for good, that it is time to stop (loudly). */
export function nextSettleRetry(ctx: TrackerContext, requestId: string, state: SettleRetryState, err: unknown, now = Date.now()): SettleRetry {
  const { firstDelayMs, maxDelayMs, horizonMs } = ctx.settleRetry;
  const attempts = (state.settleAttempts ?? 0) + 1;
  const since = state.settleFailingSince ?? now;
  if (isPermanent(err)) {
    ctx.logger.error({ requestId, err, attempts }, 'giving up on the final notification: Slack refuses every way of delivering it, and no retry will change that');
    ctx.onFinalNotificationAbandoned?.();
    return { kind: 'give_up', attempts };
  }
  if (now - since >= horizonMs) {
    ctx.logger.error({ requestId, err, attempts, failingSince: new Date(since).toISOString() }, 'giving up on the final notification: it was not delivered');
    ctx.onFinalNotificationAbandoned?.();
    return { kind: 'give_up', attempts };
  }
  ctx.logger.warn({ requestId, err, attempts, failingSince: new Date(since).toISOString() }, 'final notification failed; retrying');
  const backoff = Math.min(maxDelayMs, firstDelayMs * 2 ** Math.min(attempts - 1, 30));
  // The last try falls on the horizon, not a whole delay after it.
  const delayMs = Math.max(ctx.policy.minDelayMs, Math.min(backoff, since + horizonMs - now));
  return { kind: 'again', delayMs: Math.round(delayMs), state: { settleAttempts: attempts, settleFailingSince: since } };
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
