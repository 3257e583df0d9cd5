// The durable restore tracker (DESIGN.md §4): one BullMQ job per restore follows it to its end with
// the step-job pattern (updateData → moveToDelayed(ts, token) → throw DelayedError), and one delayed
// job per request expires its approval. BullMQ's job locks mean a job runs on one replica at a time;
// its stalled-job check hands the job of a crashed replica to another. Notifications are guarded by
// Redis once-markers (tracker-marks.ts) so the crash windows BullMQ cannot close do not double-post.
import { DelayedError, Queue, UnrecoverableError, Worker, type Job, type JobsOptions } from 'bullmq';
import { duplicateRedisClient, type RedisClient } from '../redis/redis-client.js';
import { workerHealth, type WorkerHealth } from '../redis/worker-health.js';
import { createPollIntervalPolicy } from './poll-interval.js';
import { assertOptions, DEFAULT_LATE_ADOPT_WINDOW_MS, DEFAULT_WINDOW_RECHECK_MS, MARKS_KEEP_SECONDS, settleRetryPolicy } from './tracker-options.js';
import { expireApproval, isExpiryNoticeOwed, runExpiryStep } from './tracker-expiry.js';
import { reconcileRequests } from './reconcile-requests.js';
import { createTrackerMarks } from './tracker-marks.js';
import { alignDueTime } from './align-due-time.js';
import { delayJob } from './delay-job.js';
import type { DrillRun } from './drill-definition.js';
import { createDrillHistory, type DrillStanding } from './drill-history.js';
import { runDrillStep, type DrillJobData } from './drill-job.js';
import { drillScheduledAt } from './drill-scheduled-at.js';
import { createDrillSchedules, DRILL_JOB, type DrillSchedules } from './tracker-drill-schedules.js';
import { logFailedJob } from './log-failed-job.js';
import { runRestoreStep } from './restore-step.js';
import { endByPerson } from './end-by-person.js';
import type { RestoreRequest } from './types.js';
import { TrackerError, WORKER_DEFAULTS, type ExpiryJobData, type PollJobData, type TrackerContext, type TrackerOptions } from './tracker-types.js';

export { TrackerError, type RestoreNotifier, type TrackerOptions, type PollJobData } from './tracker-types.js';

export const TRACKER_QUEUE = 'restore-tracker';
/** One job per request carries it from approval to its end (submit, find, poll, settle). */
const RESTORE_JOB = 'restore';
/** Earlier versions followed running restores with 'poll' jobs: still processed, by the same steps. */
const LEGACY_POLL_JOB = 'poll';
const EXPIRE_JOB = 'expire-approval';
/** Periodic reconciliation: what a crashed replica left half-done is settled without waiting for a restart. */
const RECONCILE_JOB = 'reconcile';
const RECONCILE_SCHEDULER_ID = 'reconcile-every';
// BullMQ refuses custom ids with a single ':' ("Custom Id cannot contain :"), hence '-'.
export const restoreJobId = (requestId: string): string => `restore-${requestId}`;
const legacyPollJobId = (requestId: string): string => `poll-${requestId}`;
export const expiryJobId = (requestId: string): string => `expire-${requestId}`;
const endJobId = (requestId: string): string => `end-${requestId}`;

const DAY_SECONDS = 24 * 3600;
const JOB_OPTIONS: JobsOptions = {
  // Only unexpected errors (Redis trouble, bugs) use attempts: Atlas trouble is handled as steps.
  attempts: 10,
  backoff: { type: 'exponential', delay: 2000 },
  removeOnComplete: { age: 7 * DAY_SECONDS, count: 5000 },
  removeOnFail: { age: 30 * DAY_SECONDS, count: 5000 },
};

