// The last runs of each drill, newest first, in one capped Redis list per drill: what the final message compares
// with and what `drills` reads, so a run that restored nothing (did not start, outcome unknown) is one too. Written
// once per run, in the same once-guarded step as the audit. Beside it, one
// small hash per drill that is never trimmed and never expires: its last success and when it was first scheduled,
// what the metrics read (a drill failing more often than the list keeps must still show when it last succeeded).
import type { RedisClient } from '../redis/redis-client.js';
import type { DrillRun } from './drill-definition.js';
import { restoreStartedAt } from './restore-started-at.js';
import type { RestoreRequest } from './types.js';

const KEEP = 20;
const LAST_SUCCESS = 'lastSuccess';
const FIRST_SCHEDULED = 'firstScheduledAt';

/** What the metrics need of a drill, whatever its list still holds. */
export interface DrillStanding {
  lastSuccess?: DrillRun | undefined;
  /** When the bot first scheduled the drill (ISO): where the wait for a first success starts. */
  firstScheduledAt?: string | undefined;
}

/** Pushes ARGV[2] unless a line among the first ARGV[3] holds ARGV[1] (the run's request id, as JSON writes it). */
const PUSH_UNLESS_RECORDED = `
for _, line in ipairs(redis.call('LRANGE', KEYS[1], 0, tonumber(ARGV[3]) - 1)) do
  if string.find(line, ARGV[1], 1, true) then return 0 end
end
redis.call('LPUSH', KEYS[1], ARGV[2])
redis.call('LTRIM', KEYS[1], 0, tonumber(ARGV[3]) - 1)
return 1`;

export interface DrillHistory {
  /**
   * `replacesStartOf`: a run that ends without its request (did not run) although its start was recorded under this
   * id (the request's creation failed after it): that "running" line goes, or `drills` would show it running forever.
   */
  record(name: string, run: DrillRun, replacesStartOf?: string): Promise<void>;
  /**
   * The run made its request: `drills` shows it running until its end is recorded (which replaces this line). Never
   * over a line the request already has: its end, recorded first, stays.
   */
  recordStart(name: string, requestId: string, at: Date): Promise<void>;
  /** Newest first. */
  recent(name: string, count: number): Promise<DrillRun[]>;
  /** The drill is in the policy (and scheduled) at `at`: keeps the first such time, and the last success of older versions. */
  noteScheduled(name: string, at: Date): Promise<void>;
  standing(name: string): Promise<DrillStanding>;
  /**
   * A run of the drill waits (Atlas, its own errors) before making its request, until `untilMs`: its job's id is kept
   * so `drills` reads that one job instead of every delayed job of the queue. Only a pointer: the job's data says.
   */
  noteWaiting(name: string, jobId: string, untilMs: number): Promise<void>;
  /** The job of the run that last said it waits, if that wait may still be on. */
  waitingJobId(name: string): Promise<string | undefined>;
}

