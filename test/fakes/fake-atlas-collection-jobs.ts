// Collection restore jobs of the fake Atlas: what each requested namespace becomes on the target, how documents are
// restored step by step, and the JSON Atlas serves (ApiAtlasCollectionRestoreJobResponse, …CollectionStateResponse).
//
// The rename rule is the fake's own invention (Atlas documents only "e.g. after conflict rename"): with CREATE_NEW, a
// target collection that already exists becomes `<collection>_restored`, then `_restored_2`, `_restored_3`, …;
// OVERWRITE_EXISTING keeps the name. Suffixes (collectionSuffix, databaseSuffix) apply before the rename.
import { isoSeconds, objectId } from './fake-atlas-data.js';
import type { FakeBackupState } from './fake-atlas-backup-state.js';

export type CollectionJobState = 'INITIALIZING' | 'IN_PROGRESS' | 'FINALIZING' | 'SUCCESSFUL' | 'CANCELED' | 'FAILED';
export type CollectionJobTarget = 'IN_PROGRESS' | 'FINALIZING' | 'SUCCESSFUL' | 'FAILED' | 'CANCELED';

export interface NamespacePlan {
  source: string;
  /** Requested target (after suffixes), as Atlas echoes it in `targetNamespace`. */
  target: string;
  /** Where it is written; undefined when the source namespace does not exist. */
  effective?: string | undefined;
  total: number;
  restored: number;
  state: string;
  indexErrorMessage?: string | undefined;
}

export interface NamespaceRequest { sourceNamespace: string; targetNamespace?: string | undefined }

export interface CollectionJobRecord {
  id: string;
  sourceGroupId: string;
  sourceName: string;
  targetGroupId: string;
  targetName: string;
  createdAt: string;
  finishedAt?: string;
  seq: number;
  /** 0 INITIALIZING, 1–3 IN_PROGRESS (25, 50, 75 % of the documents), 4 FINALIZING (100 %), 5 SUCCESSFUL. */
  step: number;
  state: CollectionJobState;
  getsInState: number;
  snapshotId?: string | undefined;
  pointInTimeUtcSeconds?: number | undefined;
  writeStrategy: 'CREATE_NEW' | 'OVERWRITE_EXISTING';
  indexStrategy: 'ALL' | 'NONE' | 'ALL_EXCEPT_TTL';
  /** The job's two lists; either may be empty, not both. */
  collections: NamespaceRequest[];
  databases: NamespaceRequest[];
  collectionSuffix: string;
  databaseSuffix: string;
  plans: NamespacePlan[];
  errorMessage?: string | undefined;
  /** Served over what renderCollectionJob renders (FakeAtlas.answerJobWith). */
  answeredWith?: Record<string, unknown> | undefined;
}

const TERMINAL: readonly CollectionJobState[] = ['SUCCESSFUL', 'CANCELED', 'FAILED'];
const STEP_STATE: CollectionJobState[] = ['INITIALIZING', 'IN_PROGRESS', 'IN_PROGRESS', 'IN_PROGRESS', 'FINALIZING', 'SUCCESSFUL'];
const TARGET_STEP: Record<'IN_PROGRESS' | 'FINALIZING' | 'SUCCESSFUL', number> = { IN_PROGRESS: 1, FINALIZING: 4, SUCCESSFUL: 5 };

function split(ns: string): { db: string; coll: string } {
  const dot = ns.indexOf('.');
  return { db: ns.slice(0, dot), coll: ns.slice(dot + 1) };
}

/** The first free name on the target for CREATE_NEW: `<coll>_restored`, `<coll>_restored_2`, … */
function freeName(wanted: string, taken: (ns: string) => boolean): string {
  if (!taken(wanted)) return wanted;
  for (let n = 1; ; n++) {
    const candidate = `${wanted}_restored${n === 1 ? '' : `_${n}`}`;
    if (!taken(candidate)) return candidate;
  }
}

export interface NewCollectionJob {
  source: { groupId: string; name: string };
  target: { groupId: string; name: string };
  snapshotId?: string | undefined;
  pointInTimeUtcSeconds?: number | undefined;
  writeStrategy: CollectionJobRecord['writeStrategy'];
  indexStrategy: CollectionJobRecord['indexStrategy'];
  collections: NamespaceRequest[];
  databases: NamespaceRequest[];
  collectionSuffix: string;
  databaseSuffix: string;
}

