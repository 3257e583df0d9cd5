// Vocabulary of the restore tracker: what it needs, what it tells, what a poll job carries.
import type { RedisClient } from '../redis/redis-client.js';
import type { Logger } from 'pino';
import type { AtlasClient, RestoreJob } from '../atlas/types.js';
import type { PollIntervalPolicy } from './poll-interval.js';
import type { SettleRetryPolicy } from './settle-step.js';
import type { RestoreStore } from './store.js';
import type { TrackerMarks } from './tracker-marks.js';
import type { DrillDefinition } from './drill-definition.js';
import type { DrillHistory } from './drill-history.js';
import type { RestoreRequest } from './types.js';

/** Why a submission is held back, so each kind of trouble is told once in the thread. */
/** `target_busy`: another request holds the target's lock (this one's lapsed and was taken). */
export type WaitCategory = 'atlas_unavailable' | 'atlas_rate_limited' | 'atlas_access' | 'membership_unavailable' | 'target_busy';

export interface DroppedApproval {
  user: string;
  at: string;
  why: string;
}

/** How a restore job came to be followed. */
export type SubmitHow = 'submitted' | 'adopted' | 'adopted_late' | 'dry_run';

/**
 * Implemented by the Slack side. Each call is made once per event (see tracker-marks.ts for the exact guarantee);
 * `req` is the stored request after the change.
 */
export interface RestoreNotifier {
  /** The stored request changed in a way its card shows (state, waiting, progress). Best effort, may repeat. */
  requestChanged(req: RestoreRequest): Promise<void>;
  /** A restore job is followed now (or the dry run ended): `req` is running (or completed for a dry run). */
  submitted(req: RestoreRequest, how: SubmitHow): Promise<void>;
  /** Once per kind of trouble: the approved request waits, nothing was sent; it is tried again until `until`. */
  submitWaiting(req: RestoreRequest, wait: { category: WaitCategory; message: string; until: string }): Promise<void>;
  /** Final: nothing was sent to Atlas (a re-check said no, or the horizon passed). `req.failureReason` says why. */
  notSubmitted(req: RestoreRequest): Promise<void>;
  /** Final: Atlas refused the POST; nothing was created. */
  submitRefused(req: RestoreRequest, error: { message: string; code?: string | undefined }): Promise<void>;
  /** Final for now: the POST's answer was lost and no job turned up; one that appears before `req.lateAdoptUntil` is adopted. */
  submitUnconfirmed(req: RestoreRequest): Promise<void>;
  /** Approvals that stopped counting under the current policy; `req` waits for approvals again. */
  approvalsDropped(req: RestoreRequest, dropped: readonly DroppedApproval[]): Promise<void>;
  /**
   * Atlas refuses the bot's credentials or IP: once per streak while a restore runs (`req.state` 'running'), once per
   * request while it looks for the job of a POST whose answer was lost ('submitting', or 'failed' in the late search).
   */
  accessProblem(req: RestoreRequest, error: { message: string; code?: string | undefined }): Promise<void>;
  /** A non-final change of the Atlas job (pending → running). `req.lastJobState` is the new state. */
  jobStateChanged(req: RestoreRequest, job: RestoreJob): Promise<void>;
  /** completed | failed | cancelled | expired; `req` is already final in the store. */
  restoreFinished(req: RestoreRequest, job: RestoreJob): Promise<void>;
  /** Once per outage, after Atlas could not be asked for `statusUnknownAfterMinutes`. */
  statusUnknown(req: RestoreRequest, error: Error): Promise<void>;
  /** Once, when the restore has run longer than `longRunningAfterMinutes`. */
  longRunning(req: RestoreRequest, runningForMs: number): Promise<void>;
  /** Permanent error (job not found); `req` is already 'failed'. */
  trackingLost(req: RestoreRequest, error: Error): Promise<void>;
  /** Final: an approver rejected the pending request, or its requester withdrew it (`req.state` says which). */
  endedByPerson(req: RestoreRequest): Promise<void>;
  /** `req` is already 'approval_expired'. */
  approvalExpired(req: RestoreRequest): Promise<void>;
  /** The safety snapshot of the target was asked for (`req.safetySnapshot.id`); the restore waits for it. */
  safetySnapshotStarted(req: RestoreRequest): Promise<void>;
  /** The safety snapshot completed; the restore is sent now. */
  safetySnapshotCompleted(req: RestoreRequest): Promise<void>;
  /** A collection restore reached another 25 % step (`req.progress`). */
  progress(req: RestoreRequest): Promise<void>;
  /** Posts the card of a request the bot made itself (a drill); resolves with its ts, the thread root. */
  publishRequest(req: RestoreRequest): Promise<string | undefined>;
  /**
   * Loudly, in the drill's channel: the drill could not start (target busy, Atlas down past its window, no snapshot).
   * Throws when Slack didn't take it: the drill's job tries again, as for a request's final message.
   */
  drillNotStarted(drill: DrillDefinition, reason: string): Promise<void>;
}

