// The first steps of a restore's job: from 'approved' to a restore job in Atlas, exactly once (DESIGN.md §5).
// Everything before the POST can be repeated; a passing fault there makes the step wait (a delayed run of the same
// job, never a sleeping handler) until the request's horizon. The POST itself is claimed atomically
// (`postStartedAt`): only the run that wins the claim sends it, and a run that finds it set never sends it again.
import { randomBytes } from 'node:crypto';
import { AtlasApiError } from '../atlas/errors.js';
import { classifyAtlasError, type ErrorVerdict } from './classify-atlas-error.js';
import { matchesRequest } from './find-adoptable-job.js';
import { recordRunning, startFinding } from './find-job-step.js';
import { createJobFor, listRecentJobsFor } from './restore-job-calls.js';
import { retryAfterWaitMs } from './poll-interval.js';
import { recheckPointInTime } from './recheck-point-in-time.js';
import { restoreFromText } from './restore-from-text.js';
import { nextSafetySnapshotRound, runSafetySnapshotStep, safetySnapshotWaitEnds, type SafetyOutcome } from './safety-snapshot-step.js';
import { sourceOf } from './source-location.js';
import type { LockResult } from './store-lock.js';
import { settleStep } from './settle-step.js';
import { submitDeadline } from './submit-deadline.js';
import { endRequest } from './tracker-settle.js';
import { DEFAULT_TARGET_LOCK_TTL_SECONDS, type DroppedApproval, type PollJobData, type StepResult, type TrackerContext } from './tracker-types.js';
import type { FinalIntent } from './tracker-marks.js';
import type { RequestState, RestoreRequest } from './types.js';

/** Matching jobs kept from the one list before the POST: a bound, not a page of 500 ids per request. */
const MAX_PRIOR_JOB_IDS = 50;
/** Retries of a held-back submission: quick at first, then at most this far apart. */
const MAX_SUBMIT_RETRY_MS = 60_000;
/** Codes of waits that aren't Atlas's: the thread gives no code for them. */
const OWN_WAIT_CODES = new Set(['POLICY', 'TARGET_LOCKED']);

/** True when a POST may have reached Atlas: a run claimed it, or an earlier version listed jobs right before posting. */
export function mayHavePosted(req: RestoreRequest): boolean {
  return req.postStartedAt !== undefined || req.jobIdsBeforeSubmit !== undefined;
}