export interface RestoreTracker extends DrillSchedules {
  start(): Promise<void>;
  /** Makes sure the request's restore job runs: it submits an approved request and follows a running one. Idempotent. */
  track(requestId: string): Promise<void>;
  scheduleApprovalExpiry(requestId: string, at: Date): Promise<void>;
  /**
   * Ends a request whose approval window has passed as its expiry job would, settled once (one audit entry, one
   * message) even when that job runs at the same moment. True when the request is (now) expired.
   */
  expireIfDue(requestId: string, now?: number): Promise<boolean>;
  /**
   * A person ends a pending request (an approver's Reject, the requester's Cancel): the compare-and-set with its
   * intent, then its lock, audit and last word are settled by the request's job, retried while Slack refuses (the
   * request's expiry job settles it should this process die in between). Null when the request was no longer pending.
   */
  endByPerson(requestId: string, to: 'rejected' | 'cancelled', by: string, patch: Partial<RestoreRequest>): Promise<RestoreRequest | null>;
  reconcile(): Promise<{ resumed: number; expired: number }>;
  /** The drill's last runs, newest first. */
  drillRuns(name: string, count: number): Promise<DrillRun[]>;
  /** The drill's last success (however many runs failed since) and when it was first scheduled. */
  drillStanding(name: string): Promise<DrillStanding>;
  /**
   * The first step of a graceful close, on its own: the worker takes no new job, and the in-progress ones get
   * `closeTimeoutMs` to finish. The queue stays open, so Slack handlers still draining can add jobs (another replica,
   * or this one after its restart, runs them). Idempotent; close() does it too.
   */
  stopWorker(): Promise<void>;
  /**
   * Graceful by default. `force: true` drops in-progress polls as a crash would (their jobs stall and move to another
   * replica), unless stopWorker() began a graceful close already: that one is waited for (BullMQ's close is one).
   */
  close(opts?: { force?: boolean }): Promise<void>;
  /** Whether the worker really takes work (running, its blocking connection up): for readiness. */
  health(): Promise<WorkerHealth>;
}

