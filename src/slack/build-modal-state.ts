// Builds the restore modal's state from the policy (which clusters this user may use) and Atlas (the snapshots).
import { isAtlasApiError } from '../atlas/errors.js';
import { clusterKey, findCluster, listClusters, mayRequest } from '../policy/policy.js';
import type { ClusterRef } from '../restore/types.js';
import type { Services } from './services.js';
import { createModalSnapshotCache } from './modal-snapshot-cache.js';
import type { ModalMeta, RestoreModalState, SnapshotSection } from './views/restore-modal.js';

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
  target?: string | undefined;
}

/** Resolves the command's arguments against what the user may use; anything dropped is explained in `notice`. */
export function applyPrefill(services: Services, clusters: readonly ClusterRef[], prefill: Prefill) {
  const notices: string[] = [];
  const pick = (text: string | undefined, role: string): string | undefined => {
    if (!text) return undefined;
    const found = findCluster(services.policy, text);
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

/** Lists the source's snapshots (newest first) and remembers them for the submit check. */
export async function loadSnapshotSection(services: Services, viewId: string, source: ClusterRef | undefined): Promise<SnapshotSection> {
  if (!source) return { status: 'loaded', snapshots: [] };
  try {
    const snapshots = await services.atlas.listSnapshots({ groupId: source.groupId, clusterName: source.cluster, type: source.type });
    await createModalSnapshotCache(services.redis, services.prefix).remember(viewId, clusterKey(source), snapshots);
    return { status: 'loaded', snapshots };
  } catch (err) {
    services.logger.warn({ err, source: clusterKey(source) }, 'could not list snapshots');
    const message = isAtlasApiError(err) ? `${err.hint}` : 'Atlas could not be asked for snapshots; try again in a minute.';
    return { status: 'error', message };
  }
}

export interface ModalInputs {
  meta: ModalMeta;
  timeZone: string;
  clusters: ClusterRef[];
  sourceKey?: string | undefined;
  targetKey?: string | undefined;
  snapshotId?: string | undefined;
  notice?: string | undefined;
}

export function modalState(inputs: ModalInputs, snapshots: SnapshotSection): RestoreModalState {
  const sourceKey = inputs.sourceKey ?? (inputs.clusters[0] ? clusterKey(inputs.clusters[0]) : undefined);
  return {
    meta: inputs.meta,
    timeZone: inputs.timeZone,
    sources: inputs.clusters,
    targets: inputs.clusters,
    selectedSourceKey: sourceKey,
    snapshots,
    selectedSnapshotId: inputs.snapshotId,
    selectedTargetKey: inputs.targetKey ?? sourceKey,
    notice: inputs.notice,
  };
}

export function clusterByKey(clusters: readonly ClusterRef[], key: string | undefined): ClusterRef | undefined {
  return key === undefined ? undefined : clusters.find((c) => clusterKey(c) === key);
}
