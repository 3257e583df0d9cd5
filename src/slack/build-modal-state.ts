// Builds the restore modal's state from the policy (which clusters this user may use) and Atlas (the snapshots).
import { clusterKey, listClusters, mayRequest } from '../policy/policy.js';
import { findUsableCluster } from './find-usable-cluster.js';
import type { ClusterRef } from '../restore/types.js';
import type { Services } from './services.js';
import { DEFAULT_CHOICES } from './views/modal-choices.js';
import type { ModalChoices, ModalMeta, RestoreModalState, SafetyFacts, SnapshotSection, SourceFacts } from './views/restore-modal.js';

export interface AllowedClusters {
  clusters: ClusterRef[];
  /** Why the user may use none, when that is the case (e.g. group lookup failed: try again). */
  refusal?: string | undefined;
}

/** Clusters this user may request restores of (as source and as target: the policy uses one requester list). */
export async function allowedClusters(services: Services, userId: string): Promise<AllowedClusters> {
  const all = listClusters(services.policy);
  const decisions = await Promise.all(all.map((c) => mayRequest(services.policy, services.resolver, userId, c, c)));
  const clusters = all.filter((_, i) => decisions[i]!.allowed);
  const unavailable = decisions.find((d) => !d.allowed && d.code === 'POLICY_MEMBERSHIP_UNAVAILABLE');
  const refusal = clusters.length > 0 ? undefined : unavailable && !unavailable.allowed ? unavailable.message : undefined;
  return { clusters, refusal };
}

export interface Prefill {
  source?: string | undefined;
  snapshotId?: string | undefined;
  /** `at <time>` (Unix seconds). */
  pointInTime?: number | undefined;
  /** `only <ns>,…`, valid by the grammar. */
  namespaces?: string[] | undefined;
  target?: string | undefined;
}

/** The modal's choices from the command: `only …` restores those namespaces (beside the live data), `at …` that time. */
export function prefilledChoices(prefill: Prefill): ModalChoices {
  return {
    ...DEFAULT_CHOICES,
    ...(prefill.namespaces ? { what: 'namespaces' as const, namespacesText: prefill.namespaces.join('\n') } : {}),
    ...(prefill.pointInTime !== undefined ? { from: 'pointInTime' as const, pointInTime: prefill.pointInTime } : {}),
  };
}

/** Resolves the command's arguments against what the user may use; anything dropped is explained in `notice`. */
export function applyPrefill(services: Services, clusters: readonly ClusterRef[], prefill: Prefill) {
  const notices: string[] = [];
  const pick = (text: string | undefined, role: string): string | undefined => {
    if (!text) return undefined;
    const found = findUsableCluster(services.policy, text, clusters);
    if (!found.ok) {
      notices.push(found.message);
      return undefined;
    }
    const key = clusterKey(found.cluster);
    if (!clusters.some((c) => clusterKey(c) === key)) {
      notices.push(`You may not use \`${key}\` as ${role}, so it was not pre-selected.`);
      return undefined;
    }
    return key;
  };
  const sourceKey = pick(prefill.source, 'a source');
  const targetKey = pick(prefill.target, 'a target');
  return { sourceKey, targetKey, notice: notices.length > 0 ? notices.join(' ') : undefined };
}

export interface ModalInputs {
  meta: ModalMeta;
  timeZone: string;
  clusters: ClusterRef[];
  sourceKey?: string | undefined;
  targetKey?: string | undefined;
  snapshotId?: string | undefined;
  notice?: string | undefined;
  choices?: ModalChoices | undefined;
}

/** The source as loaded (loading-modal-sources.ts) and the target's safety snapshot facts. */
export interface LoadedFacts {
  snapshots: SnapshotSection;
  facts: SourceFacts;
  safety?: SafetyFacts | undefined;
  nowSeconds: number;
  /** Cluster names in more than one project of the policy (lower case): the typed confirmation needs the project. */
  sharedClusterNames?: readonly string[] | undefined;
}

export function modalState(inputs: ModalInputs, loaded: LoadedFacts): RestoreModalState {
  const sourceKey = inputs.sourceKey ?? (inputs.clusters[0] ? clusterKey(inputs.clusters[0]) : undefined);
  return {
    meta: inputs.meta,
    timeZone: inputs.timeZone,
    sources: inputs.clusters,
    targets: inputs.clusters,
    selectedSourceKey: sourceKey,
    snapshots: loaded.snapshots,
    selectedSnapshotId: inputs.snapshotId,
    selectedTargetKey: inputs.targetKey ?? sourceKey,
    notice: inputs.notice,
    sourceFacts: loaded.facts,
    choices: inputs.choices,
    nowSeconds: loaded.nowSeconds,
    safety: loaded.safety,
    sharedClusterNames: loaded.sharedClusterNames,
  };
}

export function clusterByKey(clusters: readonly ClusterRef[], key: string | undefined): ClusterRef | undefined {
  return key === undefined ? undefined : clusters.find((c) => clusterKey(c) === key);
}