export async function runSubmitStep(ctx: TrackerContext, stored: RestoreRequest, data: PollJobData, now: number): Promise<StepResult> {
  let req = stored;
  const gate = ctx.submission;
  if (!gate) return { kind: 'give_up', reason: 'this tracker was built without a submission gate' };
  const deadline = submitDeadline(req);
  // A safety snapshot under way is progressing in Atlas: its wait is not a fault, and the horizon doesn't end it.
  const snapshotUnderWay = req.safetySnapshot?.status === 'requested';
  if (now >= deadline && !snapshotUnderWay) {
    const why = req.waitingFor ? ` ${req.waitingFor.reason}` : '';
    // A drill has no approval to run out: its window to start ends, and its schedule brings the next run.
    const when = req.drill ? "when the drill's time to start ran out" : 'when the approval ran out';
    const next = req.drill ? 'the drill runs again at its next scheduled time, or when an approver of its target runs it' : 'request the restore again';
    return notSubmitted(ctx, req, data, `The restore could not be sent to Atlas before ${new Date(deadline).toISOString()}, ${when}.${why} Nothing was sent to Atlas; ${next}.`, 'failed');
  }
  // Nothing touches the target while another request holds it. A safety snapshot under way is followed anyway (it
  // writes nothing into the target); the lock is asked for again right before the POST.
  const lock = await holdTarget(ctx, req);
  if (!lock.ok && !snapshotUnderWay) return waitForTarget(ctx, req, data, now, lock);
  if (snapshotUnderWay) {
    // Only the snapshot is followed while Atlas takes it; the re-checks run once it has completed, right before the POST.
    const safety = await runSafetySnapshotStep(ctx, req, data);
    if (safety.kind !== 'ready') return safetyResult(ctx, req, data, now, safety);
    req = safety.request;
  }

  const recheck = await gate.recheck(req).catch((err: unknown) => ({ kind: 'wait' as const, category: 'membership_unavailable' as const, message: `the policy could not be checked (${String(err)})` }));
  if (recheck.kind === 'refuse') return notSubmitted(ctx, req, data, recheck.message, 'refused');
  if (recheck.kind === 'wait') return wait(ctx, req, data, now, { kind: 'wait', category: recheck.category, message: recheck.message, code: 'POLICY' });
  if (recheck.kind === 'drop') return dropApprovals(ctx, req, data, recheck.dropped, now, recheck.approvalsRequired);

  // A restore of a snapshot rests on that snapshot. One to a point in time rests on the restore window, checked next:
  // Atlas picks its base snapshot itself at the POST, and the one the card named may have expired meanwhile (an
  // hourly snapshot at the end of its retention) without the time being any less restorable.
  if (!req.pointInTime) {
    try {
      const snapshot = await ctx.atlas.getSnapshot(sourceOf(req), req.snapshot.id);
      if (snapshot.status !== 'completed') return notSubmitted(ctx, req, data, `snapshot \`${req.snapshot.id}\` is ${snapshot.status}, not completed.`, 'refused');
    } catch (err) {
      const verdict = classifyAtlasError(err);
      if (verdict.kind !== 'refuse') return wait(ctx, req, data, now, verdict);
      const gone = err instanceof AtlasApiError && (err.status === 404 || err.errorCode.endsWith('_NOT_FOUND'));
      return notSubmitted(ctx, req, data, gone ? `snapshot \`${req.snapshot.id}\` no longer exists in Atlas.` : `Atlas would not confirm the snapshot: ${verdict.message}`, 'refused');
    }
  }

  // Before the safety snapshot, and again right before the POST (the step runs again once the snapshot completed).
  const inWindow = await recheckPointInTime(ctx, req, now);
  if (inWindow.kind === 'refuse') return notSubmitted(ctx, req, data, inWindow.message, 'refused');
  if (inWindow.kind === 'wait') return wait(ctx, req, data, now, inWindow.verdict);

  // DRY_RUN is read now: an operator who turns it on stops real restores at once. A dry-run request never becomes real.
  if (req.dryRun || gate.dryRun()) return finishDryRun(ctx, req, data);

  let current = req;
  if (current.state === 'approved') {
    const intent = await ctx.store.transition(req.id, ['approved'], 'submitting', { submittingAt: new Date(now).toISOString(), submitBy: new Date(deadline).toISOString() });
    if (!intent.ok) return { kind: 'again', delayMs: 0, data };
    current = intent.request;
    await ctx.store.auditOnce(`${req.id}:submitting`, { type: 'submitting', requestId: req.id, detail: `${restoreFromText(req)} → ${req.target.project}/${req.target.cluster}` });
  }

  const safety = await runSafetySnapshotStep(ctx, current, data);
  if (safety.kind !== 'ready') return safetyResult(ctx, current, data, now, safety);
  current = safety.request;

  // One list request: the matching jobs that already exist are never adopted as ours after a lost answer.
  let prior: string[];
  try {
    const listed = await listRecentJobsFor(ctx.atlas, current);
    prior = listed.filter((job) => matchesRequest(job, current)).map((job) => job.id).slice(0, MAX_PRIOR_JOB_IDS);
  } catch (err) {
    const verdict = classifyAtlasError(err);
    if (verdict.kind === 'refuse') return submitRefused(ctx, current, data, verdict);
    return wait(ctx, current, data, now, verdict);
  }
  // The lock may have lapsed (a worker down longer than its TTL) and been taken by another request: then both would
  // restore into the same target. Only the holder posts; the others wait for it, until their horizon.
  const held = await holdTarget(ctx, current);
  if (!held.ok) return waitForTarget(ctx, current, data, now, held);
  // The jobs listed before are written with the claim: a run that crashes after it still knows them when it searches.
  const token = randomBytes(8).toString('hex');
  let claim: Awaited<ReturnType<typeof ctx.store.claimField>>;
  try {
    claim = await ctx.store.claimField(req.id, ['submitting'], 'postStartedAt', new Date().toISOString(), { priorJobIds: prior, postClaim: token });
  } catch (err) {
    // Redis may have applied the claim though its answer never came (slow, cut off): read later, it would say a POST
    // was made, and the request would end unconfirmed after a search for a job never created. This run sent nothing.
    ctx.logger.warn({ requestId: req.id, err }, 'the claim of the POST was not answered: nothing sent; trying again');
    const attempts = (data.submitAttempts ?? 0) + 1;
    return { kind: 'again', delayMs: retryDelayMs(ctx, attempts, undefined, deadline - now), data: { ...data, step: 'submit', submitAttempts: attempts, unansweredClaim: token } };
  }
  // Someone else claimed the POST (a zombie run of this job): from now on it is found, never posted again.
  if (!claim.ok) return { kind: 'again', delayMs: 0, data };
  const posting = claim.request;

  try {
    const job = await createJobFor(ctx.atlas, posting);
    return recordRunning(ctx, posting, job, 'submitted', data);
  } catch (err) {
    const verdict = classifyAtlasError(err);
    if (verdict.kind === 'unknown') {
      ctx.logger.warn({ requestId: req.id, err }, 'restore job POST outcome unknown: looking for the job instead of posting again');
      return startFinding(ctx, data);
    }
    // A refusal or a 429/401/403 answer: Atlas created nothing, so the claim is given back.
    await ctx.store.update(req.id, ['submitting'], { postStartedAt: undefined, postClaim: undefined });
    if (verdict.kind === 'refuse') return submitRefused(ctx, posting, data, verdict);
    return wait(ctx, posting, data, now, verdict);
  }
}

