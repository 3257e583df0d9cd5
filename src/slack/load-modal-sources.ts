// What the restore modal needs from Atlas about its source and target: the snapshots, what the
// source supports (type, continuous cloud backup, restore window) and the target's type for its safety snapshot.
// Loaded when the modal fills and when the source changes; kept per view in Redis for rebuilds and the submit check.
import { isAtlasApiError } from '../atlas/errors.js';
import type { ClusterType } from '../atlas/types.js';
import { clusterKey, rulesFor } from '../policy/policy.js';
import type { ClusterRef } from '../restore/types.js';
import type { Services } from './services.js';
import { createModalFactsCache, createModalSnapshotCache } from './modal-snapshot-cache.js';
import { targetBackupWithin } from './target-backup-within.js';
import { withDeadline } from './with-deadline.js';
import type { SafetyFacts, SnapshotSection, SourceFacts } from './views/restore-modal.js';

export interface SourceSection {
  snapshots: SnapshotSection;
  facts: SourceFacts;
}

export const LOADING_SOURCE: SourceSection = { snapshots: { status: 'loading' }, facts: { status: 'loading' } };
const EMPTY_SOURCE: SourceSection = { snapshots: { status: 'loaded', snapshots: [] }, facts: { status: 'loading' } };

function hintOf(err: unknown, fallback: string): string {
  return isAtlasApiError(err) ? err.hint : fallback;
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

/**
 * Type (the policy's, else detected), then for a dedicated cluster its description (`pitEnabled`) and, with
 * continuous cloud backup, the backup schedule (`restoreWindowDays`). Calls go by the policy's type only.
 */
export async function loadSourceFacts(services: Services, source: ClusterRef): Promise<SourceFacts> {
  const where = { groupId: source.groupId, clusterName: source.cluster, type: source.type };
  try {
    const detected = source.type ?? (await services.atlas.detectClusterType(where));
    if (detected !== 'dedicated') return { status: 'loaded', type: detected, pitEnabled: false };
    const description = await services.atlas.describeCluster(where);
    if (description.type !== 'dedicated' || !description.pitEnabled) return { status: 'loaded', type: description.type, pitEnabled: false };
    try {
      const schedule = await services.atlas.getBackupSchedule(where);
      return { status: 'loaded', type: 'dedicated', pitEnabled: true, restoreWindowDays: schedule.restoreWindowDays };
    } catch (err) {
      services.logger.warn({ err, source: clusterKey(source) }, 'could not read the backup schedule');
      return { status: 'loaded', type: 'dedicated', pitEnabled: true, windowProblem: hintOf(err, 'Atlas could not be asked') };
    }
  } catch (err) {
    services.logger.warn({ err, source: clusterKey(source) }, 'could not describe the source cluster');
    return { status: 'error', message: hintOf(err, 'Atlas could not be asked; try again in a minute.') };
  }
}

/** Loads snapshots and facts from Atlas (together) and remembers both for this view. */
export async function loadSourceSection(services: Services, viewId: string, source: ClusterRef | undefined): Promise<SourceSection> {
  if (!source) return EMPTY_SOURCE;
  const [snapshots, facts] = await Promise.all([loadSnapshotSection(services, viewId, source), loadSourceFacts(services, source)]);
  if (facts.status === 'loaded') await createModalFactsCache(services.redis, services.prefix).remember(viewId, clusterKey(source), facts);
  return { snapshots, facts };
}

/** What this view already loaded for the source, else Atlas: a rebuild after a choice usually calls nobody. */
export async function cachedSourceSection(services: Services, viewId: string, source: ClusterRef | undefined): Promise<SourceSection> {
  if (!source) return EMPTY_SOURCE;
  const key = clusterKey(source);
  const [snapshots, facts] = await Promise.all([
    createModalSnapshotCache(services.redis, services.prefix).list(viewId, key),
    createModalFactsCache(services.redis, services.prefix).lookup(viewId, key),
  ]);
  if (snapshots && facts) return { snapshots: { status: 'loaded', snapshots }, facts };
  return loadSourceSection(services, viewId, source);
}

/** The source's facts for the submit check: the view's cache, else Atlas within `budgetMs` (undefined: no answer). */
export async function sourceFactsWithin(services: Services, viewId: string, source: ClusterRef, budgetMs: number): Promise<SourceFacts | undefined> {
  const cached = await createModalFactsCache(services.redis, services.prefix).lookup(viewId, clusterKey(source));
  return cached ?? (await withDeadline(loadSourceFacts(services, source), budgetMs));
}

/**
 * The target's type: the policy's, the source's when it is the same cluster, else detection (remembered by the client)
 * within `budgetMs`. Undefined when unknown: the restore's own job checks again before the safety snapshot.
 */
export async function targetTypeWithin(services: Services, target: ClusterRef, source: { ref?: ClusterRef | undefined; facts?: SourceFacts | undefined }, budgetMs: number): Promise<ClusterType | undefined> {
  if (target.type) return target.type;
  if (source.ref && clusterKey(source.ref) === clusterKey(target) && source.facts?.status === 'loaded') return source.facts.type;
  const detect = services.atlas.detectClusterType({ groupId: target.groupId, clusterName: target.cluster }).catch(() => undefined);
  return withDeadline(detect, budgetMs);
}

/** What the modal shows about the target's safety snapshot. */
export async function targetSafetyFacts(services: Services, target: ClusterRef | undefined, source: { ref?: ClusterRef | undefined; facts?: SourceFacts | undefined }, budgetMs: number): Promise<SafetyFacts | undefined> {
  if (!target) return undefined;
  const rules = rulesFor(services.policy, target).safetySnapshot;
  // Only when the policy asks for a snapshot: `off` costs no Atlas call. Then its type, and whether its backup is on
  // (a dedicated cluster without it can't take one), asked at once within the same budget.
  if (rules.mode === 'off') return { rules, targetKey: clusterKey(target), targetType: target.type };
  const mayBeDedicated = target.type === undefined || target.type === 'dedicated';
  const [targetType, backupEnabled] = await Promise.all([
    targetTypeWithin(services, target, source, budgetMs),
    mayBeDedicated ? targetBackupWithin(services, target, budgetMs) : Promise.resolve(undefined),
  ]);
  return { rules, targetKey: clusterKey(target), targetType, ...(backupEnabled === undefined ? {} : { backupEnabled }) };
}