export function createRestoreTracker(opts: TrackerOptions): RestoreTracker {
  assertOptions(opts);
  const policy = createPollIntervalPolicy({ baseSeconds: opts.pollIntervalSeconds, minDelayMs: opts.minDelayMs, maxDelayMs: opts.maxDelayMs });
  const logger = opts.logger.child({ component: 'restore-tracker' });
  // Own connections: the queue's fails fast, the worker's retries forever as BullMQ requires.
  const queueConnection: RedisClient = duplicateRedisClient(opts.connection);
  const workerConnection: RedisClient = duplicateRedisClient(opts.connection, 'worker');
  const notifyLeaseMs = Math.ceil((opts.notifyLeaseSeconds ?? 60) * 1000);
  const drillHistory = createDrillHistory(queueConnection, `${opts.prefix}:drills:`);
  const drills = opts.drills ?? (() => []);
  const ctx: TrackerContext = {
    store: opts.store,
    atlas: opts.atlas,
    notifier: opts.notifier,
    logger,
    marks: createTrackerMarks({ redis: queueConnection, prefix: `${opts.prefix}:tracker:`, leaseMs: notifyLeaseMs, keepSeconds: MARKS_KEEP_SECONDS }),
    policy,
    random: opts.random ?? Math.random,
    longRunningAfterMs: (opts.longRunningAfterMinutes ?? 240) * 60_000,
    statusUnknownAfterMs: (opts.statusUnknownAfterMinutes ?? 15) * 60_000,
    targetLockTtlSeconds: opts.targetLockTtlSeconds,
    notifyLeaseMs,
    submission: opts.submission,
    notFoundGraceMs: opts.notFoundGraceMs ?? 120_000,
    findWindowMs: opts.findWindowMs ?? 10 * 60_000,
    lateAdoptWindowMs: opts.lateAdoptWindowMs ?? DEFAULT_LATE_ADOPT_WINDOW_MS,
    windowRecheckMs: opts.windowRecheckMs ?? DEFAULT_WINDOW_RECHECK_MS,
    settleRetry: settleRetryPolicy(opts, policy),
    onFinalNotificationAbandoned: opts.onFinalNotificationAbandoned,
    onRequestFinished: opts.onRequestFinished,
    scheduleApprovalExpiry: (requestId, at) => scheduleApprovalExpiry(requestId, at),
    drillHistory,
  };
  const queue = new Queue(TRACKER_QUEUE, { connection: queueConnection, prefix: opts.prefix, defaultJobOptions: JOB_OPTIONS });
  queue.on('error', (err) => logger.error({ err }, 'tracker queue error'));
  const drillSchedules = createDrillSchedules({ queue, drills, drillRepeat: opts.drillRepeat, drillHistory, logger, hasLiveJob });
  let worker: Worker | undefined;
  let closing: Promise<void> | undefined;
  let workerStopping: Promise<void> | undefined;

  async function delay(job: Job, token: string | undefined, data: unknown, delayMs: number): Promise<never> {
    return delayUntil(job, token, data, Date.now() + delayMs);
  }

  async function delayUntil(job: Job, token: string | undefined, data: unknown, dueAt: number): Promise<never> {
    await delayJob(job, token, data, dueAt);
    throw new DelayedError();
  }

  async function processPoll(job: Job<PollJobData>, token: string | undefined): Promise<string> {
    if (job.data.dueAt !== undefined) opts.onPollLag?.(Math.max(0, Date.now() - job.data.dueAt) / 1000);
    const result = await runRestoreStep(ctx, job.data);
    if (result.kind === 'again') {
      const dueAt = alignDueTime(Date.now(), result.delayMs);
      return delayUntil(job, token, { ...result.data, dueAt }, dueAt);
    }
    if (result.kind === 'give_up') throw new UnrecoverableError(result.reason);
    logger.info({ requestId: job.data.requestId, reason: result.reason }, 'stopped following the restore');
    return result.reason;
  }

  async function processExpiry(job: Job<ExpiryJobData>, token: string | undefined): Promise<string> {
    const result = await runExpiryStep(ctx, job.data);
    if (result.kind === 'again') return delay(job, token, result.data, result.delayMs);
    return result.reason;
  }

  async function process(job: Job, token?: string): Promise<string> {
    if (job.name === RESTORE_JOB || job.name === LEGACY_POLL_JOB) return processPoll(job as Job<PollJobData>, token);
    if (job.name === EXPIRE_JOB) return processExpiry(job as Job<ExpiryJobData>, token);
    if (job.name === RECONCILE_JOB) return JSON.stringify(await reconcile());
    if (job.name === DRILL_JOB) return processDrill(job as Job<DrillJobData>, token);
    throw new UnrecoverableError(`unknown tracker job name ${JSON.stringify(job.name)}`);
  }

  async function processDrill(job: Job<DrillJobData>, token: string | undefined): Promise<string> {
    const deps = { drills, newRequestId: () => opts.store.newRequestId(), track: (id: string) => ensureRestoreJob(id).then(() => undefined), startWindowMs: opts.drillStartWindowMs };
    const result = await runDrillStep(ctx, deps, { ...job.data, ...drillScheduledAt(job.id, job.data) });
    if (result.kind === 'again') return delay(job, token, result.data, result.delayMs);
    return result.reason;
  }

  /** Adds the request's restore job unless one is live (a finished one with the same id is removed first). */
  async function ensureRestoreJob(requestId: string): Promise<boolean> {
    if ((await hasLiveJob(restoreJobId(requestId))) || (await hasLiveJob(legacyPollJobId(requestId)))) return false;
    const now = Date.now();
    const data: PollJobData = { requestId, step: 'submit', startedAt: now, lastChangeAt: now };
    await queue.add(RESTORE_JOB, data, { jobId: restoreJobId(requestId) });
    return true;
  }

  /**
   * A job that settles an ended request now. Not the restore job's id: that job may still be running the step that
   * sent the request back to pending (approvals dropped), and it stops without looking again.
   */
  async function settleSoon(requestId: string): Promise<void> {
    if (await hasLiveJob(endJobId(requestId))) return;
    const now = Date.now();
    const data: PollJobData = { requestId, step: 'settle', startedAt: now, lastChangeAt: now };
    await queue.add(RESTORE_JOB, data, { jobId: endJobId(requestId) });
  }

  /** True when a job with this id exists and will still run; a finished one is removed so the id can be reused. */
  async function hasLiveJob(jobId: string): Promise<boolean> {
    const existing = await queue.getJob(jobId);
    if (!existing) return false;
    const state = await existing.getState();
    if (state !== 'completed' && state !== 'failed' && state !== 'unknown') return true;
    await existing.remove().catch((err: unknown) => logger.warn({ err, jobId }, 'could not remove a finished tracker job'));
    return false;
  }

  function assertRequestId(requestId: string): void {
    if (typeof requestId !== 'string' || requestId === '' || requestId.includes(':')) {
      throw new TrackerError('TRACKER_INVALID_OPTIONS', `request id must be a non-empty string without ":", got ${JSON.stringify(requestId)}`);
    }
  }

  async function scheduleApprovalExpiry(requestId: string, at: Date): Promise<void> {
    assertRequestId(requestId);
    if (!(at instanceof Date) || Number.isNaN(at.getTime())) throw new TrackerError('TRACKER_INVALID_OPTIONS', 'approval expiry must be a valid Date');
    // A request back in pending_approval (its approvals were re-checked) needs a new run of a finished expiry job.
    if (await hasLiveJob(expiryJobId(requestId))) return;
    const data: ExpiryJobData = { requestId };
    await queue.add(EXPIRE_JOB, data, { jobId: expiryJobId(requestId), delay: Math.max(0, at.getTime() - Date.now()) });
  }

  function reconcile(): Promise<{ resumed: number; expired: number }> {
    return reconcileRequests(ctx, { ensureRestoreJob, scheduleApprovalExpiry });
  }

  function stopWorker(): Promise<void> {
    // Not started (yet): nothing to stop, and nothing remembered, so a worker started later is still stopped by close().
    const running = worker;
    if (!running) return Promise.resolve();
    workerStopping ??= (async () => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), opts.closeTimeoutMs ?? 10_000);
      });
      const outcome = await Promise.race([running.close(), timedOut]);
      clearTimeout(timer);
      // The unfinished poll keeps its job locked until the lock expires; another replica then takes it over.
      if (outcome === 'timeout') logger.warn('tracker closed before its in-progress polls finished');
    })();
    return workerStopping;
  }

  return {
    async start() {
      if (worker) return;
      const w = opts.worker ?? {};
      worker = new Worker(TRACKER_QUEUE, process, {
        connection: workerConnection,
        prefix: opts.prefix,
        concurrency: opts.concurrency ?? WORKER_DEFAULTS.concurrency,
        lockDuration: w.lockDuration ?? WORKER_DEFAULTS.lockDuration,
        stalledInterval: w.stalledInterval ?? WORKER_DEFAULTS.stalledInterval,
        maxStalledCount: w.maxStalledCount ?? WORKER_DEFAULTS.maxStalledCount,
        drainDelay: w.drainDelay ?? WORKER_DEFAULTS.drainDelay,
        removeOnComplete: JOB_OPTIONS.removeOnComplete as { age: number; count: number },
        removeOnFail: JOB_OPTIONS.removeOnFail as { age: number; count: number },
      });
      worker.on('error', (err) => logger.error({ err }, 'tracker worker error'));
      worker.on('failed', (job, err) => logFailedJob(logger, job, err));
      await worker.waitUntilReady();
      const every = opts.reconcileEveryMs ?? 5 * 60_000;
      // One schedule shared by every replica (same id); each run goes to one of them.
      if (every > 0) await queue.upsertJobScheduler(RECONCILE_SCHEDULER_ID, { every }, { name: RECONCILE_JOB, data: {}, opts: { removeOnComplete: true, removeOnFail: 100 } });
    },

    ...drillSchedules,

    drillRuns: (name, count) => drillHistory.recent(name, count),
    drillStanding: (name) => drillHistory.standing(name),

    async track(requestId) {
      assertRequestId(requestId);
      await ensureRestoreJob(requestId);
    },

    scheduleApprovalExpiry,

    async expireIfDue(requestId, now = Date.now()) {
      const outcome = await expireApproval(ctx, requestId, now);
      const owed = isExpiryNoticeOwed(outcome);
      if (owed) await scheduleApprovalExpiry(requestId, new Date());
      return owed || outcome.kind === 'expired' || outcome.kind === 'settled';
    },

    async endByPerson(requestId, to, by, patch) {
      assertRequestId(requestId);
      return endByPerson(ctx, settleSoon, { requestId, to, by, patch });
    },

    reconcile,

    health: () => workerHealth(closing || workerStopping ? undefined : worker),

    stopWorker,

    close(closeOpts = {}) {
      closing ??= (async () => {
        if (worker && closeOpts.force && !workerStopping) await worker.close(true);
        else await stopWorker();
        await queue.close().catch((err: unknown) => logger.warn({ err }, 'closing the tracker queue failed'));
        for (const connection of [queueConnection, workerConnection]) {
          if (closeOpts.force) connection.disconnect();
          else await connection.quit().catch(() => connection.disconnect());
        }
      })();
      return closing;
    },
  };
}

