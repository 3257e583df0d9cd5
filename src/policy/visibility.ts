// Who may read about which requests (DESIGN.md §2: `status` and `list` answer only people named in the policy, and
// only about requests they may see). Private channels are where restores of sensitive clusters are asked for: a
// request is visible to its requester, to the approvers of its target, and to the members of its channel.
import type { RestoreRequest } from '../restore/types.js';
import { isSlackGroupId } from './names.js';
import { listClusters, rulesFor, type MembershipResolver } from './policy.js';
import type { Policy } from './policy-schema.js';
import { MembershipLookupError } from './resolve-usergroups.js';

/** Every requester and approver entry of the policy, at every level (user ids and user-group ids). */
function everyoneNamed(policy: Policy): string[] {
  const ids = new Set<string>([...policy.requesters, ...policy.approvers]);
  for (const ref of listClusters(policy)) {
    const rules = rulesFor(policy, ref);
    for (const id of [...rules.requesters, ...rules.approvers]) ids.add(id);
  }
  return [...ids];
}

/**
 * Whether the user is one of `ids`. A lookup that fails rejects with MembershipLookupError: "you're not named" would
 * be false, and "you are" unsafe, so the caller says to try again.
 */
async function isOneOf(resolver: MembershipResolver, user: string, ids: readonly string[]): Promise<boolean> {
  if (ids.includes(user)) return true;
  try {
    return await resolver.isMember(user, ids);
  } catch (err) {
    throw err instanceof MembershipLookupError ? err : new MembershipLookupError(ids.filter(isSlackGroupId), { cause: err });
  }
}

/**
 * True when the user is a requester or an approver somewhere in the policy (user groups resolved). Rejects with
 * MembershipLookupError when a group that could hold them can't be listed just now.
 */
export async function isNamedInPolicy(policy: Policy, resolver: MembershipResolver, user: string): Promise<boolean> {
  return isOneOf(resolver, user, everyoneNamed(policy));
}

export interface Viewer {
  user: string;
  /** Channels the viewer is in (with the bot); at least the one the command was typed in. */
  channels: ReadonlySet<string>;
}

/** Rejects with MembershipLookupError when a group lookup the answer depends on fails. */
export async function maySee(policy: Policy, resolver: MembershipResolver, viewer: Viewer, req: RestoreRequest): Promise<boolean> {
  if (req.requester === viewer.user || viewer.channels.has(req.channel)) return true;
  // An approver of its target; a failed lookup rejects rather than hide the request as if it didn't exist.
  return isOneOf(resolver, viewer.user, rulesFor(policy, req.target).approvers);
}

/** The requests among `reqs` the viewer may see, in their order. */
export async function visibleTo(policy: Policy, resolver: MembershipResolver, viewer: Viewer, reqs: readonly RestoreRequest[]): Promise<RestoreRequest[]> {
  const seen = await Promise.all(reqs.map((r) => maySee(policy, resolver, viewer, r)));
  return reqs.filter((_, i) => seen[i]);
}
