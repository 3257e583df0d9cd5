// The tracker's options: every problem reported at once, and the defaults that depend on each other.
import type { PollIntervalPolicy } from './poll-interval.js';
import { DEFAULT_SETTLE_HORIZON_MS, type SettleRetryPolicy } from './settle-step.js';
import { TrackerError, type TrackerOptions } from './tracker-types.js';

const DAY_SECONDS = 24 * 3600;
/** How long intents and once-markers are kept: what a final notification retried late still needs (settle-step.ts). */
export const MARKS_KEEP_SECONDS = 30 * DAY_SECONDS;
export const DEFAULT_LATE_ADOPT_WINDOW_MS = 60 * 60_000;
/** How often a point in time is checked against its window while its safety snapshot is taken (safety-snapshot-step.ts). */
export const DEFAULT_WINDOW_RECHECK_MS = 10 * 60_000;

export function assertOptions(opts: TrackerOptions): void {
  const problems: string[] = [];
  if (!opts.connection || typeof opts.connection.duplicate !== 'function') problems.push('connection must be an ioredis client');
  else if (opts.connection.options?.keyPrefix) problems.push('connection must not set keyPrefix (give the tracker a prefix instead)');
  if (typeof opts.prefix !== 'string' || opts.prefix === '' || opts.prefix.endsWith(':')) problems.push('prefix must be a non-empty string not ending in ":", e.g. "atlas-restore:bull"');
  const positive = { longRunningAfterMinutes: opts.longRunningAfterMinutes, statusUnknownAfterMinutes: opts.statusUnknownAfterMinutes, targetLockTtlSeconds: opts.targetLockTtlSeconds, concurrency: opts.concurrency, notifyLeaseSeconds: opts.notifyLeaseSeconds, closeTimeoutMs: opts.closeTimeoutMs };
  for (const [name, value] of Object.entries(positive)) {
    if (value !== undefined && !(typeof value === 'number' && Number.isFinite(value) && value > 0)) problems.push(`${name} must be a number > 0, got ${String(value)}`);
  }
  if (opts.targetLockTtlSeconds !== undefined && !Number.isInteger(opts.targetLockTtlSeconds)) problems.push('targetLockTtlSeconds must be an integer');
  for (const [name, value] of Object.entries(opts.settleRetry ?? {})) {
    if (value !== undefined && !(typeof value === 'number' && Number.isFinite(value) && value > 0)) problems.push(`settleRetry.${name} must be a number > 0, got ${String(value)}`);
  }
  // An unconfirmed POST's message may be owed through the late search and then its own retries: a try after the intent
  // and the once-markers expired would find nothing owed and stop without a word.
  const owedFor = (opts.lateAdoptWindowMs ?? DEFAULT_LATE_ADOPT_WINDOW_MS) + (opts.settleRetry?.horizonMs ?? DEFAULT_SETTLE_HORIZON_MS);
  if (owedFor >= MARKS_KEEP_SECONDS * 1000) problems.push(`lateAdoptWindowMs + settleRetry.horizonMs must be under ${MARKS_KEEP_SECONDS / DAY_SECONDS} days (how long intents and once-markers are kept)`);
  if (problems.length > 0) throw new TrackerError('TRACKER_INVALID_OPTIONS', `invalid tracker options: ${problems.join('; ')}`);
}

/** By default the final notification is retried from the base poll interval, at most the poll policy's maximum apart. */
export function settleRetryPolicy(opts: TrackerOptions, policy: PollIntervalPolicy): SettleRetryPolicy {
  const given = opts.settleRetry ?? {};
  return {
    firstDelayMs: given.firstDelayMs ?? Math.max(policy.minDelayMs, policy.baseMs),
    maxDelayMs: given.maxDelayMs ?? policy.maxDelayMs,
    horizonMs: given.horizonMs ?? DEFAULT_SETTLE_HORIZON_MS,
  };
}