export type RecheckResult =
  | { kind: 'ok' }
  /** The request must not go ahead (requester no longer allowed, cluster left the policy). */
  | { kind: 'refuse'; message: string }
  /** Can't be decided now (a user-group lookup failed): try again. */
  | { kind: 'wait'; category: WaitCategory; message: string }
  /**
   * Some approvals no longer count, or the policy now asks for more (`approvalsRequired`, when raised): the request
   * waits for the approvals it still needs.
   */
  | { kind: 'drop'; dropped: DroppedApproval[]; approvalsRequired?: number | undefined };

/** What submitting needs besides Atlas and the store: the policy as it is now, and DRY_RUN as it is now. */
export interface SubmissionGate {
  recheck(req: RestoreRequest): Promise<RecheckResult>;
  dryRun(): boolean;
}

export interface TrackerOptions {
  /** The tracker duplicates it for BullMQ (a worker connection with maxRetriesPerRequest: null). Must not set keyPrefix. */
  connection: RedisClient;
  /** BullMQ prefix, e.g. 'atlas-restore:bull'. The tracker's own once-markers live under `${prefix}:tracker:`. */
  prefix: string;
  store: RestoreStore;
  atlas: AtlasClient;
  notifier: RestoreNotifier;
  logger: Logger;
  /** Base poll interval (POLL_INTERVAL_SECONDS). Fractions are accepted (tests). */
  pollIntervalSeconds: number;
  longRunningAfterMinutes?: number; // default 240
  statusUnknownAfterMinutes?: number; // default 15
  /** Target lock TTL set on each poll; undefined = leave the lock's TTL alone. */
  targetLockTtlSeconds?: number;
  concurrency?: number; // default 50
  /** Jitter source in [0, 1), for tests. */
  random?: () => number;
  /** Floor of any poll delay. Default 1000 ms; tests use less. */
  minDelayMs?: number;
  /** Ceiling of a poll delay without Retry-After. Default 300 000 ms. */
  maxDelayMs?: number;
  /** How long one notification may take before another run may try it again. Default 60 s. */
  notifyLeaseSeconds?: number;
  /**
   * Retries of a final notification Slack refused: by default from the base poll interval, at most `maxDelayMs` apart,
   * for 24 h (less than the 30 days intents and once-markers are kept).
   */
  settleRetry?: Partial<SettleRetryPolicy>;
  /** A final notification was given up on after the retry horizon (metrics). */
  onFinalNotificationAbandoned?: () => void;
  /** Once per end of a request the tracker settles, when the end is recorded, before Slack is told (metrics). */
  onRequestFinished?: (req: RestoreRequest) => void;
  /** Graceful close waits this long for in-progress polls. Default 10 000 ms. */
  closeTimeoutMs?: number;
  /** How late each poll ran against when it was due, in seconds (metrics). */
  onPollLag?: (seconds: number) => void;
  /** The policy's drills as they are now (read on every run and sync). */
  drills?: () => DrillDefinition[];
  /** How long a drill waits out Atlas trouble before it says it could not run. Default 30 min. */
  drillStartWindowMs?: number;
  /** Tests: when a drill's scheduler fires (default its cron `schedule` in its `timeZone`). */
  drillRepeat?: (drill: DrillDefinition) => { every: number; limit?: number } | { pattern: string; tz?: string; limit?: number };
  /** Needed to submit approved requests (the restore job's first steps); without it the tracker only follows. */
  submission?: SubmissionGate;
  /** Grace after the POST during which Atlas's 404 for the new job is read-after-write lag. Default 120 s. */
  notFoundGraceMs?: number;
  /** How long to look for the job of a POST whose answer was lost before settling it. Default 10 min. */
  findWindowMs?: number;
  /** After that, a job that appears is still adopted for this long (the target stays locked). Default 60 min. */
  lateAdoptWindowMs?: number;
  /** How often a point in time is checked against its restore window while its safety snapshot is taken. Default 10 min. */
  windowRecheckMs?: number;
  /** How often reconcile() runs besides start-up, on one replica at a time. Default 5 min; 0 turns it off. */
  reconcileEveryMs?: number;
  /** BullMQ worker knobs; tests shrink them to see stalled-job recovery quickly. */
  worker?: { lockDuration?: number; stalledInterval?: number; maxStalledCount?: number; drainDelay?: number };
}

