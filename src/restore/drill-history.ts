// The last runs of each drill, newest first, in one capped Redis list per drill: what the final message compares
// with, what `drills` and the metrics read. Written once per run, in the same once-guarded step as the audit.
import type { RedisClient } from '../redis/redis-client.js';
import type { DrillRun } from './drill-definition.js';
import type { RestoreRequest } from './types.js';

const KEEP = 20;

export interface DrillHistory {
  record(name: string, run: DrillRun): Promise<void>;
  /** Newest first. */
  recent(name: string, count: number): Promise<DrillRun[]>;
}

export function createDrillHistory(redis: RedisClient, prefix: string): DrillHistory {
  const key = (name: string) => `${prefix}drill:${name}:runs`;
  return {
    async record(name, run) {
      await redis.multi().lpush(key(name), JSON.stringify(run)).ltrim(key(name), 0, KEEP - 1).exec();
    },
    async recent(name, count) {
      const raw = await redis.lrange(key(name), 0, Math.max(0, count - 1));
      return raw.flatMap((line) => {
        try {
          return [JSON.parse(line) as DrillRun];
        } catch {
          return [];
        }
      });
    },
  };
}

/** The figures of a finished drill request. */
export function drillRunOf(req: RestoreRequest): DrillRun {
  const submitted = req.submittedAt ? Date.parse(req.submittedAt) : Number.NaN;
  const finished = req.finishedAt ? Date.parse(req.finishedAt) : Number.NaN;
  const snapshotAt = Date.parse(req.snapshot.createdAt);
  return {
    requestId: req.id,
    state: req.state,
    submittedAt: req.submittedAt,
    finishedAt: req.finishedAt,
    restoreMs: req.state === 'completed' && Number.isFinite(submitted) && Number.isFinite(finished) ? finished - submitted : undefined,
    snapshotAgeMs: Number.isFinite(submitted) && Number.isFinite(snapshotAt) ? submitted - snapshotAt : undefined,
  };
}
