// After a POST whose answer was lost (timeout, reset, 5xx, an unreadable 2xx): look for the job instead of posting
// again, long enough for Atlas to list it (minutes, with backoff), the target still locked. If it doesn't turn up the
// request ends 'failed' with "check Atlas", and a job that appears later is still adopted (failed → running) for
// a while: Atlas may be restoring into the target, so nobody else may.
import { AtlasApiError, statusAndCode } from '../atlas/errors.js';
import type { RestoreJob } from '../atlas/types.js';
import { needsOperator } from './classify-atlas-error.js';
import { findAdoptableJob } from './find-adoptable-job.js';
import { retryAfterWaitMs } from './poll-interval.js';
import { settleStep, trySettle } from './settle-step.js';
import { endRequest } from './tracker-settle.js';
import type { OnceOutcome } from './tracker-marks.js';
import { listJobsFor } from './restore-job-calls.js';
import { DEFAULT_TARGET_LOCK_TTL_SECONDS, type PollJobData, type StepResult, type SubmitHow, type TrackerContext } from './tracker-types.js';
import type { RestoreRequest } from './types.js';

/** Searches start quickly (Atlas lists a new job within seconds) and slow down to this. */
const MAX_FIND_DELAY_MS = 60_000;
const LATE_SEARCH_DELAY_MS = 2 * 60_000;

/**
 * The request is running with `job` from now on: audited and announced once, then recorded, then followed. In that
 * order: both are once-guarded by the job's id, so a run that crashed before recording replays them harmlessly (its
 * replay finds this job and adopts it), while recording first would lose them for good on such a crash.
 */
export async function recordRunning(ctx: TrackerContext, req: RestoreRequest, job: RestoreJob, how: Exclude<SubmitHow, 'dry_run'>, data: PollJobData): Promise<StepResult> {
  const from = how === 'adopted_late' ? (['failed'] as const) : (['submitting'] as const);
  const patch: Partial<RestoreRequest> = {
    atlasJobId: job.id,
    lastJobState: job.state,
    submittedAt: new Date().toISOString(),
    waitingFor: undefined,
    lateAdoptUntil: undefined,
    // Running again: the unconfirmed end's intent is no longer the request's (its next end writes its own).
    ...(how === 'adopted_late' ? { failureReason: undefined, finishedAt: undefined, finalIntentToken: undefined } : {}),
  };
  const type = how === 'submitted' ? 'submitted' : 'adopted';
  // Keyed by the job, not by how it was found: the replay of a crashed 'submitted' adopts the same job.
  await ctx.store.auditOnce(`${req.id}:job:${job.id}`, { type, requestId: req.id, detail: `Atlas restore job ${job.id}${how === 'adopted_late' ? ' (appeared after the request was settled)' : ''}`, atlasJobId: job.id });
  try {
    await ctx.marks.runOnce(req.id, `submitted:${job.id}`, () => ctx.notifier.submitted({ ...req, ...patch, state: 'running' }, how));
  } catch (err) {
    ctx.logger.warn({ requestId: req.id, err }, 'could not announce the submission; the poll goes on');
  }
  const result = await ctx.store.transition(req.id, from, 'running', patch);
  if (!result.ok) {
    // Only this job submits this request; losing the CAS means it was ended meanwhile (rejected by nobody: a bug or
    // an operator). The job exists in Atlas: say so loudly.
    ctx.logger.error({ requestId: req.id, atlasJobId: job.id, state: result.request?.state }, 'restore job created but the request was no longer submitting');
    return { kind: 'done', reason: 'request left submitting before the job was recorded' };
  }
  // The card is rendered from the stored request: the announcement above came before the state was recorded.
  await ctx.notifier.requestChanged(result.request).catch(() => undefined);
  if (how === 'adopted_late') {
    // The unconfirmed end kept the lock; take it again should it have lapsed, and keep it while the restore runs.
    await ctx.store.acquireTargetLock(req.target, req.id, ctx.targetLockTtlSeconds ?? DEFAULT_TARGET_LOCK_TTL_SECONDS).catch(() => undefined);
  }
  if (ctx.targetLockTtlSeconds !== undefined) await ctx.store.refreshTargetLock(req.target, req.id, ctx.targetLockTtlSeconds).catch(() => undefined);
  ctx.logger.info({ requestId: req.id, atlasJobId: job.id, how }, 'restore job submitted');
  const now = Date.now();
  return { kind: 'again', delayMs: ctx.policy.minDelayMs, data: { ...data, step: 'poll', startedAt: now, lastChangeAt: now, failures: 0, failuresSince: undefined } };
}

/** The POST's outcome is unknown: look for the job on the next runs. */
export function startFinding(ctx: TrackerContext, data: PollJobData): StepResult {
  return { kind: 'again', delayMs: ctx.policy.minDelayMs, data: { ...data, step: 'find', findAttempts: 0 } };
}

function findDelayMs(ctx: TrackerContext, attempts: number, cap: number): number {
  const delay = Math.min(cap, ctx.policy.baseMs * 0.5 * 2 ** Math.min(attempts, 20));
  return Math.round(Math.max(ctx.policy.minDelayMs, delay * (1 + ctx.policy.jitter * (2 * ctx.random() - 1))));
}

async function lookForJob(ctx: TrackerContext, req: RestoreRequest): Promise<RestoreJob | undefined | Error> {
  try {
    return findAdoptableJob(await listJobsFor(ctx.atlas, req), req);
  } catch (err) {
    ctx.logger.warn({ requestId: req.id, err }, 'could not list restore jobs while looking for ours');
    await warnAccessWhileLooking(ctx, req, err);
    return err instanceof Error ? err : new Error(String(err));
  }
}

