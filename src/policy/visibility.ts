// Who may read about which requests (DESIGN.md §2: `status` and `list` answer only people named in the policy, and
// only about requests they may see). Private channels are where restores of sensitive clusters are asked for: a
// request is visible to its requester, to the approvers of its target, and to the members of its channel.
import type { RestoreRequest } from '../restore/types.js';
import { isApproverOf, listClusters, rulesFor, type MembershipResolver } from './policy.js';
import type { Policy } from './policy-schema.js';

/** Every requester and approver entry of the policy, at every level (user ids and user-group ids). */
function everyoneNamed(policy: Policy): string[] {
  const ids = new Set<string>([...policy.requesters, ...policy.approvers]);
  for (const ref of listClusters(policy)) {
    const rules = rulesFor(policy, ref);
    for (const id of [...rules.requesters, ...rules.approvers]) ids.add(id);
  }
  return [...ids];
}

/** True when the user is a requester or an approver somewhere in the policy (user groups resolved). */
export async function isNamedInPolicy(policy: Policy, resolver: MembershipResolver, user: string): Promise<boolean> {
  const ids = everyoneNamed(policy);
  if (ids.includes(user)) return true;
  try {
    return await resolver.isMember(user, ids);
  } catch {
    return false; // a failed group lookup shows nothing rather than too much
  }
}

export interface Viewer {
  user: string;
  /** Channels the viewer is in (with the bot); at least the one the command was typed in. */
  channels: ReadonlySet<string>;
}

export async function maySee(policy: Policy, resolver: MembershipResolver, viewer: Viewer, req: RestoreRequest): Promise<boolean> {
  if (req.requester === viewer.user || viewer.channels.has(req.channel)) return true;
  return (await isApproverOf(policy, resolver, viewer.user, req.target)).allowed;
}

/** The requests among `reqs` the viewer may see, in their order. */
export async function visibleTo(policy: Policy, resolver: MembershipResolver, viewer: Viewer, reqs: readonly RestoreRequest[]): Promise<RestoreRequest[]> {
  const seen = await Promise.all(reqs.map((r) => maySee(policy, resolver, viewer, r)));
  return reqs.filter((_, i) => seen[i]);
}