/** What the safety snapshot's part says when the restore can't go on yet (or at all). */
function safetyResult(ctx: TrackerContext, req: RestoreRequest, data: PollJobData, now: number, safety: Exclude<SafetyOutcome, { kind: 'ready' }>): Promise<StepResult> | StepResult {
  if (safety.kind === 'step') return safety.result;
  if (safety.kind === 'wait') return wait(ctx, req, data, now, safety.verdict);
  if (safety.kind === 'refuse') return notSubmitted(ctx, req, data, safety.message, 'refused');
  return notSubmitted(ctx, req, data, safety.message, 'safety_snapshot_failed');
}

/** A passing fault: record why (the card shows it), say so once per kind, and run the step again later. */
async function wait(ctx: TrackerContext, req: RestoreRequest, data: PollJobData, now: number, held: ErrorVerdict): Promise<StepResult> {
  // Only the create POST can have an unknown outcome; anywhere else it is plain unavailability.
  const verdict = held.kind === 'wait' ? held : { ...held, kind: 'wait' as const, category: 'atlas_unavailable' as const, retryAfterMs: undefined };
  const attempts = (data.submitAttempts ?? 0) + 1;
  const deadline = submitDeadline(req);
  // While the safety snapshot is under way the approval's horizon doesn't apply (Atlas is working): its own bound
  // does, checked when it is followed, and the retries back off plainly instead of collapsing onto a passed deadline.
  const snapshotEnds = safetySnapshotWaitEnds(req);
  const until = snapshotEnds ?? deadline;
  const reason = `${verdict.message}${verdict.code && !OWN_WAIT_CODES.has(verdict.code) ? ` (${verdict.code})` : ''}`;
  ctx.logger.warn({ requestId: req.id, attempts, code: verdict.code, category: verdict.category }, 'submission held back by a passing fault; retrying');
  let current = req;
  if (req.waitingFor?.reason !== reason) {
    const updated = await ctx.store.update(req.id, ['approved', 'submitting'], { waitingFor: { reason, since: new Date(now).toISOString() }, submitBy: new Date(deadline).toISOString() });
    if (updated.ok) {
      current = updated.request;
      await ctx.notifier.requestChanged(current).catch(() => undefined);
    }
  }
  try {
    await ctx.marks.runOnce(req.id, `waiting:${verdict.category}`, () => ctx.notifier.submitWaiting(current, { category: verdict.category, message: reason, until: new Date(until).toISOString() }));
  } catch (err) {
    ctx.logger.warn({ requestId: req.id, err }, 'waiting notification failed; retrying on the next run');
  }
  const horizonMs = snapshotEnds === undefined ? deadline - now : Number.POSITIVE_INFINITY;
  return { kind: 'again', delayMs: retryDelayMs(ctx, attempts, verdict.retryAfterMs, horizonMs), data: { ...data, step: 'submit', submitAttempts: attempts } };
}

/**
 * Exponential from half the poll base, honouring Retry-After (believed up to the policy's maximum), never past the
 * horizon (the last try is at it); an infinite horizon when none applies.
 */
