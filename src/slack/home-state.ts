// What one viewer's App Home shows, read from the store and the policy as they are now. The visibility rules of
// `status` and `list` apply (DESIGN.md §2): someone outside the policy gets no request at all.
import type { webApi } from '@slack/bolt';
import { isSlackGroupId } from '../policy/names.js';
import { mayApprove, rulesFor } from '../policy/policy.js';
import { MembershipLookupError } from '../policy/resolve-usergroups.js';
import { isNamedInPolicy, visibleTo } from '../policy/visibility.js';
import { FINAL_REQUEST_STATES, type RestoreRequest } from '../restore/types.js';
import type { Services } from './services.js';
import { buildHomeView, type HomeState } from './views/home-view.js';

/** How far back the history looks for requests the viewer decided (the requester's own index covers the rest). */
const RECENT_SCAN = 100;
const HISTORY = 10;

function decidedBy(req: RestoreRequest, user: string): boolean {
  return req.approvals.some((a) => a.user === user) || req.rejectedBy === user || req.cancelledBy === user || (req.droppedApprovals ?? []).some((a) => a.user === user);
}

type HomeServices = Pick<Services, 'policy' | 'resolver' | 'store' | 'channelsOf' | 'listDrills' | 'now' | 'logger'>;

export async function loadHomeState(services: HomeServices, user: string): Promise<HomeState> {
  const now = services.now();
  const { policy, resolver, store } = services;
  // Read the drills alongside; their failure only empties their section.
  const drills = services.listDrills().catch((err: unknown) => {
    services.logger.warn({ err }, 'could not list the drills for the App Home');
    return 'unavailable' as const;
  });
  try {
    if (!(await isNamedInPolicy(policy, resolver, user))) return { kind: 'outsider', now };
    // The home is in no channel: only the channels the viewer shares with the bot count ('' matches no request).
    const viewer = { user, channels: await services.channelsOf(user, '') };
    const [active, mine, recent] = await Promise.all([store.listActive(), store.listRecent(2 * HISTORY, user), store.listRecent(RECENT_SCAN)]);
    const pending = active.filter((r) => r.state === 'pending_approval');
    const decisions = await Promise.all(pending.map((r) => mayApprove(policy, resolver, user, r)));
    // mayApprove denies when a group can't be listed: "nothing waits for you" would hide a request that may.
    const unchecked = pending.filter((_, i) => {
      const decision = decisions[i]!;
      return !decision.allowed && decision.code === 'POLICY_MEMBERSHIP_UNAVAILABLE';
    });
    if (unchecked.length > 0) throw new MembershipLookupError(unchecked.flatMap((r) => rulesFor(policy, r.target).approvers.filter(isSlackGroupId)));
    const awaiting = pending.filter((_, i) => decisions[i]!.allowed);
    const waiting = new Set(awaiting.map((r) => r.id));
    const inFlight = (await visibleTo(policy, resolver, viewer, active)).filter((r) => !waiting.has(r.id));
    const byId = new Map<string, RestoreRequest>();
    for (const r of [...mine, ...recent.filter((r) => decidedBy(r, user))]) if (FINAL_REQUEST_STATES.includes(r.state)) byId.set(r.id, r);
    const ended = (r: RestoreRequest) => r.finishedAt ?? r.updatedAt;
    const history = [...byId.values()].sort((a, b) => ended(b).localeCompare(ended(a))).slice(0, HISTORY);
    return { kind: 'member', user, now, awaiting, inFlight, history, drills: await drills };
  } catch (err) {
    services.logger.warn({ err, user }, 'could not read the App Home state');
    // A user-group lookup Slack didn't answer is not Redis being down: the viewer is told which.
    const membership = (err as { code?: unknown } | null)?.code === 'POLICY_MEMBERSHIP_UNAVAILABLE';
    return { kind: 'unavailable', now, ...(membership ? { because: 'membership' as const } : {}) };
  }
}

/** Renders the viewer's home from the state as it is now and publishes it (views.publish needs no scope). */
export async function publishHome(services: HomeServices, client: webApi.WebClient, user: string): Promise<void> {
  const view = buildHomeView(await loadHomeState(services, user));
  await client.views.publish({ user_id: user, view });
}
