// Keeps the App Homes of the people a request concerns up to date when it changes: best effort, bounded, off the
// 3-second path. A change schedules one publish per person (at most `maxPerChange`), debounced per person through
// Redis so that a burst of changes (approve → submitting → running), on any replica, publishes one home that shows
// the last of them. Publishes render the store as it is when they run, never the request that triggered them.
import type { Logger } from 'pino';
import { isSlackGroupId } from '../policy/names.js';
import { rulesFor, type MembershipResolver } from '../policy/policy.js';
import type { Policy } from '../policy/policy-schema.js';
import type { RedisClient } from '../redis/redis-client.js';
import type { RestoreRequest } from '../restore/types.js';

export interface HomeRefresherOptions {
  redis: RedisClient;
  prefix: string;
  /** Renders one viewer's home from the current state and publishes it. */
  publish(user: string): Promise<void>;
  /** Whose homes show `req` (see peopleConcerned). */
  concerned(req: RestoreRequest): Promise<string[]>;
  logger: Logger;
  /** How long a person's publish waits for more changes. Default 1500 ms. */
  debounceMs?: number;
  /** At most this many homes are refreshed per change. Default 25. */
  maxPerChange?: number;
}

export interface HomeRefresher {
  /**
   * Refreshes the homes of the people concerned by `req`. Never rejects, and never waits for the publishes: it
   * resolves once they are scheduled (callers on a hot path need not wait for that either).
   */
  refresh(req: RestoreRequest): Promise<void>;
  /** The same for these people (e.g. whoever clicked in their home). */
  refreshUsers(users: readonly string[]): Promise<void>;
  /** Publishes this person's home now (app_home_opened); publishes of one person never overlap in a process. */
  publishNow(user: string): Promise<void>;
  /** Publishes at once what waits for its debounce here, and waits until nothing is owed or running. */
  flush(): Promise<void>;
  /**
   * Shutdown: schedules nothing more, and starts no Slack call while the app stops: what waits for its debounce is
   * given back (its mark deleted, so the next change on another replica schedules it), work in progress is waited for.
   */
  close(): Promise<void>;
}

const DEFAULT_DEBOUNCE_MS = 1500;
const DEFAULT_MAX_PER_CHANGE = 25;
/** The mark outlives its publish by this much, in case the replica that set it dies before publishing. */
const MARK_SLACK_MS = 5000;

/**
 * The requester (of a drill, who ran it) and whoever decided first (they are sure to look), then the target's approvers: user ids listed
 * directly, and user-group members where the resolver can list them (a failed lookup leaves only the direct ones).
 */
export async function peopleConcerned(policy: Policy, resolver: MembershipResolver, req: RestoreRequest): Promise<string[]> {
  // A drill's requester is the drill (`drill:<name>`), no one's home: whoever ran it by command stands in for it.
  const people = new Set<string>(req.drill ? (req.drill.by ? [req.drill.by] : []) : [req.requester]);
  for (const a of [...req.approvals, ...(req.droppedApprovals ?? [])]) people.add(a.user);
  if (req.rejectedBy) people.add(req.rejectedBy);
  if (req.cancelledBy) people.add(req.cancelledBy);
  for (const id of rulesFor(policy, req.target).approvers) {
    if (!isSlackGroupId(id)) people.add(id);
    else if (resolver.members) {
      const members = await resolver.members(id).catch(() => []);
      for (const m of members) people.add(m);
    }
  }
  return [...people];
}

export function createHomeRefresher(opts: HomeRefresherOptions): HomeRefresher {
  const debounceMs = opts.debounceMs ?? DEFAULT_DEBOUNCE_MS;
  const maxPerChange = opts.maxPerChange ?? DEFAULT_MAX_PER_CHANGE;
  const log = opts.logger.child({ component: 'home-refresher' });
  const markKey = (user: string) => `${opts.prefix}home:due:${user}`;
  /** Publishes this process owes after their debounce. */
  const due = new Map<string, ReturnType<typeof setTimeout>>();
  /** Per person, the last publish queued here: the next one starts after it. */
  const chains = new Map<string, Promise<void>>();
  const running = new Set<Promise<unknown>>();
  let closed = false;

  const track = (work: Promise<unknown>) => {
    running.add(work);
    void work.finally(() => running.delete(work));
  };

  function publishNow(user: string): Promise<void> {
    if (closed) return Promise.resolve();
    const next = (chains.get(user) ?? Promise.resolve()).then(() => opts.publish(user)).catch((err: unknown) => log.warn({ err, user }, 'could not publish the App Home'));
    chains.set(user, next);
    void next.finally(() => {
      if (chains.get(user) === next) chains.delete(user);
    });
    track(next);
    return next;
  }

  async function publishOwed(user: string): Promise<void> {
    due.delete(user);
    // Clear the mark before reading the state: a change from now on schedules a publish of its own, so the last
    // change is always shown, and one made before this point is already in the store this publish reads.
    await opts.redis.del(markKey(user)).catch(() => undefined);
    await publishNow(user);
  }

  async function schedule(user: string): Promise<void> {
    if (closed || due.has(user)) return; // stopping, or already owed here (the mark is set)
    // Whoever sets the mark publishes; everyone else's change is shown by that publish.
    if ((await opts.redis.set(markKey(user), '1', 'PX', debounceMs + MARK_SLACK_MS, 'NX')) !== 'OK') return;
    if (closed) {
      await opts.redis.del(markKey(user)).catch(() => undefined); // give it back: we won't publish
      return;
    }
    if (due.has(user)) return; // a publish owed here already (its run clears the mark)
    const timer = setTimeout(() => track(publishOwed(user)), debounceMs);
    timer.unref();
    due.set(user, timer);
  }

  function refreshUsers(users: readonly string[]): Promise<void> {
    const work = Promise.all(users.slice(0, maxPerChange).map(schedule)).then(
      () => undefined,
      (err: unknown) => log.debug({ err }, 'App Home refresh not scheduled'),
    );
    track(work);
    return work;
  }

  async function settle(): Promise<void> {
    while (running.size > 0) await Promise.allSettled([...running]);
  }

  return {
    publishNow,
    refreshUsers,
    refresh(req) {
      const work = opts
        .concerned(req)
        .then((users) => refreshUsers(users))
        .catch((err: unknown) => log.debug({ err, requestId: req.id }, 'App Home refresh not scheduled'));
      track(work);
      return work;
    },
    async flush() {
      // A refresh in progress may still schedule one: loop until nothing is owed or running.
      for (;;) {
        for (const [user, timer] of due) {
          clearTimeout(timer);
          track(publishOwed(user));
        }
        if (running.size === 0) return;
        await settle();
      }
    },
    async close() {
      closed = true;
      const owed = [...due.entries()];
      due.clear();
      for (const [, timer] of owed) clearTimeout(timer);
      await Promise.all(owed.map(([user]) => opts.redis.del(markKey(user)).catch(() => undefined)));
      await settle();
    },
  };
}
