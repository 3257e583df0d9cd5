// Vocabulary of the restore tracker: what it needs, what it tells, what a poll job carries.
import type { RedisClient } from '../redis/redis-client.js';
import type { Logger } from 'pino';
import type { AtlasClient, RestoreJob } from '../atlas/types.js';
import type { PollIntervalPolicy } from './poll-interval.js';
import type { RestoreStore } from './store.js';
import type { TrackerMarks } from './tracker-marks.js';
import type { RestoreRequest } from './types.js';

/** Implemented by the Slack side. Each call is made once per event (see tracker-marks.ts for the exact guarantee). */
export interface RestoreNotifier {
  /** A non-final change of the Atlas job (pending → running). `req.lastJobState` is the new state. */
  jobStateChanged(req: RestoreRequest, job: RestoreJob): Promise<void>;
  /** completed | failed | cancelled | expired; `req` is already final in the store. */
  restoreFinished(req: RestoreRequest, job: RestoreJob): Promise<void>;
  /** Once per outage, after Atlas could not be asked for `statusUnknownAfterMinutes`. */
  statusUnknown(req: RestoreRequest, error: Error): Promise<void>;
  /** Once, when the restore has run longer than `longRunningAfterMinutes`. */
  longRunning(req: RestoreRequest, runningForMs: number): Promise<void>;
  /** Permanent error (job not found, access lost); `req` is already 'failed'. */
  trackingLost(req: RestoreRequest, error: Error): Promise<void>;
  /** `req` is already 'approval_expired'. */
  approvalExpired(req: RestoreRequest): Promise<void>;
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
  /** Graceful close waits this long for in-progress polls. Default 10 000 ms. */
  closeTimeoutMs?: number;
  /** How late each poll ran against when it was due, in seconds (metrics). */
  onPollLag?: (seconds: number) => void;
  /** Called by reconcile() for each request stuck in 'submitting' (the submit module adopts or fails it). */
  onStuckSubmitting?: (req: RestoreRequest) => Promise<void>;
  /** Called by reconcile() for each request left in 'approved' (its approver's replica died before submitting). */
  onStuckApproved?: (req: RestoreRequest) => Promise<void>;
  /** How often reconcile() runs besides start-up, on one replica at a time. Default 5 min; 0 turns it off. */
  reconcileEveryMs?: number;
  /** BullMQ worker knobs; tests shrink them to see stalled-job recovery quickly. */
  worker?: { lockDuration?: number; stalledInterval?: number; maxStalledCount?: number; drainDelay?: number };
}

/** Data of the one BullMQ job that follows a restore (step-job pattern: it is rewritten before each delay). */
export interface PollJobData {
  requestId: string;
  /** 'poll': asking Atlas; 'settle': the request is final, its notification is still owed. */
  step: 'poll' | 'settle';
  /** When the tracker started following (ms). */
  startedAt: number;
  /** When a job state change was last seen (ms). */
  lastChangeAt: number;
  /** Consecutive failed polls. */
  failures?: number;
  /** Start of the current failure streak (ms). */
  failuresSince?: number;
  warnedLong?: boolean;
  /** statusUnknown was sent for the current failure streak. */
  warnedUnknown?: boolean;
  /** Failed attempts to deliver the final notification. */
  settleAttempts?: number;
  /** When the next poll is due (ms), to measure poll lag. */
  dueAt?: number;
}

export interface ExpiryJobData {
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
