// The end of a request as the tracker sees it: record the final state with an intent, then release
// the target lock, audit and notify, each exactly once (tracker-marks.ts), whether on the run that made
// the transition or on a re-run after that run crashed.
import type { RestoreJob } from '../atlas/types.js';
import type { FinalIntent, OnceOutcome } from './tracker-marks.js';
import { TrackerError, type TrackerContext } from './tracker-types.js';
import type { RequestState, RestoreRequest } from './types.js';

/** The request state an intent leads to: a settle only acts when the stored state is that one. */
function intendedState(intent: FinalIntent): RequestState {
  switch (intent.kind) {
    case 'finished':
      return intent.job.state as RequestState;
    case 'lost':
      return 'failed';
    case 'approval_expired':
      return 'approval_expired';
  }
}

function auditFor(intent: FinalIntent, req: RestoreRequest): Parameters<TrackerContext['store']['audit']>[0] {
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
      return { type: 'failed', requestId: req.id, detail: `tracking lost: ${intent.message}`, code: intent.code, atlasJobId: req.atlasJobId };
    case 'approval_expired':
      return { type: 'approval_expired', requestId: req.id, detail: `approval expired at ${req.approvalExpiresAt}` };
  }
}

/**
 * Owed side effects of a final request, per its intent. 'none' when there is no intent of ours for
 * this state (someone else ended the request: not ours to announce). `liveError` is the original error
 * of a tracking loss seen in this run; a re-run rebuilds one from the intent.
 */
export async function settleFinal(ctx: TrackerContext, req: RestoreRequest, liveError?: Error): Promise<OnceOutcome | 'none'> {
  const intent = await ctx.marks.getIntent(req.id);
  if (!intent || intendedState(intent) !== req.state) return 'none';
  // Lock and audit first and on their own: a Slack outage must not repeat the audit entry.
  const recorded = await ctx.marks.runOnce(req.id, 'final-record', async () => {
    await ctx.store.releaseTargetLock(req.target, req.id);
    await ctx.store.auditOnce(`${req.id}:final`, auditFor(intent, req)); // atomic: a re-run after a crash can't repeat it
  });
  if (recorded === 'busy') return 'busy';
  return ctx.marks.runOnce(req.id, 'final-notify', async () => {
    switch (intent.kind) {
      case 'finished':
        await ctx.notifier.restoreFinished(req, intent.job);
        break;
      case 'lost':
        await ctx.notifier.trackingLost(req, liveError ?? new TrackerError(intent.code, intent.message));
        break;
      case 'approval_expired':
        await ctx.notifier.approvalExpired(req);
        break;
    }
  });
}

/** Atlas's restore job shapes carry no failure text: say at least what happened and where to look. */
const DEFAULT_REASONS: Partial<Record<RestoreJob['state'], string>> = {
  failed: 'Atlas marked the restore job as failed without giving a reason: see the restore job in the Atlas UI.',
  cancelled: 'The restore job was cancelled in Atlas.',
  expired: 'The restore job expired in Atlas before it finished.',
};

/** The terminal Atlas state `job` ends the request: CAS running → job.state, then settle. */
export async function recordFinished(ctx: TrackerContext, req: RestoreRequest, job: RestoreJob): Promise<RestoreRequest | null> {
  await ctx.marks.setIntent(req.id, { kind: 'finished', job });
  const patch: Partial<RestoreRequest> = { lastJobState: job.state, finishedAt: job.finishedAt ?? new Date().toISOString() };
  const reason = job.failureReason ?? DEFAULT_REASONS[job.state];
  if (reason) patch.failureReason = reason;
  const result = await ctx.store.transition(req.id, ['running'], job.state as RequestState, patch);
  if (result.ok) return result.request;
  // Lost the CAS. Another tracker run (a stalled job's zombie) that made the same transition is covered
  // by the once-markers; any other final state has an owner of its own.
  if (result.request && result.request.state === job.state) return result.request;
  await ctx.marks.clearIntent(req.id);
  return null;
}

/** A permanent error: the request fails with a reason; the caller settles it. */
export async function recordTrackingLost(ctx: TrackerContext, req: RestoreRequest, code: string, message: string): Promise<RestoreRequest | null> {
  await ctx.marks.setIntent(req.id, { kind: 'lost', code, message });
  const result = await ctx.store.transition(req.id, ['running'], 'failed', {
    failureReason: `The bot lost track of the Atlas restore job: ${message}`,
    finishedAt: new Date().toISOString(),
  });
  if (result.ok) return result.request;
  if (result.request && result.request.state === 'failed') return result.request;
  await ctx.marks.clearIntent(req.id);
  return null;
}
