// One run of a restore's job: read the request and do the step its stored state calls for. The step is never
// taken from the job's data alone, so a job resumed after a crash, a restart or by another replica does what
// the request needs now, and a reconciler only has to make sure every request in flight has a live job.
import { runFindStep, runLateStep } from './find-job-step.js';
import { giveBackUnansweredClaim } from './give-back-unanswered-claim.js';
import { mayHavePosted, runSubmitStep } from './submit-step.js';
import { settleStep } from './settle-step.js';
import { runPollStep } from './tracker-poll.js';
import type { PollJobData, StepResult, TrackerContext } from './tracker-types.js';

export async function runRestoreStep(ctx: TrackerContext, data: PollJobData, now = Date.now()): Promise<StepResult> {
  const req = await ctx.store.get(data.requestId);
  if (!req) return { kind: 'done', reason: 'request not found' };
  switch (req.state) {
    case 'pending_approval':
      return { kind: 'done', reason: 'waiting for approvals' };
    case 'approved':
      return runSubmitStep(ctx, req, data, now);
    case 'submitting': {
      const mine = await giveBackUnansweredClaim(ctx, req, data);
      return mayHavePosted(mine.request) ? runFindStep(ctx, mine.request, mine.data, now) : runSubmitStep(ctx, mine.request, mine.data, now);
    }
    case 'running':
      return runPollStep(ctx, req, data, now);
    case 'failed':
      if (req.lateAdoptUntil) return runLateStep(ctx, req, data, now);
      return settleStep(ctx, req, data, 'final');
    default:
      return settleStep(ctx, req, data, 'final');
  }
}