/** What a job that delivers a final request's notification keeps between its tries (settle-step.ts). */
export interface SettleRetryState {
  /** Failed attempts to deliver the final notification. */
  settleAttempts?: number;
  /** When its first attempt failed (ms): the retry horizon counts from then. */
  settleFailingSince?: number;
}

/**
 * Data of the one BullMQ job that carries a restore from its approval to its end (step-job pattern: rewritten
 * before each delay). Which step runs is decided from the stored request each time; `step` says what the last run did.
 */
export interface PollJobData extends SettleRetryState {
  requestId: string;
  step: 'submit' | 'find' | 'poll' | 'settle' | 'late';
  /** When the tracker started carrying the request (ms). */
  startedAt: number;
  /** When a job state change was last seen (ms). */
  lastChangeAt: number;
  /** Consecutive failed polls. */
  failures?: number;
  /** Failed reads of a finished collection restore's per-namespace outcome (collection-progress.ts). */
  namespaceReads?: number;
  /** Start of the current failure streak (ms). */
  failuresSince?: number;
  warnedLong?: boolean;
  /** statusUnknown was sent for the current failure streak. */
  warnedUnknown?: boolean;
  /** accessProblem was sent for the current failure streak (apart from warnedUnknown: each is said once). */
  warnedAccess?: boolean;
  /** When the next run is due (ms), to measure poll lag. */
  dueAt?: number;
  /** Consecutive submission attempts held back by a passing fault. */
  submitAttempts?: number;
  /**
   * The token of a claim of the POST whose answer Redis didn't give (slow, cut off): it may have landed, but this run
   * sent nothing after it. A later run that finds the request claimed with it gives the claim back and posts.
   */
  unansweredClaim?: string | undefined;
  /** Consecutive searches for the job of a POST whose answer was lost. */
  findAttempts?: number;
  /** When this job last refreshed the target lock's TTL (ms). */
  lockRefreshedAt?: number;
  /** When a point in time was last checked against its restore window while its safety snapshot was taken (ms). */
  windowCheckedAt?: number;
}

export interface ExpiryJobData extends SettleRetryState {
  requestId: string;
}

/** What one poll step decided; the BullMQ processor turns it into complete / delay / fail. */
export type StepResult =
  | { kind: 'done'; reason: string }
  | { kind: 'again'; delayMs: number; data: PollJobData }
  | { kind: 'give_up'; reason: string };

/** Everything a step needs; built once by createRestoreTracker. */
export interface TrackerContext {
  store: RestoreStore;
  atlas: AtlasClient;
  notifier: RestoreNotifier;
  logger: Logger;
  marks: TrackerMarks;
  policy: PollIntervalPolicy;
  random: () => number;
  longRunningAfterMs: number;
  statusUnknownAfterMs: number;
  targetLockTtlSeconds: number | undefined;
  notifyLeaseMs: number;
  submission: SubmissionGate | undefined;
  notFoundGraceMs: number;
  findWindowMs: number;
  lateAdoptWindowMs: number;
  windowRecheckMs: number;
  settleRetry: SettleRetryPolicy;
  onFinalNotificationAbandoned?: (() => void) | undefined;
  onRequestFinished?: ((req: RestoreRequest) => void) | undefined;
  /** Puts a request that waits for approvals again back under its expiry job. */
  scheduleApprovalExpiry(requestId: string, at: Date): Promise<void>;
  drillHistory: DrillHistory;
}

/** Stable codes for errors the tracker makes itself. */
export type TrackerErrorCode = 'TRACKER_NO_ATLAS_JOB_ID' | 'TRACKER_TRACKING_LOST' | 'TRACKER_INVALID_OPTIONS';

export class TrackerError extends Error {
  override readonly name = 'TrackerError';
  constructor(
    readonly code: TrackerErrorCode | string,
    message: string,
  ) {
    super(message);
  }
}

/** The tracker's BullMQ worker settings (bench/step-job-floor.ts measures BullMQ alone with the same). */
/** The target lock's lifetime while a request is in flight (refreshed as it goes): what the app sets, and what a step uses when given none. */
export const DEFAULT_TARGET_LOCK_TTL_SECONDS = 6 * 3600;

export const WORKER_DEFAULTS = {
  concurrency: 50,
  lockDuration: 30_000,
  stalledInterval: 30_000,
  // Restores last hours and replicas get redeployed: tolerate many crashes of one job.
  maxStalledCount: 20,
  drainDelay: 5,
} as const;
