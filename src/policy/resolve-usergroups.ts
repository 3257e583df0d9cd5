// Membership of Slack user groups (S…), as named in the policy's requesters/approvers lists.
//
// Caching: members of a group are kept for `ttlMs` (default 60 s) after they were fetched, so a
// change in Slack takes at most that long to matter. Concurrent lookups of the same group share
// one call. A failed lookup is NOT cached (the next question retries it) and it DENIES: if the
// user was not found directly or in a group that did resolve, isMember rejects with
// MembershipLookupError (code POLICY_MEMBERSHIP_UNAVAILABLE), which mayRequest/mayApprove turn
// into a refusal that asks the user to retry. Membership never defaults to "yes".
//
// A group Slack says doesn't exist (a typo, a deleted group) is not a failure: it is empty, cached like any other, and
// reported through onMissingGroup. Otherwise one bad id would send everyone else to "try again" on every click.
import type { MembershipResolver } from './policy.js';
import { isSlackGroupId } from './names.js';

export class MembershipLookupError extends Error {
  override readonly name = 'MembershipLookupError';
  readonly code = 'POLICY_MEMBERSHIP_UNAVAILABLE';
  constructor(
    readonly groupIds: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(`Could not look up the members of Slack user group(s) ${groupIds.join(', ')}`, options);
  }
}

export interface MembershipResolverOptions {
  /** How long fetched members are trusted. Default 60 000 ms. */
  ttlMs?: number;
  /** Clock, for tests. Default Date.now. */
  now?: () => number;
  /** Told each time Slack answers that a group doesn't exist (the app logs it at error: the policy names a wrong id). */
  onMissingGroup?: (groupId: string, slackError: string) => void;
}

/** Slack's answers for a user-group id that names no group. */
const NO_SUCH_GROUP = new Set(['no_such_subteam', 'subteam_not_found']);

function slackErrorOf(err: unknown): string | undefined {
  const error = (err as { data?: { error?: unknown } } | null)?.data?.error;
  return typeof error === 'string' ? error : undefined;
}

interface CachedGroup {
  members: ReadonlySet<string>;
  expiresAt: number;
}

export function createMembershipResolver(
  fetchGroupUsers: (groupId: string) => Promise<string[]>,
  opts: MembershipResolverOptions = {},
): MembershipResolver {
  const ttlMs = opts.ttlMs ?? 60_000;
  const now = opts.now ?? Date.now;
  const cache = new Map<string, CachedGroup>();
  const inFlight = new Map<string, Promise<ReadonlySet<string>>>();

  function groupMembers(groupId: string): Promise<ReadonlySet<string>> {
    const cached = cache.get(groupId);
    if (cached && cached.expiresAt > now()) return Promise.resolve(cached.members);
    const pending = inFlight.get(groupId);
    if (pending) return pending;
    // Starting from a resolved promise keeps even a synchronous throw asynchronous, so the
    // clean-up below always runs after the entry was registered.
    const lookup = Promise.resolve()
      .then(() => fetchGroupUsers(groupId))
      .catch((err: unknown) => {
        const slackError = slackErrorOf(err);
        if (slackError === undefined || !NO_SUCH_GROUP.has(slackError)) throw err;
        opts.onMissingGroup?.(groupId, slackError);
        return [];
      })
      .then((users) => {
        const members: ReadonlySet<string> = new Set(users);
        cache.set(groupId, { members, expiresAt: now() + ttlMs });
        return members;
      })
      .finally(() => inFlight.delete(groupId));
    inFlight.set(groupId, lookup);
    return lookup;
  }

  return {
    members: async (groupId: string) => [...(await groupMembers(groupId))],
    async isMember(userId: string, ids: readonly string[]): Promise<boolean> {
      if (ids.includes(userId)) return true;
      const groups = [...new Set(ids.filter(isSlackGroupId))];
      if (groups.length === 0) return false;
      const results = await Promise.allSettled(groups.map((g) => groupMembers(g)));
      if (results.some((r) => r.status === 'fulfilled' && r.value.has(userId))) return true;
      const failed = groups.filter((_, i) => results[i]?.status === 'rejected');
      if (failed.length > 0) {
        const firstFailure = results.find((r) => r.status === 'rejected');
        throw new MembershipLookupError(failed, { cause: firstFailure?.reason });
      }
      return false;
    },
  };
}
