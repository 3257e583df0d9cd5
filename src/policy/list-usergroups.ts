// Every Slack user group (S…) the policy names, anywhere: requesters and approvers at the top, per project and per cluster.
import { isSlackGroupId } from './names.js';
import type { Policy } from './policy-schema.js';

export function listUsergroups(policy: Policy): string[] {
  const lists = [policy.requesters, policy.approvers];
  for (const project of policy.projects) {
    lists.push(project.requesters ?? [], project.approvers ?? []);
    for (const cluster of project.clusters) lists.push(cluster.requesters ?? [], cluster.approvers ?? []);
  }
  return [...new Set(lists.flat().filter(isSlackGroupId))].sort();
}
