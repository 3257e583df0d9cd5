// Approval expiry: a request still pending approval at its expiry becomes 'approval_expired', its
// target lock is released, the audit says so and the notifier is told, by the one run that wins the CAS
// (or, after a crash, by the re-run that finds the intent: see tracker-marks.ts). A notification that fails
// (Slack down) is reported, never thrown: the expiry job tries it again (tracker.ts), or the card would keep
// its buttons and nobody would hear that the request ended.
import { nextSettleRetry, trySettle } from './settle-step.js';
import type { ExpiryJobData, TrackerContext } from './tracker-types.js';
import type { RestoreRequest } from './types.js';

export type ExpiryOutcome =
  | { kind: 'expired'; settled: boolean } // this call made the transition; settled: false when another run holds the notification
  | { kind: 'settled' } // already expired; owed effects delivered (or nothing was owed)
  | { kind: 'not_due'; dueAt: number } // still pending, expiry later (it was moved)
  | { kind: 'busy' } // another run is delivering the notification right now
  | { kind: 'unsettled'; expiredNow: boolean; error: unknown } // expired (by this call when expiredNow), but what it owes failed
  | { kind: 'noop'; state: string }; // approved, rejected, gone...

/** Settles an expired request; `expiredNow` says whether this call made the transition. */
async function settleExpired(ctx: TrackerContext, req: RestoreRequest, expiredNow: boolean): Promise<ExpiryOutcome> {
  const settled = await trySettle(ctx, req);
  if (!settled.ok) return { kind: 'unsettled', expiredNow, error: settled.error };
  if (expiredNow) return { kind: 'expired', settled: settled.outcome !== 'busy' };
  return settled.outcome === 'busy' ? { kind: 'busy' } : { kind: 'settled' };
}

export async function expireApproval(ctx: TrackerContext, requestId: string, now = Date.now()): Promise<ExpiryOutcome> {
  const req = await ctx.store.get(requestId);
  if (!req) return { kind: 'noop', state: 'missing' };
  // A Reject or Cancel whose click handler died before its end was settled: this job, armed for the expiry, is the net.
  if (req.state === 'approval_expired' || req.state === 'rejected' || req.state === 'cancelled') return settleExpired(ctx, req, false);
  if (req.state !== 'pending_approval') return { kind: 'noop', state: req.state };
  const dueAt = Date.parse(req.approvalExpiresAt);
  if (Number.isFinite(dueAt) && dueAt > now) return { kind: 'not_due', dueAt };

  const token = await ctx.marks.setIntent(requestId, { kind: 'approval_expired' });
  const result = await ctx.store.transition(requestId, ['pending_approval'], 'approval_expired', { finalIntentToken: token });
  if (!result.ok) {
    await ctx.marks.discardIntent(requestId, token);
    // Approved or rejected at the last moment, or another replica expired it (it then settles).
    if (result.request?.state === 'approval_expired') return settleExpired(ctx, result.request, false);
    return { kind: 'noop', state: result.request?.state ?? 'missing' };
  }
  await ctx.marks.shareIntent(requestId, token).catch((err: unknown) => ctx.logger.warn({ err, requestId }, 'could not share the end intent with earlier versions'));
  ctx.logger.info({ requestId }, 'approval expired');
  return settleExpired(ctx, result.request, true);
}

export type ExpiryStepResult = { kind: 'again'; delayMs: number; data: ExpiryJobData } | { kind: 'done'; reason: string };

/** One run of a request's expiry job: expire it when due, and come back until what it owes has been delivered. */
export async function runExpiryStep(ctx: TrackerContext, data: ExpiryJobData): Promise<ExpiryStepResult> {
  const outcome = await expireApproval(ctx, data.requestId);
  if (outcome.kind === 'not_due') return { kind: 'again', delayMs: outcome.dueAt - Date.now(), data };
  if (outcome.kind === 'busy' || (outcome.kind === 'expired' && !outcome.settled)) return { kind: 'again', delayMs: ctx.notifyLeaseMs, data };
  if (outcome.kind === 'unsettled') {
    // Nothing else comes back for an expired request: this job retries its message, the backoff kept in its data.
    const retry = nextSettleRetry(ctx, data.requestId, data, outcome.error);
    if (retry.kind === 'give_up') return { kind: 'done', reason: 'expired; final notification not delivered' };
    return { kind: 'again', delayMs: retry.delayMs, data: { ...data, ...retry.state } };
  }
  return { kind: 'done', reason: outcome.kind };
}

/** Another run holds the notification, or this one could not deliver it: the expiry job must make sure it is delivered. */
export function isExpiryNoticeOwed(outcome: ExpiryOutcome): boolean {
  return outcome.kind === 'busy' || outcome.kind === 'unsettled' || (outcome.kind === 'expired' && !outcome.settled);
}