export function retryDelayMs(ctx: TrackerContext, attempts: number, retryAfterMs: number | undefined, untilDeadlineMs: number): number {
  const jitter = 1 + ctx.policy.jitter * (2 * ctx.random() - 1);
  const backoff = Math.min(MAX_SUBMIT_RETRY_MS, ctx.policy.baseMs * 0.5 * 2 ** Math.min(attempts - 1, 20)) * jitter;
  const delay = retryAfterWaitMs(ctx.policy, retryAfterMs, ctx.random) ?? backoff;
  return Math.round(Math.max(ctx.policy.minDelayMs, Math.min(delay, Math.max(untilDeadlineMs, 0))));
}

async function notSubmitted(ctx: TrackerContext, req: RestoreRequest, data: PollJobData, message: string, audit: 'refused' | 'failed' | 'safety_snapshot_failed'): Promise<StepResult> {
  ctx.logger.warn({ requestId: req.id, reason: message }, 'approved restore not submitted');
  return endBeforePost(ctx, req, data, ['approved', 'submitting'], { kind: 'not_submitted', message, audit }, { failureReason: `Not submitted: ${message}`, waitingFor: undefined }, 'not submitted');
}

async function submitRefused(ctx: TrackerContext, req: RestoreRequest, data: PollJobData, verdict: { message: string; code: string }): Promise<StepResult> {
  ctx.logger.warn({ requestId: req.id, code: verdict.code }, 'Atlas refused the restore job');
  const patch = { failureReason: `Atlas refused the restore (${verdict.code}): ${verdict.message}`, waitingFor: undefined };
  return endBeforePost(ctx, req, data, ['submitting'], { kind: 'submit_refused', message: verdict.message, code: verdict.code }, patch, 'refused by Atlas');
}

async function finishDryRun(ctx: TrackerContext, req: RestoreRequest, data: PollJobData): Promise<StepResult> {
  ctx.logger.info({ requestId: req.id, dryRun: true }, 'dry run: restore job not sent to Atlas');
  return endBeforePost(ctx, req, data, ['approved', 'submitting'], { kind: 'dry_run' }, { dryRun: true, dryRunAtSubmit: req.dryRun ? undefined : true, waitingFor: undefined }, 'dry run');
}

/**
 * Ends a request that nothing was sent for, unless a run has claimed the POST meanwhile: two runs of one job happen
 * (BullMQ hands a job whose lock lapsed to another worker while the first is still in a slow re-check), and a run
 * that read the request before the claim must not say "nothing was sent" while the other's POST is on its way. The
 * claim is checked in the same script as the state; a request whose POST was claimed is looked for instead.
 */
async function endBeforePost(ctx: TrackerContext, req: RestoreRequest, data: PollJobData, from: readonly RequestState[], intent: FinalIntent, patch: Partial<RestoreRequest>, why: string): Promise<StepResult> {
  const ended = await endRequest(ctx, req, from, intent, patch, { unlessSet: 'postStartedAt' });
  if (!ended && (await postClaimed(ctx, req.id))) return postClaimedMeanwhile(ctx, req, data);
  return settleNow(ctx, ended, why);
}

async function postClaimed(ctx: TrackerContext, id: string): Promise<boolean> {
  const stored = await ctx.store.get(id);
  return stored !== null && (stored.state === 'approved' || stored.state === 'submitting') && mayHavePosted(stored);
}

function postClaimedMeanwhile(ctx: TrackerContext, req: RestoreRequest, data: PollJobData): StepResult {
  ctx.logger.warn({ requestId: req.id }, 'another run of this request claimed the POST meanwhile: following it instead of ending the request');
  return startFinding(ctx, data);
}

/** Settles a request this step just ended, as the settle step does: busy or failing, it is tried again later. */
export async function settleNow(ctx: TrackerContext, ended: RestoreRequest | null, why: string): Promise<StepResult> {
  if (!ended) return { kind: 'done', reason: `${why}: someone else ended the request` };
  const now = Date.now();
  return settleStep(ctx, ended, { requestId: ended.id, step: 'settle', startedAt: now, lastChangeAt: now }, why);
}

