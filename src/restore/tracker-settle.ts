// The end of a request as the tracker sees it: record the final state with an intent, then release
// the target lock, audit and notify, each exactly once (tracker-marks.ts), whether on the run that made
// the transition or on a re-run after that run crashed.
import type { RestoreJob } from '../atlas/types.js';
import { drillRunOf } from './drill-history.js';
import type { AuditEvent } from './store.js';
import { intendedState, type FinalIntent, type OnceOutcome } from './tracker-marks.js';
import { TrackerError, type TrackerContext } from './tracker-types.js';
import type { RequestState, RestoreRequest } from './types.js';

function auditFor(intent: FinalIntent, req: RestoreRequest): AuditEvent {
  switch (intent.kind) {
    case 'finished':
      return {
        type: 'finished',
        requestId: req.id,
        detail: `Atlas restore job ${intent.job.id} ${intent.job.state}${intent.job.failureReason ? `: ${intent.job.failureReason}` : ''}`,
        atlasJobId: intent.job.id,
        state: intent.job.state,
      };
    case 'lost':
      return { type: 'failed', requestId: req.id, detail: `tracking lost (${intent.code}): ${intent.message}`, code: intent.code, atlasJobId: req.atlasJobId };
    case 'approval_expired':
      return { type: 'approval_expired', requestId: req.id, detail: `approval expired at ${req.approvalExpiresAt}` };
    case 'not_submitted':
      return { type: intent.audit, requestId: req.id, detail: `not submitted: ${intent.message}` };
    case 'submit_refused':
      return { type: 'failed', requestId: req.id, detail: `Atlas refused the restore job${intent.code ? ` (${intent.code})` : ''}: ${intent.message}`, ...(intent.code ? { code: intent.code } : {}) };
    case 'unconfirmed':
      return { type: 'failed', requestId: req.id, detail: `outcome unknown: ${intent.message}` };
    case 'dry_run':
      return { type: 'submitted', requestId: req.id, detail: 'dry run: no restore job was created' };
    case 'rejected':
      // The stored request says who: two Rejects at once both write an intent, and only one compare-and-set won.
      return { type: 'rejected', requestId: req.id, user: req.rejectedBy ?? intent.by };
    case 'cancelled':
      return { type: 'cancelled', requestId: req.id, user: req.cancelledBy ?? intent.by };
  }
}

/**
 * Once-marker names. The first three kinds keep the names of earlier versions (a settle they left half-done is
 * finished, not repeated); the others carry their kind, so a request adopted after an 'unconfirmed' end settles again.
 */
function markerOf(intent: FinalIntent, what: 'record' | 'notify'): string {
  const legacy = intent.kind === 'finished' || intent.kind === 'lost' || intent.kind === 'approval_expired';
  return legacy ? `final-${what}` : `final-${what}:${intent.kind}`;
}

/**
 * Owed side effects of a final request, per its intent. 'none' when there is no intent of ours for
 * this state (someone else ended the request: not ours to announce). `liveError` is the original error
 * of a tracking loss seen in this run; a re-run rebuilds one from the intent.
 */