export function createDrillHistory(redis: RedisClient, prefix: string): DrillHistory {
  // Both keys share the prefix, hash tag included: one slot on a Cluster, so one MULTI can write both.
  const key = (name: string) => `${prefix}drill:${name}:runs`;
  const recordKey = (name: string) => `${prefix}drill:${name}:record`;
  const waitingKey = (name: string) => `${prefix}drill:${name}:waiting`;
  const recent = async (name: string, count: number): Promise<DrillRun[]> => {
    const raw = await redis.lrange(key(name), 0, Math.max(0, count - 1));
    return raw.flatMap((line) => parseRun(line) ?? []);
  };
  return {
    async record(name, run, replacesStartOf) {
      const line = JSON.stringify(run);
      // A request recorded before (unconfirmed, then its job turned up and ended) is replaced by its newer result:
      // one run, one line.
      const replaced = (l: string) => {
        const earlier = parseRun(l);
        return (run.requestId !== undefined && earlier?.requestId === run.requestId) || (replacesStartOf !== undefined && earlier?.requestId === replacesStartOf && earlier.state === 'in_progress');
      };
      const earlier = run.requestId || replacesStartOf ? (await redis.lrange(key(name), 0, KEEP - 1)).filter(replaced) : [];
      const tx = redis.multi();
      for (const l of earlier) tx.lrem(key(name), 0, l);
      tx.lpush(key(name), line).ltrim(key(name), 0, KEEP - 1);
      if (run.state === 'completed') tx.hset(recordKey(name), LAST_SUCCESS, line);
      await tx.exec();
    },
    async recordStart(name, requestId, at) {
      const line = JSON.stringify({ requestId, state: 'in_progress', startedAt: at.toISOString() } satisfies DrillRun);
      await redis.eval(PUSH_UNLESS_RECORDED, 1, key(name), `"requestId":${JSON.stringify(requestId)}`, line, KEEP);
    },
    recent,
    async noteScheduled(name, at) {
      // Runs recorded before the hash existed: take the last success, and the oldest run as the earliest schedule.
      const runs = (await redis.hexists(recordKey(name), LAST_SUCCESS)) === 1 ? [] : await recent(name, KEEP);
      const success = runs.find((run) => run.state === 'completed');
      if (success) await redis.hsetnx(recordKey(name), LAST_SUCCESS, JSON.stringify(success));
      const oldestRun = runs.at(-1);
      const oldest = Date.parse(oldestRun?.submittedAt ?? oldestRun?.finishedAt ?? '');
      const first = Number.isFinite(oldest) && oldest < at.getTime() ? new Date(oldest) : at;
      await redis.hsetnx(recordKey(name), FIRST_SCHEDULED, first.toISOString());
    },
    async noteWaiting(name, jobId, untilMs) {
      // A minute past its end: the run's last step (saying it did not run) may come a little after it.
      await redis.set(waitingKey(name), jobId, 'PX', Math.max(1, Math.round(untilMs - Date.now()) + 60_000));
    },
    async waitingJobId(name) {
      return (await redis.get(waitingKey(name))) ?? undefined;
    },
    async standing(name) {
      const [success, firstScheduledAt] = await redis.hmget(recordKey(name), LAST_SUCCESS, FIRST_SCHEDULED);
      // A dry run an earlier version stored as the last success is none: the stale-drill alert must not be quieted.
      const lastSuccess = success ? parseRun(success) : undefined;
      return { lastSuccess: lastSuccess?.state === 'completed' ? lastSuccess : undefined, firstScheduledAt: firstScheduledAt ?? undefined };
    },
  };
}

function parseRun(line: string): DrillRun | undefined {
  try {
    const run = JSON.parse(line) as DrillRun;
    // Earlier versions recorded a dry run as 'completed'; a real completed run always has its submission.
    return run.state === 'completed' && run.submittedAt === undefined ? { ...run, state: 'dry_run' } : run;
  } catch {
    return undefined;
  }
}

/** A run that made no request: when it gave up, and why. */
export function notStartedRun(reason: string, at: Date): DrillRun {
  return { state: 'not_started', reason, finishedAt: at.toISOString() };
}

/**
 * The figures of a finished drill request. `unconfirmed`: it ended because its POST's answer was lost and no job
 * turned up, which its stored state ('failed') doesn't tell.
 */
export function drillRunOf(req: RestoreRequest, unconfirmed?: { reason: string }): DrillRun {
  const startedAt = restoreStartedAt(req);
  const submitted = startedAt ? Date.parse(startedAt) : Number.NaN;
  const finished = req.finishedAt ? Date.parse(req.finishedAt) : Number.NaN;
  const snapshotAt = Date.parse(req.snapshot.createdAt);
  // DRY_RUN on at the submission: the request ends 'completed' with nothing sent to Atlas. No success, no figures.
  const dryRun = req.dryRun && req.state === 'completed';
  return {
    requestId: req.id,
    state: unconfirmed ? 'unconfirmed' : dryRun ? 'dry_run' : req.state,
    ...(unconfirmed ? { reason: unconfirmed.reason } : {}),
    submittedAt: startedAt,
    finishedAt: req.finishedAt,
    // Never negative: Atlas's clock (finishedAt) and ours (the POST) may disagree by a little.
    restoreMs: req.state === 'completed' && !dryRun && Number.isFinite(submitted) && Number.isFinite(finished) ? Math.max(0, finished - submitted) : undefined,
    snapshotAgeMs: Number.isFinite(submitted) && Number.isFinite(snapshotAt) ? Math.max(0, submitted - snapshotAt) : undefined,
  };
}
