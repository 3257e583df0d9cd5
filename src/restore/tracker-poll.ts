// One step of following a restore: read the request, ask Atlas, record and announce what changed,
// and decide when to look again. Independent of BullMQ: tracker.ts turns the StepResult into
// complete / moveToDelayed / UnrecoverableError.
import { AtlasApiError, statusAndCode } from '../atlas/errors.js';
import { TERMINAL_JOB_STATES, type RestoreJob } from '../atlas/types.js';
import { isAccessError, isNotFoundError as isNotFound, needsOperator } from './classify-atlas-error.js';
import { announceProgress, judgedJob, namedNamespaces, readNamespaceResults } from './collection-progress.js';
import { getJobFor } from './restore-job-calls.js';
import { nextPollDelayMs } from './poll-interval.js';
import { settleStep } from './settle-step.js';
import { recordFinished, recordTrackingLost } from './tracker-settle.js';
import type { PollJobData, StepResult, TrackerContext } from './tracker-types.js';
import type { RestoreRequest } from './types.js';

/**
 * Answers that asking again will not change: the job or cluster is gone (404 after the read-after-write grace),
 * or Atlas refuses the request itself (400, 410). Credentials and access lists (401/403) are fixable by an operator
 * and never end a running restore (isAccessError).
 */
export function isPermanentAtlasError(err: unknown): err is AtlasApiError {
  if (!(err instanceof AtlasApiError) || err.transient || isAccessError(err)) return false;
  const status = err.status;
  return status === 400 || status === 404 || status === 410 || err.errorCode.endsWith('_NOT_FOUND');
}

function errorText(err: unknown): string {
  if (err instanceof AtlasApiError) return `${err.hint} (${err.status ?? 'no answer'} ${err.errorCode})`;
  return err instanceof Error ? err.message : String(err);
}

function runningSince(req: RestoreRequest, data: PollJobData): number {
  const submitted = req.submittedAt ? Date.parse(req.submittedAt) : Number.NaN;
  return Number.isFinite(submitted) ? submitted : data.startedAt;
}

/** One poll of a running request (the tracker has read it from the store). */
export async function runPollStep(ctx: TrackerContext, req: RestoreRequest, data: PollJobData, now = Date.now()): Promise<StepResult> {
  if (!req.atlasJobId) return loseTracking(ctx, req, data, 'TRACKER_NO_ATLAS_JOB_ID', 'the request is running but has no Atlas restore job id');

  let job: RestoreJob;
  try {
    job = await getJobFor(ctx.atlas, req, req.atlasJobId);
  } catch (err) {
    // Right after the POST, Atlas may not serve the new job yet (read-after-write lag).
    const young = now - runningSince(req, data) < ctx.notFoundGraceMs;
    if (isPermanentAtlasError(err) && !(young && isNotFound(err))) return loseTracking(ctx, req, data, err.errorCode, errorText(err), err);
    return pollFailed(ctx, req, data, err, now);
  }
  let next: PollJobData = { ...data, step: 'poll', failures: 0, failuresSince: undefined, warnedUnknown: false, warnedAccess: false };
  if (req.waitingFor) {
    // Atlas answers again after an access problem: the card stops saying so.
    const cleared = await ctx.store.update(req.id, ['running'], { waitingFor: undefined });
    if (cleared.ok) await ctx.notifier.requestChanged(cleared.request).catch(() => undefined);
  }

  if (TERMINAL_JOB_STATES.includes(job.state)) {
    // A collection restore's end needs its per-namespace outcome: a failed read is tried again (a few times) first.
    const read = await readNamespaceResults(ctx, req, job.id, data);
    if (read.kind === 'again') return { kind: 'again', delayMs: read.delayMs, data: { ...next, ...read.data } };
    // A SUCCESSFUL job that left namespaces behind ends the request failed (collection-progress.ts says why).
    const finalRequest = await recordFinished(ctx, req, judgedJob(job, read.results, namedNamespaces(req)), read.results);
    if (!finalRequest) return { kind: 'done', reason: `request left 'running' before the job ended` };
    return settleStep(ctx, finalRequest, { ...next, step: 'settle' }, `job ${job.state}`);
  }

  // Another word from Atlas for a state the bot can't read is a change too: the card shows Atlas's word.
  const atlasWordChanged = job.state === 'unknown' && job.atlasStatus !== req.lastAtlasStatus;
  if (job.state !== req.lastJobState || atlasWordChanged) {
    // Announce first, then record: a crash in between re-announces nothing (the marker says done) and
    // the next run records the state. Recording first would lose the announcement on such a crash.
    // Atlas's own word goes with a state the bot can't read, so the card can say what Atlas reports.
    const patch = { lastJobState: job.state, lastAtlasStatus: job.state === 'unknown' ? job.atlasStatus : undefined };
    const changed: RestoreRequest = { ...req, ...patch };
    try {
      const outcome = await ctx.marks.runOnce(req.id, `state:${job.state}`, () => ctx.notifier.jobStateChanged(changed, job));
      if (outcome !== 'busy') {
        // Audit before recording the state, atomically once: a crash anywhere in between leaves the change
        // unrecorded, and the next run writes only what is still missing.
        await ctx.store.auditOnce(`${req.id}:state:${job.state}`, { type: 'state_changed', requestId: req.id, detail: `Atlas restore job ${job.id} ${job.state}`, state: job.state, atlasJobId: job.id });
        const recorded = await ctx.store.update(req.id, ['running'], patch);
        if (recorded.ok) await ctx.notifier.requestChanged(recorded.request).catch(() => undefined);
        next = { ...next, lastChangeAt: now };
      }
    } catch (err) {
      ctx.logger.warn({ requestId: req.id, err, state: job.state }, 'state change notification failed; retrying on the next poll');
    }
  }

  await announceProgress(ctx, req, job).catch((err: unknown) => ctx.logger.warn({ requestId: req.id, err }, 'progress notification failed; retrying on the next poll'));

  const since = runningSince(req, data);
  if (!next.warnedLong && now - since >= ctx.longRunningAfterMs) {
    try {
      const outcome = await ctx.marks.runOnce(req.id, 'long-running', () => ctx.notifier.longRunning(req, now - since));
      if (outcome !== 'busy') next = { ...next, warnedLong: true };
    } catch (err) {
      ctx.logger.warn({ requestId: req.id, err }, 'long-running notification failed; retrying on the next poll');
    }
  }

  next = await refreshLock(ctx, req, next, now);
  return { kind: 'again', delayMs: nextPollDelayMs(ctx.policy, { elapsedMs: now - since, random: ctx.random }), data: next };
}