/** Approvals that stopped counting are dropped; the request waits for the approvals it still needs (or expires). */
async function dropApprovals(ctx: TrackerContext, req: RestoreRequest, data: PollJobData, dropped: readonly { user: string; at: string; why: string }[], now: number, raisedTo?: number): Promise<StepResult> {
  const more = raisedTo !== undefined ? { approvalsRequired: raisedTo } : {};
  const gone = new Set(dropped.map((d) => d.user));
  const approvals = req.approvals.filter((a) => !gone.has(a.user));
  const droppedApprovals = [...(req.droppedApprovals ?? []), ...dropped];
  for (const d of dropped) {
    // Keyed by the approval itself: a replay of this step after a crash doesn't audit the drop twice.
    await ctx.store.auditOnce(`${req.id}:approval-dropped:${d.user}:${d.at}`, { type: 'refused', requestId: req.id, user: d.user, detail: `approval no longer counts: ${d.why}` });
  }
  if (Date.parse(req.approvalExpiresAt) <= now) {
    // Whose approval was dropped and why is said before the end (DESIGN.md §5), once: a replay repeats nothing.
    await announceDropped(ctx, { ...req, ...more, approvals, droppedApprovals }, dropped, 'expired');
    return endBeforePost(ctx, req, data, ['approved', 'submitting'], { kind: 'approval_expired' }, { ...more, approvals, droppedApprovals, waitingFor: undefined }, 'approvals dropped after expiry');
  }
  const back = await ctx.store.transition(req.id, ['approved', 'submitting'], 'pending_approval', {
    ...more,
    approvals,
    droppedApprovals,
    waitingFor: undefined,
    submittingAt: undefined,
    submitBy: undefined,
    // A safety snapshot taken (or asked for) already is of the data before the approvals to come: the next one follows them.
    ...(req.safetySnapshot && (req.safetySnapshot.id || req.safetySnapshotClaimedAt) ? { safetySnapshot: nextSafetySnapshotRound(req.safetySnapshot) } : {}),
    safetySnapshotClaimedAt: undefined,
  }, { unlessSet: 'postStartedAt' });
  if (!back.ok && (await postClaimed(ctx, req.id))) return postClaimedMeanwhile(ctx, req, data);
  if (!back.ok) return { kind: 'done', reason: 'the request moved on while its approvals were re-checked' };
  ctx.logger.info({ requestId: req.id, dropped: [...gone] }, 'approvals dropped by the re-check before the POST');
  await ctx.scheduleApprovalExpiry(req.id, new Date(req.approvalExpiresAt));
  await announceDropped(ctx, back.request, dropped, back.request.updatedAt);
  return { kind: 'done', reason: 'waiting for approvals again' };
}

/** Once per drop; best effort like the other thread messages but the final one (a Slack outage must not hold the step). */
async function announceDropped(ctx: TrackerContext, req: RestoreRequest, dropped: readonly DroppedApproval[], occasion: string): Promise<void> {
  const users = [...new Set(dropped.map((d) => d.user))].sort().join(',');
  try {
    await ctx.marks.runOnce(req.id, `dropped:${users}:${occasion}`, () => ctx.notifier.approvalsDropped(req, dropped));
  } catch (err) {
    ctx.logger.warn({ requestId: req.id, err }, 'could not say which approvals were dropped');
  }
}

/**
 * Makes sure this request holds its target's lock: refreshed when it does, taken again when it lapsed and nobody has
 * it (the request it was taken for is this one). A Redis error propagates: nothing is posted without knowing.
 */
function holdTarget(ctx: TrackerContext, req: RestoreRequest): Promise<LockResult> {
  return ctx.store.acquireTargetLock(req.target, req.id, ctx.targetLockTtlSeconds ?? DEFAULT_TARGET_LOCK_TTL_SECONDS);
}

/** Another request holds the target: wait for it to end (the thread says so once), until the horizon. */
function waitForTarget(ctx: TrackerContext, req: RestoreRequest, data: PollJobData, now: number, lock: { holder: string; since: string }): Promise<StepResult> {
  ctx.logger.warn({ requestId: req.id, holder: lock.holder, since: lock.since }, 'target lock held by another request: not posting');
  const target = `${req.target.project}/${req.target.cluster}`;
  const message = `another restore into \`${target}\` (${lock.holder}) holds the target since ${lock.since}; this one is sent once that one has ended.`;
  return wait(ctx, req, data, now, { kind: 'wait', category: 'target_busy', message, code: 'TARGET_LOCKED' });
}

