// The card's buttons, and the same Approve / Reject in the App Home. Each carries only the request id; identity is
// Slack's signed user id; the stored request decides.
import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { clusterKey, isApproverOf, isInPolicy, mayApprove, mayRequest } from '../policy/policy.js';
import type { RequestState, RestoreRequest } from '../restore/types.js';
import type { Services } from './services.js';
import { approveRequest } from './approve-request.js';
import { plainState } from './views/request-card.js';
import { slackDate } from './views/format.js';

type ButtonArgs = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;
type Decision = 'approve' | 'reject' | 'cancel';

export function handleDecision(services: Services, decision: Decision) {
  return async ({ ack, body, action }: ButtonArgs): Promise<void> => {
    await ack();
    const user = body.user.id;
    // A click in the App Home comes from a view, with no channel: answers go to the request's channel, and the
    // viewer's home is published again whatever the outcome (it showed something that may no longer hold).
    const fromHome = body.container?.type === 'view';
    try {
      await decide(services, decision, user, action.value ?? '', body.channel?.id ?? body.container?.channel_id);
    } finally {
      if (fromHome) void services.homes.refreshUsers([user]);
    }
  };
}

async function decide(services: Services, decision: Decision, user: string, id: string, channel: string | undefined): Promise<void> {
  const found = id ? await services.store.get(id) : null;
  // The id is whatever the client sent: a request this user may not see reads like one that doesn't exist (as in
  // `status`), so a crafted click learns nothing of its state, target or requester.
  const req = found && (await mayDecideOn(services, user, found, channel)) ? found : null;
  if (found && !req) {
    await services.store.audit({ type: 'refused', requestId: found.id, user, detail: `${decision}: may not see the request` });
    services.logger.info({ requestId: found.id, user }, 'action on a request the user may not see');
  }
  if (!req) {
    const text = `Restore request \`${id}\` is not known here (it may be older than the retention window).`;
    await (channel ? services.messenger.tellUser(channel, user, text) : services.messenger.directMessage(user, text));
    return;
  }
  const expired = await expireIfDue(services, req);
  if (expired) {
    await services.messenger.tellUser(req.channel, user, `${req.id}'s approval window has closed; request the restore again if it's still needed.`, req.cardTs);
    return;
  }
  const leftPolicy = leftPolicyText(services, req, decision);
  if (leftPolicy) return refuse(services, req, user, leftPolicy);
  switch (decision) {
    case 'approve':
      return approve(services, req, user);
    case 'reject':
      return reject(services, req, user);
    case 'cancel':
      return cancel(services, req, user);
  }
}

/**
 * The visibility rules of `status`: its requester, an approver of its target, or a member of its channel. A user-group
 * lookup that fails counts as visible here: the decision itself then says to try again.
 */
async function mayDecideOn(services: Services, user: string, req: RestoreRequest, channel: string | undefined): Promise<boolean> {
  if (user === req.requester || channel === req.channel) return true;
  const approver = await isApproverOf(services.policy, services.resolver, user, req.target);
  if (approver.allowed || approver.code === 'POLICY_MEMBERSHIP_UNAVAILABLE') return true;
  return (await services.channelsOf(user, channel ?? '')).has(req.channel);
}

/**
 * The expiry job normally does this on time; a click that arrives first must not approve a stale request. The
 * tracker ends it, so a click racing the expiry job still gives one audit entry and one "expired" message.
 */
async function expireIfDue(services: Services, req: RestoreRequest): Promise<boolean> {
  if (req.state !== 'pending_approval' || Date.parse(req.approvalExpiresAt) > services.now().getTime()) return false;
  return services.tracker.expireIfDue(req.id, services.now().getTime());
}

/**
 * A pending request whose source or target was taken out of the policy: nobody can approve it now (the re-check before
 * the POST would refuse it too). Said as that, rather than "you're not an approver" to its approvers; its approval
 * expiry ends it. A Reject is refused so only when the target left (it has no approvers left): with the target still
 * the policy's, its approvers reject as ever, the one way to free the target the pending request holds.
 */
function leftPolicyText(services: Services, req: RestoreRequest, decision: Decision): string | undefined {
  if (req.state !== 'pending_approval') return undefined;
  const clusters = decision === 'reject' ? [req.target] : [req.source, req.target];
  const gone = clusters.find((cluster) => !isInPolicy(services.policy, cluster));
  if (!gone) return undefined;
  return `\`${clusterKey(gone)}\` is no longer in the restore policy, so ${req.id} can't be approved; it ends by itself when its approval window closes (${slackDate(req.approvalExpiresAt)}) and nothing is restored.`;
}

async function refuse(services: Services, req: RestoreRequest, user: string, message: string): Promise<void> {
  await services.store.audit({ type: 'refused', requestId: req.id, user, detail: message });
  services.logger.info({ requestId: req.id, user, reason: message }, 'action refused');
  await services.messenger.tellUser(req.channel, user, message, req.cardTs);
}

function notPending(req: RestoreRequest, expected: readonly RequestState[]): string | undefined {
  return expected.includes(req.state) ? undefined : `${req.id} is ${plainState(req)}: there is nothing to do.`;
}

async function approve(services: Services, req: RestoreRequest, user: string): Promise<void> {
  const stale = notPending(req, ['pending_approval']);
  if (stale) return services.messenger.tellUser(req.channel, user, stale, req.cardTs);
  const decision = await mayApprove(services.policy, services.resolver, user, req);
  if (!decision.allowed) return refuse(services, req, user, decision.message);
  await approveRequest(services, req, user);
}

async function reject(services: Services, req: RestoreRequest, user: string): Promise<void> {
  const stale = notPending(req, ['pending_approval']);
  if (stale) return services.messenger.tellUser(req.channel, user, stale, req.cardTs);
  if (user === req.requester) return refuse(services, req, user, `You requested ${req.id}: use Cancel to withdraw it.`);
  // Any approver of the target may reject, including one who approved already.
  const approver = await isApproverOf(services.policy, services.resolver, user, req.target);
  if (!approver.allowed) return refuse(services, req, user, `You can't reject ${req.id}: ${approver.message}`);
  // The tracker settles the end (lock, audit, card, thread) as a step of the request's job: retried while Slack refuses.
  const done = await services.tracker.endByPerson(req.id, 'rejected', user, { rejectedBy: user, finishedAt: services.now().toISOString() });
  if (!done) return services.messenger.tellUser(req.channel, user, `${req.id} is no longer waiting for approval.`, req.cardTs);
  services.logger.info({ requestId: req.id, user }, 'restore rejected');
}

async function cancel(services: Services, req: RestoreRequest, user: string): Promise<void> {
  if (user !== req.requester) return refuse(services, req, user, `Only <@${req.requester}> can withdraw ${req.id}. Approvers can Reject it.`);
  const stale = notPending(req, ['pending_approval']);
  if (stale) return services.messenger.tellUser(req.channel, user, stale, req.cardTs);
  // Like every other button (DESIGN.md §5): the requester must still be allowed by the policy as it is now.
  const allowed = await mayRequest(services.policy, services.resolver, user, req.source, req.target);
  if (!allowed.allowed) return refuse(services, req, user, `You can't withdraw ${req.id}: ${allowed.message}`);
  const done = await services.tracker.endByPerson(req.id, 'cancelled', user, { cancelledBy: user, finishedAt: services.now().toISOString() });
  if (!done) return services.messenger.tellUser(req.channel, user, `${req.id} is no longer waiting for approval.`, req.cardTs);
  services.logger.info({ requestId: req.id, user }, 'restore request withdrawn');
}