export async function settleFinal(ctx: TrackerContext, req: RestoreRequest, liveError?: Error): Promise<OnceOutcome | 'none'> {
  const intent = await ctx.marks.getIntent(req.id, req.finalIntentToken);
  if (!intent || intendedState(intent) !== req.state) return 'none';
  // Lock and audit first and on their own: a Slack outage must not repeat the audit entry.
  const recorded = await ctx.marks.runOnce(req.id, markerOf(intent, 'record'), async () => {
    // An unconfirmed POST may still have created a job restoring into the target: the late search keeps the lock.
    if (intent.kind !== 'unconfirmed') await ctx.store.releaseTargetLock(req.target, req.id);
    await ctx.store.auditOnce(`${req.id}:${markerOf(intent, 'record')}`, auditFor(intent, req)); // atomic: a re-run can't repeat it
    // A drill's result, for its next runs to compare with and `drills` to show (inside the once-guard: recorded once).
    // An unconfirmed end is recorded as what it is; should its job turn up after all, its end replaces it.
    if (req.drill) await ctx.drillHistory.record(req.drill.name, drillRunOf(req, intent.kind === 'unconfirmed' ? { reason: intent.message } : undefined));
    // Counted here, once: the notification below is tried again while Slack refuses it. An unconfirmed POST is not
    // an end yet: its job may turn up (then its end counts), or the late search ends without it (counted there).
    if (intent.kind !== 'unconfirmed') ctx.onRequestFinished?.(req);
  });
  if (recorded === 'busy') return 'busy';
  return ctx.marks.runOnce(req.id, markerOf(intent, 'notify'), async () => {
    switch (intent.kind) {
      case 'finished':
        return ctx.notifier.restoreFinished(req, intent.job);
      case 'lost':
        return ctx.notifier.trackingLost(req, liveError ?? new TrackerError(intent.code, intent.message));
      case 'approval_expired':
        return ctx.notifier.approvalExpired(req);
      case 'not_submitted':
        return ctx.notifier.notSubmitted(req);
      case 'submit_refused':
        return ctx.notifier.submitRefused(req, { message: intent.message, code: intent.code });
      case 'unconfirmed':
        return ctx.notifier.submitUnconfirmed(req);
      case 'dry_run':
        return ctx.notifier.submitted(req, 'dry_run');
      case 'rejected':
      case 'cancelled':
        return ctx.notifier.endedByPerson(req);
    }
  });
}

/**
 * Ends a request with `intent`: records the intent, then the compare-and-set from `from`. Returns the final
 * request when this call (or an earlier run of the same step) made the transition, null when someone else ended it.
 */
export async function endRequest(
  ctx: TrackerContext,
  req: RestoreRequest,
  from: readonly RequestState[],
  intent: FinalIntent,
  patch: Partial<RestoreRequest>,
  opts: { unlessSet?: keyof RestoreRequest } = {},
): Promise<RestoreRequest | null> {
  const token = await ctx.marks.setIntent(req.id, intent);
  const state = intendedState(intent);
  const result = await ctx.store.transition(req.id, from, state, { finishedAt: new Date().toISOString(), ...patch, finalIntentToken: token }, opts);
  if (result.ok) {
    await ctx.marks.shareIntent(req.id, token).catch((err: unknown) => ctx.logger.warn({ err, requestId: req.id }, 'could not share the end intent with earlier versions'));
    return result.request;
  }
  // Lost the CAS: what this run wrote is no one's. Another run of this job (a stalled job's zombie) that made the same
  // transition settles by its own intent, under the once-markers; any other final state has an owner of its own.
  await ctx.marks.discardIntent(req.id, token);
  if (result.request && result.request.state === state) return result.request;
  return null;
}

/** Atlas's restore job shapes carry no failure text: say at least what happened and where to look. */
const DEFAULT_REASONS: Partial<Record<RestoreJob['state'], string>> = {
  failed: 'Atlas marked the restore job as failed without giving a reason: see the restore job in the Atlas UI.',
  cancelled: 'The restore job was cancelled in Atlas.',
  expired: 'The restore job expired in Atlas before it finished.',
};

/** The terminal Atlas state `job` ends the request: CAS running → job.state, then settle. */
export async function recordFinished(ctx: TrackerContext, req: RestoreRequest, job: RestoreJob, namespaceResults?: RestoreRequest['namespaceResults']): Promise<RestoreRequest | null> {
  const patch: Partial<RestoreRequest> = { lastJobState: job.state, finishedAt: job.finishedAt ?? new Date().toISOString(), ...(namespaceResults ? { namespaceResults } : {}) };
  const reason = job.failureReason ?? DEFAULT_REASONS[job.state];
  if (reason) patch.failureReason = reason;
  return endRequest(ctx, req, ['running'], { kind: 'finished', job }, patch);
}

/** A permanent error: the request fails with a reason; the caller settles it. */
export async function recordTrackingLost(ctx: TrackerContext, req: RestoreRequest, code: string, message: string): Promise<RestoreRequest | null> {
  return endRequest(ctx, req, ['running'], { kind: 'lost', code, message }, { failureReason: `The bot lost track of the Atlas restore job: ${message}` });
}