/**
 * Trouble that an operator or time can fix never ends a restore: back off, keep the lock, and say once per streak
 * what is wrong: at once for credentials, the access list or an untrusted certificate (someone must act), after a
 * while for an outage.
 */
async function pollFailed(ctx: TrackerContext, req: RestoreRequest, data: PollJobData, err: unknown, now: number): Promise<StepResult> {
  const failures = (data.failures ?? 0) + 1;
  const failuresSince = data.failuresSince ?? now;
  let next: PollJobData = { ...data, failures, failuresSince };
  const error = err instanceof Error ? err : new Error(String(err));
  ctx.logger.warn({ requestId: req.id, atlasJobId: req.atlasJobId, failures, err: error }, 'could not read the restore job from Atlas; will retry');
  if (needsOperator(err)) {
    next = await warnAccess(ctx, req, err, next);
  } else if (!data.warnedUnknown && now - failuresSince >= ctx.statusUnknownAfterMs) {
    try {
      // Keyed by the streak's start: one warning per outage, even across crashes and replicas.
      const outcome = await ctx.marks.runOnce(req.id, `status-unknown:${failuresSince}`, () => ctx.notifier.statusUnknown(req, error));
      if (outcome !== 'busy') next = { ...next, warnedUnknown: true };
    } catch (notifyErr) {
      ctx.logger.warn({ requestId: req.id, err: notifyErr }, 'status-unknown notification failed; retrying on the next poll');
    }
  }
  next = await refreshLock(ctx, req, next, now);
  const retryAfterMs = err instanceof AtlasApiError ? err.retryAfterMs : undefined;
  const delayMs = nextPollDelayMs(ctx.policy, { elapsedMs: now - runningSince(req, data), random: ctx.random, failures, retryAfterMs });
  return { kind: 'again', delayMs, data: next };
}

/** Says once per streak what to fix, and shows it on the card until Atlas answers again. */
async function warnAccess(ctx: TrackerContext, req: RestoreRequest, err: AtlasApiError, next: PollJobData): Promise<PollJobData> {
  // Its own flag: an outage warned about earlier in the streak must not silence what an operator has to fix.
  if (next.warnedAccess) return next;
  const error = { message: err.hint, code: statusAndCode(err) };
  try {
    const outcome = await ctx.marks.runOnce(req.id, `access:${next.failuresSince}`, async () => {
      const marked = await ctx.store.update(req.id, ['running'], { waitingFor: { reason: `${error.message} (${error.code})`, since: new Date().toISOString() } });
      await ctx.notifier.accessProblem(marked.request ?? req, error);
      if (marked.ok) await ctx.notifier.requestChanged(marked.request).catch(() => undefined);
    });
    return outcome === 'busy' ? next : { ...next, warnedAccess: true };
  } catch (notifyErr) {
    ctx.logger.warn({ requestId: req.id, err: notifyErr }, 'access-problem notification failed; retrying on the next poll');
    return next;
  }
}

async function loseTracking(
  ctx: TrackerContext,
  req: RestoreRequest,
  data: PollJobData,
  code: string,
  message: string,
  cause?: Error,
): Promise<StepResult> {
  ctx.logger.error({ requestId: req.id, atlasJobId: req.atlasJobId, code, message }, 'lost track of the restore job');
  const failed = await recordTrackingLost(ctx, req, code, message);
  if (!failed) return { kind: 'done', reason: `request left 'running' before tracking was lost` };
  const result = await settleStep(ctx, failed, { ...data, step: 'settle' }, 'tracking lost', cause);
  return result.kind === 'done' ? { kind: 'give_up', reason: `tracking lost: ${message}` } : result;
}

/** The lock's TTL is hours; refreshing it on every poll would cost Redis three commands a poll for nothing. */
const LOCK_REFRESH_EVERY_MS = 10 * 60_000;

async function refreshLock(ctx: TrackerContext, req: RestoreRequest, data: PollJobData, now: number): Promise<PollJobData> {
  if (ctx.targetLockTtlSeconds === undefined) return data;
  if (data.lockRefreshedAt !== undefined && now - data.lockRefreshedAt < LOCK_REFRESH_EVERY_MS) return data;
  try {
    const held = await ctx.store.refreshTargetLock(req.target, req.id, ctx.targetLockTtlSeconds);
    if (!held) ctx.logger.warn({ requestId: req.id, target: req.target }, 'the target lock is no longer held by this restore');
    return { ...data, lockRefreshedAt: now };
  } catch (err) {
    ctx.logger.warn({ requestId: req.id, err }, 'could not refresh the target lock');
    return data;
  }
}