export function createCollectionJob(state: FakeBackupState, job: NewCollectionJob): CollectionJobRecord {
  const sourceNs = state.infoOf(job.source).namespaces;
  const targetNs = state.infoOf(job.target).namespaces;
  const claimed = new Set<string>();
  const taken = (ns: string) => claimed.has(ns) || (job.writeStrategy === 'CREATE_NEW' && targetNs.has(ns));
  const plans: NamespacePlan[] = [];
  const plan = (source: string, targetDb: string, targetColl: string) => {
    const target = `${targetDb}${job.databaseSuffix}.${targetColl}${job.collectionSuffix}`;
    const total = sourceNs.get(source);
    if (total === undefined) {
      plans.push({ source, target, total: 0, restored: 0, state: 'NOT_FOUND' });
      return;
    }
    const effective = freeName(target, taken);
    claimed.add(effective);
    plans.push({ source, target, effective, total, restored: 0, state: 'NOT_STARTED' });
  };
  // Databases first, then collections: each collection of a database is a namespace of its own in the results.
  for (const r of job.databases) {
    const inDb = [...sourceNs.keys()].filter((ns) => split(ns).db === r.sourceNamespace);
    if (inDb.length === 0) plans.push({ source: r.sourceNamespace, target: `${r.targetNamespace || r.sourceNamespace}${job.databaseSuffix}`, total: 0, restored: 0, state: 'NOT_FOUND' });
    for (const ns of inDb) plan(ns, r.targetNamespace || r.sourceNamespace, split(ns).coll);
  }
  for (const r of job.collections) {
    const to = split(r.targetNamespace || r.sourceNamespace);
    plan(r.sourceNamespace, to.db, to.coll);
  }
  const createdMs = state.now();
  const record: CollectionJobRecord = {
    ...job,
    id: objectId(createdMs),
    sourceGroupId: job.source.groupId,
    sourceName: job.source.name,
    targetGroupId: job.target.groupId,
    targetName: job.target.name,
    createdAt: isoSeconds(createdMs),
    seq: state.collectionJobs.size,
    step: 0,
    state: 'INITIALIZING',
    getsInState: 0,
    plans,
  };
  state.collectionJobs.set(record.id, record);
  return record;
}

export function isCollectionJobActive(job: CollectionJobRecord): boolean {
  return !TERMINAL.includes(job.state);
}

/**
 * Restores `fraction` of all documents, filling the namespaces in order: the first one not yet complete is
 * IN_PROGRESS, the complete ones FINALIZING (indexes), the rest NOT_STARTED.
 */
function restoreDocuments(job: CollectionJobRecord, fraction: number): void {
  const found = job.plans.filter((p) => p.effective !== undefined);
  let budget = Math.floor(found.reduce((sum, p) => sum + p.total, 0) * fraction);
  let current = true;
  for (const p of found) {
    p.restored = Math.min(p.total, budget);
    budget -= p.restored;
    if (p.state === 'FAILED' || p.state === 'INDEX_BUILD_FAILED') continue;
    if (fraction <= 0) p.state = 'NOT_STARTED';
    else if (p.restored === p.total) p.state = 'FINALIZING';
    else if (current) {
      p.state = 'IN_PROGRESS';
      current = false;
    } else p.state = 'NOT_STARTED';
  }
}

const FINAL_NAMESPACE_STATES = ['SUCCESSFUL', 'FAILED', 'INDEX_BUILD_FAILED', 'NOT_FOUND', 'NOT_RESTORED'];

function finish(state: FakeBackupState, job: CollectionJobRecord, to: CollectionJobState, errorMessage?: string): void {
  job.state = to;
  job.finishedAt = isoSeconds(state.now());
  if (errorMessage !== undefined) job.errorMessage = errorMessage;
  for (const p of job.plans) {
    if (FINAL_NAMESPACE_STATES.includes(p.state)) continue;
    p.state = to === 'SUCCESSFUL' ? 'SUCCESSFUL' : to === 'FAILED' ? 'FAILED' : 'NOT_RESTORED';
  }
  if (to !== 'SUCCESSFUL') return;
  // What was written now exists on the target: the next CREATE_NEW of it gets renamed.
  const targetNs = state.infoOf({ groupId: job.targetGroupId, name: job.targetName }).namespaces;
  for (const p of job.plans) {
    if (p.effective !== undefined && (p.state === 'SUCCESSFUL' || p.state === 'INDEX_BUILD_FAILED')) targetNs.set(p.effective, p.restored);
  }
}

function goToStep(state: FakeBackupState, job: CollectionJobRecord, step: number): void {
  job.step = step;
  job.getsInState = 0;
  const next = STEP_STATE[step]!;
  restoreDocuments(job, Math.min(1, step / 4));
  if (next === 'SUCCESSFUL') finish(state, job, 'SUCCESSFUL');
  else job.state = next;
}

/** Called on each GET of the job: after `stepsPerState` GETs it moves one step on. */
export function observeCollectionJob(state: FakeBackupState, job: CollectionJobRecord): void {
  if (state.stepsPerState <= 0 || !isCollectionJobActive(job)) return;
  job.getsInState += 1;
  if (job.getsInState >= state.stepsPerState) goToStep(state, job, job.step + 1);
}

