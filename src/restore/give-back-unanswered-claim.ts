// The claim of the POST (`postStartedAt`, with its run's token `postClaim`) written by a run that never heard Redis
// answer it: that run sent nothing, so the claim must not be read as a POST made (submit-step.ts keeps the token in
// the job's data when its claim goes unanswered).
import type { PollJobData, TrackerContext } from './tracker-types.js';
import type { RestoreRequest } from './types.js';

/**
 * A claim of the POST made by a run that got no answer to it and so sent nothing: given back (the request is read again
 * after), and the submission goes on as if it had never been made. Any other claim stands.
 */
export async function giveBackUnansweredClaim(ctx: TrackerContext, req: RestoreRequest, data: PollJobData): Promise<{ request: RestoreRequest; data: PollJobData }> {
  const { unansweredClaim, ...rest } = data;
  if (unansweredClaim === undefined) return { request: req, data };
  if (req.state !== 'submitting' || req.postClaim !== unansweredClaim || req.atlasJobId !== undefined) return { request: req, data: rest };
  // Only while the claim is still this token's, in one script: another run of the job may have claimed it since.
  const given = await ctx.store.giveBackField(req.id, ['submitting'], 'postClaim', unansweredClaim, ['postStartedAt', 'priorJobIds']);
  if (given.ok) ctx.logger.info({ requestId: req.id }, 'gave back a claim of the POST whose answer was lost; nothing had been sent');
  return { request: given.request ?? req, data: rest };
}
