// Every Slack user group (S…) the policy names, anywhere, with where: requesters and approvers at the top, per project
// and per cluster (the paths a policy error would name).
import { isSlackGroupId } from './names.js';
import type { Policy } from './policy-schema.js';

/** Group id → the places that name it, e.g. `projects[0].clusters[1].requesters`; ids sorted. */
export function listUsergroups(policy: Policy): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const note = (ids: readonly string[] | undefined, path: string) => {
    for (const id of ids ?? []) if (isSlackGroupId(id)) found.set(id, [...(found.get(id) ?? []), path]);
  };
  note(policy.requesters, 'requesters');
  note(policy.approvers, 'approvers');
  policy.projects.forEach((project, p) => {
    note(project.requesters, `projects[${p}].requesters`);
    note(project.approvers, `projects[${p}].approvers`);
    project.clusters.forEach((cluster, c) => {
      note(cluster.requesters, `projects[${p}].clusters[${c}].requesters`);
      note(cluster.approvers, `projects[${p}].clusters[${c}].approvers`);
    });
  });
  return new Map([...found].sort(([a], [b]) => a.localeCompare(b)));
}
