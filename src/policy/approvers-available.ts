// Whether a request could ever get the approvals it needs: the target's approvers, less the requester where the policy
// doesn't let people approve their own requests. The policy check at load (unreachableApprovals) can't see this: it
// depends on who requests. Pure.
import { isSlackGroupId } from './names.js';
import type { ClusterRules } from './policy.js';

/** How many people could approve `requester`'s request under `rules`; undefined when a user group is among the approvers (its members are Slack's to know). */
export function approversAvailable(rules: Pick<ClusterRules, 'approvers' | 'approval'>, requester: string): number | undefined {
  if (rules.approvers.some(isSlackGroupId)) return undefined;
  const people = new Set(rules.approvers);
  if (!rules.approval.allowSelfApproval) people.delete(requester);
  return people.size;
}

/** Why `requester`'s request into `targetKey` could never be approved, in plain words; undefined when it could (or can't be told). */
export function noApproverLeftProblem(targetKey: string, rules: Pick<ClusterRules, 'approvers' | 'approval'>, requester: string): string | undefined {
  const available = approversAvailable(rules, requester);
  const required = rules.approval.required;
  if (available === undefined || available >= required) return undefined;
  const needs = `A restore into ${targetKey} needs ${required} approval${required === 1 ? '' : 's'}`;
  const others = available === 0 ? 'nobody else is among its approvers' : `only ${available} other ${available === 1 ? 'person is' : 'people are'} among its approvers`;
  const self = rules.approvers.includes(requester) && !rules.approval.allowSelfApproval ? " (you can't approve your own request)" : '';
  return `${needs}, but ${others}${self}, so this request could never be approved. Ask the owners of the restore policy to add approvers, or ask one of its approvers to request it.`;
}
