// Just before the POST (also when a restarted replica finishes a submission), everything the request rests on is
// asked again of the policy as it is now: the requester may still request it, and every recorded approval still
// counts (its approver is still an approver of the target, self-approval rules included), and there are as many as
// the policy asks for now. User groups are resolved now too, so someone removed from a group loses the approval they gave.
import { clusterKey, isApproverOf, mayRequest, rulesFor, type Decision, type MembershipResolver } from '../policy/policy.js';
import type { Policy } from '../policy/policy-schema.js';
import { drillsOf, isScratch } from '../policy/resolve-drills.js';
import type { DroppedApproval, RecheckResult, SubmissionGate } from './tracker-types.js';
import type { RestoreRequest } from './types.js';

const MEMBERSHIP_UNAVAILABLE = "Slack didn't answer who is in the policy's user groups, so the approvals can't be checked yet.";
const unavailable = (d: Decision): boolean => !d.allowed && d.code === 'POLICY_MEMBERSHIP_UNAVAILABLE';

export async function recheckRequest(policy: Policy, resolver: MembershipResolver, req: RestoreRequest): Promise<RecheckResult> {
  if (req.drill) return recheckDrill(policy, req);
  // Said in the thread, to its approvers too: of the requester, not to "you".
  const requester = await mayRequest(policy, resolver, req.requester, req.source, req.target, 'requester');
  if (unavailable(requester)) return { kind: 'wait', category: 'membership_unavailable', message: MEMBERSHIP_UNAVAILABLE };
  if (!requester.allowed) return { kind: 'refuse', message: requester.message };

  const rules = rulesFor(policy, req.target);
  const dropped: DroppedApproval[] = [];
  for (const approval of req.approvals) {
    if (approval.user === req.requester && !rules.approval.allowSelfApproval) {
      dropped.push({ ...approval, why: 'the policy no longer allows approving your own request' });
      continue;
    }
    const approver = await isApproverOf(policy, resolver, approval.user, req.target);
    if (unavailable(approver)) return { kind: 'wait', category: 'membership_unavailable', message: MEMBERSHIP_UNAVAILABLE };
    if (!approver.allowed) dropped.push({ ...approval, why: `no longer an approver of restores into \`${clusterKey(req.target)}\`` });
  }
  // A policy that asks for more approvals now applies to requests already approved under the old count too.
  const required = Math.max(req.approvalsRequired, rules.approval.required);
  const raised = required > req.approvalsRequired ? required : undefined;
  if (dropped.length > 0 || req.approvals.length < required) return { kind: 'drop', dropped, approvalsRequired: raised };
  return { kind: 'ok' };
}

/** The gate the tracker asks before submitting: the policy and DRY_RUN as they are at that moment. */
export function createSubmissionGate(deps: { policy: () => Policy; resolver: MembershipResolver; dryRun: () => boolean }): SubmissionGate {
  return {
    recheck: (req) => recheckRequest(deps.policy(), deps.resolver, req),
    dryRun: deps.dryRun,
  };
}

/** A drill needs no approval, but the policy must still hold it, with this target still a scratch cluster. */
function recheckDrill(policy: Policy, req: RestoreRequest): RecheckResult {
  const drill = drillsOf(policy).find((d) => d.name === req.drill?.name);
  if (!drill) return { kind: 'refuse', message: `the drill \`${req.drill?.name ?? ''}\` is no longer in the policy.` };
  if (drill.target.groupId !== req.target.groupId || drill.target.cluster !== req.target.cluster || !isScratch(policy, req.target)) {
    return { kind: 'refuse', message: `\`${clusterKey(req.target)}\` is no longer the scratch target of the drill \`${drill.name}\`.` };
  }
  return { kind: 'ok' };
}