export interface AdvanceCollectionJobOptions {
  /** The job's errorMessage (FAILED, CANCELED). */
  errorMessage?: string;
  /** These source namespaces end FAILED. */
  failedNamespaces?: string[];
  /** These source namespaces end INDEX_BUILD_FAILED, with this indexStatus.errorMessage. */
  indexBuildFailures?: Record<string, string>;
}

export function advanceCollectionJob(state: FakeBackupState, job: CollectionJobRecord, to: CollectionJobTarget, opts: AdvanceCollectionJobOptions = {}): void {
  if (!isCollectionJobActive(job)) throw new Error(`FAKE_ATLAS_BAD_TRANSITION: collection restore job ${job.id} is already ${job.state}`);
  for (const p of job.plans) {
    if (opts.failedNamespaces?.includes(p.source)) p.state = 'FAILED';
    const indexError = opts.indexBuildFailures?.[p.source];
    if (indexError !== undefined) {
      p.state = 'INDEX_BUILD_FAILED';
      p.indexErrorMessage = indexError;
    }
  }
  if (to === 'FAILED' || to === 'CANCELED') {
    finish(state, job, to, opts.errorMessage ?? (to === 'FAILED' ? 'The collection restore failed.' : 'The collection restore was canceled.'));
    return;
  }
  goToStep(state, job, TARGET_STEP[to]);
}

/** ApiAtlasCollectionRestoreJobResponse. */
export function renderCollectionJob(job: CollectionJobRecord): Record<string, unknown> {
  const found = job.plans.filter((p) => p.effective !== undefined);
  const indexFailures = job.plans.filter((p) => p.state === 'INDEX_BUILD_FAILED').length;
  const out: Record<string, unknown> = {
    collectionSuffix: job.collectionSuffix,
    collections: job.collections.map((r) => ({ sourceNamespace: r.sourceNamespace, targetNamespace: r.targetNamespace || r.sourceNamespace })),
    createdAt: job.createdAt,
    databaseSuffix: job.databaseSuffix,
    databases: job.databases.map((r) => ({ sourceNamespace: r.sourceNamespace, targetNamespace: r.targetNamespace || r.sourceNamespace })),
    id: job.id,
    indexStatus: { failedCollectionCount: indexFailures, state: indexState(job, indexFailures) },
    indexStrategy: job.indexStrategy,
    restoredDocuments: found.reduce((sum, p) => sum + p.restored, 0),
    state: job.state,
    targetClusterName: job.targetName,
    targetGroupId: job.targetGroupId,
    totalDocuments: found.reduce((sum, p) => sum + p.total, 0),
    writeStrategy: job.writeStrategy,
  };
  if (job.snapshotId !== undefined) out['snapshotId'] = job.snapshotId;
  if (job.pointInTimeUtcSeconds !== undefined) out['pointInTimeUtcSeconds'] = job.pointInTimeUtcSeconds;
  if (job.errorMessage !== undefined) out['errorMessage'] = job.errorMessage;
  if (job.finishedAt !== undefined) out['finishedAt'] = job.finishedAt;
  return { ...out, ...job.answeredWith };
}

function indexState(job: CollectionJobRecord, failures: number): string {
  if (job.indexStrategy === 'NONE') return 'NOT_RESTORED';
  if (failures > 0) return 'FAILED';
  if (job.state === 'SUCCESSFUL') return 'SUCCESSFUL';
  return job.step >= 1 && isCollectionJobActive(job) ? 'IN_PROGRESS' : 'NOT_STARTED';
}

/** ApiAtlasCollectionRestoreCollectionStateResponse per namespace; none while INITIALIZING (as the spec says). */
export function renderNamespaceStates(job: CollectionJobRecord): Record<string, unknown>[] {
  if (job.state === 'INITIALIZING') return [];
  return job.plans.map((p) => {
    const out: Record<string, unknown> = {
      indexStatus: { state: p.state === 'INDEX_BUILD_FAILED' ? 'FAILED' : job.indexStrategy === 'NONE' ? 'NOT_RESTORED' : p.state === 'SUCCESSFUL' ? 'SUCCESSFUL' : 'NOT_STARTED' },
      restoredDocuments: p.restored,
      sourceNamespace: p.source,
      state: p.state,
      targetNamespace: p.target,
      totalDocuments: p.total,
    };
    if (p.indexErrorMessage !== undefined) (out['indexStatus'] as Record<string, unknown>)['errorMessage'] = p.indexErrorMessage;
    if (p.effective !== undefined) out['effectiveTargetNamespace'] = p.effective;
    return out;
  });
}