/**
 * Atlas refuses the bot (a rotated key, the access list), or the bot its certificate, while it looks for a job that may be restoring into the
 * target: someone must act, so the thread says what to fix, once per request; the search goes on meanwhile.
 */
async function warnAccessWhileLooking(ctx: TrackerContext, req: RestoreRequest, err: unknown): Promise<void> {
  if (!needsOperator(err)) return;
  try {
    await ctx.marks.runOnce(req.id, 'access-while-looking', () => ctx.notifier.accessProblem(req, { message: err.hint, code: statusAndCode(err) }));
  } catch (notifyErr) {
    ctx.logger.warn({ requestId: req.id, err: notifyErr }, 'access-problem notification failed; retrying on the next search');
  }
}

/** A 429's (or 503's) Retry-After is when Atlas will answer again: the next search waits at least that long. */
function notBeforeRetryAfter(ctx: TrackerContext, found: RestoreJob | undefined | Error, delayMs: number): number {
  const wait = retryAfterWaitMs(ctx.policy, found instanceof AtlasApiError ? found.retryAfterMs : undefined, ctx.random);
  return wait === undefined ? delayMs : Math.max(delayMs, wait);
}

export async function runFindStep(ctx: TrackerContext, req: RestoreRequest, data: PollJobData, now: number): Promise<StepResult> {
  const found = await lookForJob(ctx, req);
  if (found && !(found instanceof Error)) return recordRunning(ctx, req, found, 'adopted', data);
  const until = Date.parse(req.postStartedAt ?? req.submittingAt ?? req.updatedAt) + ctx.findWindowMs;
  const attempts = (data.findAttempts ?? 0) + 1;
  if (now < until) {
    if (ctx.targetLockTtlSeconds !== undefined) await ctx.store.refreshTargetLock(req.target, req.id, ctx.targetLockTtlSeconds).catch(() => undefined);
    const delayMs = Math.min(findDelayMs(ctx, attempts, MAX_FIND_DELAY_MS), Math.max(until - now, ctx.policy.minDelayMs));
    return { kind: 'again', delayMs: notBeforeRetryAfter(ctx, found, delayMs), data: { ...data, step: 'find', findAttempts: attempts } };
  }
  const minutes = Math.round(ctx.findWindowMs / 60_000);
  const message =
    found instanceof Error
      ? `Atlas did not confirm the restore job and could not be asked about it for ${minutes} min.`
      : `Atlas did not confirm the restore job and no matching job appeared within ${minutes} min.`;
  const lateAdoptUntil = new Date(now + ctx.lateAdoptWindowMs).toISOString();
  const ended = await endRequest(ctx, req, ['submitting'], { kind: 'unconfirmed', message }, {
    failureReason: `${message} Check the restore jobs of ${req.source.cluster} in Atlas before requesting again.`,
    lateAdoptUntil,
    waitingFor: undefined,
  });
  if (!ended) return { kind: 'done', reason: 'someone else ended the unconfirmed request' };
  const outcome = await settleBestEffort(ctx, ended);
  // The late search starts quick again: a job that was only slow to be listed shows up soon.
  const delayMs = outcome === 'busy' ? ctx.notifyLeaseMs : findDelayMs(ctx, 0, LATE_SEARCH_DELAY_MS);
  return { kind: 'again', delayMs, data: { ...data, step: 'late', findAttempts: 0 } };
}

/**
 * The 'unconfirmed' message is owed until it got out, and every late run tries it again; but the search never waits
 * for Slack: a job that Atlas did create restores into the target, and only adopting it tells people what happens.
 */
async function settleBestEffort(ctx: TrackerContext, req: RestoreRequest): Promise<OnceOutcome | 'none' | 'failed'> {
  const settled = await trySettle(ctx, req);
  if (settled.ok) return settled.outcome;
  ctx.logger.warn({ requestId: req.id, err: settled.error }, 'could not say that the POST is unconfirmed; retrying on the next search');
  return 'failed';
}

/** A settled 'unconfirmed' request: adopt a job that appears now, until the window ends; then free the target. */
export async function runLateStep(ctx: TrackerContext, req: RestoreRequest, data: PollJobData, now: number): Promise<StepResult> {
  const until = Date.parse(req.lateAdoptUntil ?? '');
  if (!(now < until)) {
    await ctx.store.releaseTargetLock(req.target, req.id);
    ctx.logger.info({ requestId: req.id }, 'no restore job appeared for an unconfirmed POST: target released');
    // Now it has ended, as failed (settleFinal left it uncounted while its job could still turn up).
    await ctx.marks.runOnce(req.id, 'late-search-ended', async () => ctx.onRequestFinished?.(req));
    // A message still owed (Slack refused it all along) is retried by the settle step, with its own backoff.
    return settleStep(ctx, req, { ...data, step: 'settle' }, 'late search ended');
  }
  // Owed after a crash, or when Slack refused it as the search window closed: tried on every run, the search regardless.
  await settleBestEffort(ctx, req);
  const found = await lookForJob(ctx, req);
  if (found && !(found instanceof Error)) return recordRunning(ctx, req, found, 'adopted_late', data);
  if (ctx.targetLockTtlSeconds !== undefined) await ctx.store.refreshTargetLock(req.target, req.id, ctx.targetLockTtlSeconds).catch(() => undefined);
  const attempts = (data.findAttempts ?? 0) + 1;
  const delayMs = Math.min(findDelayMs(ctx, attempts, LATE_SEARCH_DELAY_MS), Math.max(until - now, ctx.policy.minDelayMs));
  return { kind: 'again', delayMs: notBeforeRetryAfter(ctx, found, delayMs), data: { ...data, step: 'late', findAttempts: attempts } };
}
