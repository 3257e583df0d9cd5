// Once-only side effects (Slack notifications) of the tracker, kept in Redis so that a crash, a
// stalled-job recovery or a second replica does not repeat them.
//
// Guarantee: each (request, event) effect runs at most once at a time (a lease), and once it has
// succeeded it never runs again (a done marker). If a process dies after the effect succeeded but
// before the done marker is written, a later run repeats it once the lease has expired; if it dies
// before the effect succeeded, a later run performs it. So: exactly once, except a duplicate in the
// narrow crash window between "Slack answered" and "marker written" (at-least-once there, never lost).
//
// An *intent* records, before a final store transition, what that transition was for (restore
// finished, tracking lost, approval expired, rejected…) and the data its notification needs. A re-run that
// finds the request already final uses it to finish the work a crashed run started.
import { randomUUID } from 'node:crypto';
import type { RedisClient } from '../redis/redis-client.js';
import type { RestoreJob } from '../atlas/types.js';
import type { RequestState } from './types.js';

export type FinalIntent =
  | { kind: 'finished'; job: RestoreJob }
  | { kind: 'lost'; message: string; code: string }
  | { kind: 'approval_expired' }
  /** Ended before anything was sent to Atlas: a re-check refused it, or Atlas stayed unreachable past the horizon. */
  | { kind: 'not_submitted'; message: string; audit: 'refused' | 'failed' | 'safety_snapshot_failed' }
  /** Atlas refused the POST: nothing was created. */
  | { kind: 'submit_refused'; message: string; code?: string | undefined }
  /** The POST's answer was lost and no job appeared in the search window. */
  | { kind: 'unconfirmed'; message: string }
  | { kind: 'dry_run' }
  /** A person ended the pending request (an approver's Reject, the requester's Cancel). */
  | { kind: 'rejected'; by: string }
  | { kind: 'cancelled'; by: string };

/** The request state an intent leads to: a settle only acts when the stored state is that one. */
export function intendedState(intent: FinalIntent): RequestState {
  switch (intent.kind) {
    case 'finished':
      return intent.job.state as RequestState;
    case 'approval_expired':
      return 'approval_expired';
    case 'rejected':
    case 'cancelled':
      return intent.kind;
    case 'dry_run':
      return 'completed';
    case 'lost':
    case 'not_submitted':
    case 'submit_refused':
    case 'unconfirmed':
      return 'failed';
  }
}

export type OnceOutcome = 'ran' | 'done' | 'busy';

export interface TrackerMarks {
  /** Runs `effect` unless it already succeeded or another holder is running it now. */
  runOnce(requestId: string, event: string, effect: () => Promise<void>): Promise<OnceOutcome>;
  isDone(requestId: string, event: string): Promise<boolean>;
  /**
   * Records what an end is for, before its compare-and-set, and resolves with the token it is kept under: the CAS writes
   * that token into the request (`finalIntentToken`), so the settle reads the intent of the run whose CAS won, however
   * many runs wrote one at once (a Reject and a Cancel, two runs of one job ending it two ways).
   */
  setIntent(requestId: string, intent: FinalIntent): Promise<string>;
  /** The intent kept under `token`; without one, the one key earlier versions wrote (an end one of them made). */
  getIntent(requestId: string, token: string | undefined): Promise<FinalIntent | null>;
  /** A run whose CAS lost removes what it wrote (never another run's). */
  discardIntent(requestId: string, token: string): Promise<void>;
  /**
   * The run whose CAS won also puts its intent where earlier versions read their one intent per request: during a
   * rolling upgrade a replica of the version before may settle the request. Only then, so a run that lost never
   * overwrites an earlier version's winning intent there.
   */
  shareIntent(requestId: string, token: string): Promise<void>;
}

export interface TrackerMarksOptions {
  redis: RedisClient;
  /** Key prefix, e.g. 'atlas-restore:bull:tracker:' */
  prefix: string;
  /** How long a holder may take to run an effect before another may try. */
  leaseMs: number;
  /** How long done markers and intents are kept. */
  keepSeconds: number;
}

// Deletes the lease only if we still hold it, and marks done in the same step.
const FINISH_ONCE = `
redis.call('SET', KEYS[2], '1', 'EX', ARGV[2])
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1`;
const RELEASE_LEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

export function createTrackerMarks(opts: TrackerMarksOptions): TrackerMarks {
  const { redis, prefix, leaseMs, keepSeconds } = opts;
  const doneKey = (id: string, event: string) => `${prefix}done:${id}:${event}`;
  const leaseKey = (id: string, event: string) => `${prefix}lease:${id}:${event}`;
  const intentKey = (id: string, token: string) => `${prefix}intent:${id}:${token}`;
  /**
   * Earlier versions kept one intent per request (the last one written): still written by the winning end, for their
   * replicas during a rolling upgrade, and read for a request whose end one of them made (it carries no token).
   */
  const legacyIntentKey = (id: string) => `${prefix}intent:${id}`;

  async function readIntent(key: string): Promise<FinalIntent | null> {
    const raw = await redis.get(key);
    if (raw === null) return null;
    try {
      return JSON.parse(raw) as FinalIntent;
    } catch {
      return null;
    }
  }

  return {
    async runOnce(requestId, event, effect) {
      const done = doneKey(requestId, event);
      const lease = leaseKey(requestId, event);
      if ((await redis.exists(done)) === 1) return 'done';
      const token = randomUUID();
      if ((await redis.set(lease, token, 'PX', leaseMs, 'NX')) !== 'OK') return 'busy';
      // A holder may have finished between our EXISTS and SET: look again now that we hold the lease.
      if ((await redis.exists(done)) === 1) {
        await redis.eval(RELEASE_LEASE, 1, lease, token);
        return 'done';
      }
      try {
        await effect();
      } catch (err) {
        await redis.eval(RELEASE_LEASE, 1, lease, token).catch(() => undefined);
        throw err;
      }
      await redis.eval(FINISH_ONCE, 2, lease, done, token, keepSeconds);
      return 'ran';
    },

    async isDone(requestId, event) {
      return (await redis.exists(doneKey(requestId, event))) === 1;
    },

    async setIntent(requestId, intent) {
      const token = randomUUID();
      const value = JSON.stringify({ ...intent, token });
      await redis.set(intentKey(requestId, token), value, 'EX', keepSeconds);
      return token;
    },

    async getIntent(requestId, token) {
      return readIntent(token === undefined ? legacyIntentKey(requestId) : intentKey(requestId, token));
    },

    async discardIntent(requestId, token) {
      await redis.del(intentKey(requestId, token));
    },

    async shareIntent(requestId, token) {
      const value = await redis.get(intentKey(requestId, token));
      if (value !== null) await redis.set(legacyIntentKey(requestId), value, 'EX', keepSeconds);
    },
  };
}
