// Rules that look across the policy once its fields are valid: drills name known clusters and a scratch target,
// a collection-level drill has a dedicated source, and a Flex or serverless cluster can't require a safety snapshot.
// A cluster whose `type` is left to detection can't be checked here; the runtime refuses it later, with a reason.
import { clusterKey, findCluster, rulesFor } from './policy.js';
import type { Policy } from './policy-schema.js';

function safetySnapshotProblems(policy: Policy): string[] {
  const problems: string[] = [];
  policy.projects.forEach((project, i) => {
    project.clusters.forEach((cluster, j) => {
      if (cluster.type !== 'flex' && cluster.type !== 'serverless') return;
      const ref = { project: project.name, groupId: project.id, cluster: cluster.name, type: cluster.type };
      if (rulesFor(policy, ref).safetySnapshot.mode !== 'required') return;
      const why = `a ${cluster.type} cluster can't have a safety snapshot (Atlas takes on-demand snapshots of dedicated clusters only)`;
      if (cluster.safetySnapshot?.mode === 'required') {
        problems.push(`projects[${i}].clusters[${j}].safetySnapshot.mode: ${why}; use offered or off`);
        return;
      }
      const from = project.safetySnapshot?.mode === 'required' ? `projects[${i}].safetySnapshot` : 'the top-level safetySnapshot';
      problems.push(`projects[${i}].clusters[${j}] (${clusterKey(ref)}): safetySnapshot.mode required comes from ${from}, but ${why}; set safetySnapshot.mode: off (or offered) on this cluster`);
    });
  });
  return problems;
}

function drillProblems(policy: Policy): string[] {
  const problems: string[] = [];
  policy.drills.forEach((drill, i) => {
    const label = `drills[${i}] (${drill.name})`;
    const source = findCluster(policy, drill.source);
    const target = findCluster(policy, drill.target);
    if (!source.ok) problems.push(`${label}: source ${drill.source}: ${source.message}`);
    if (!target.ok) problems.push(`${label}: target ${drill.target}: ${target.message}`);
    if (target.ok) {
      const project = policy.projects.find((p) => p.id === target.cluster.groupId);
      const cluster = project?.clusters.find((c) => c.name === target.cluster.cluster);
      if (cluster?.scratch !== true) {
        problems.push(`${label}: target ${clusterKey(target.cluster)} is not scratch (a drill replaces its target's data without an approval: mark the cluster scratch: true, or pick a scratch target)`);
      }
    }
    if (source.ok && drill.only !== undefined && source.cluster.type !== undefined && source.cluster.type !== 'dedicated') {
      problems.push(`${label}: only restores single databases or collections, which needs a dedicated source, but ${clusterKey(source.cluster)} is ${source.cluster.type}`);
    }
  });
  return problems;
}

/** Every cross-reference problem of a policy whose fields are valid; empty when there is none. */
export function referenceProblems(policy: Policy): string[] {
  return [...safetySnapshotProblems(policy), ...drillProblems(policy)];
}

/** `drills[0].schedule: …` → `drills[0] (orders-weekly).schedule: …`, so a drill's problems name the drill (DESIGN §6). */
export function nameDrills(problems: readonly string[], data: unknown): string[] {
  const drills = typeof data === 'object' && data !== null ? (data as Record<string, unknown>)['drills'] : undefined;
  return problems.map((problem) =>
    problem.replace(/^drills\[(\d+)\]/, (prefix, index: string) => {
      const drill = Array.isArray(drills) ? (drills[Number(index)] as unknown) : undefined;
      const name = typeof drill === 'object' && drill !== null ? (drill as Record<string, unknown>)['name'] : undefined;
      return typeof name === 'string' && name !== '' ? `${prefix} (${name})` : prefix;
    }),
  );
}
