// The policy's drills with their clusters resolved, as the restore side runs them. The policy was validated at load
// (known clusters, scratch targets), so a drill that doesn't resolve can't happen; it is skipped rather than trusted.
import type { DrillDefinition } from '../restore/drill-definition.js';
import { findCluster } from './policy.js';
import type { Policy } from './policy-schema.js';

export function drillsOf(policy: Policy): DrillDefinition[] {
  return policy.drills.flatMap((drill) => {
    const source = findCluster(policy, drill.source);
    const target = findCluster(policy, drill.target);
    if (!source.ok || !target.ok || !isScratch(policy, target.cluster)) return [];
    return [{ name: drill.name, source: source.cluster, target: target.cluster, schedule: drill.schedule, timeZone: drill.timeZone, channel: drill.channel, only: drill.only }];
  });
}

/** Only scratch clusters may be replaced without an approval. */
export function isScratch(policy: Policy, ref: { groupId: string; cluster: string }): boolean {
  const project = policy.projects.find((p) => p.id.toLowerCase() === ref.groupId.toLowerCase());
  return project?.clusters.find((c) => c.name.toLowerCase() === ref.cluster.toLowerCase())?.scratch === true;
}
