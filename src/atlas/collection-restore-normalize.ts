// Atlas's collection restore answers (ApiAtlasCollectionRestoreJobResponse, ApiAtlasCollectionRestoreCollectionStateResponse,
// version 2025-03-12) → our CollectionRestoreJob and CollectionRestoreNamespaceResult. Unknown fields pass through;
// a missing field we rely on is ATLAS_UNEXPECTED_RESPONSE naming it; a job state we don't know is 'unknown'.
import { z } from 'zod';
import { parseAtlasBody } from './normalize-responses.js';
import type { RestoreJobState } from './types.js';
import { ownEntry } from './own-entry.js';

export type CollectionWriteStrategy = 'CREATE_NEW' | 'OVERWRITE_EXISTING';
export type CollectionIndexStrategy = 'ALL' | 'NONE' | 'ALL_EXCEPT_TTL';
/** Atlas's job states, as it spells them. */
export type CollectionRestoreAtlasState = 'INITIALIZING' | 'IN_PROGRESS' | 'FINALIZING' | 'SUCCESSFUL' | 'CANCELED' | 'FAILED';

export interface RestoreNamespace {
  /** `db` or `db.collection`. */
  sourceNamespace: string;
  /** Where to write it; Atlas uses the source namespace when absent. */
  targetNamespace?: string | undefined;
}

export interface CollectionRestoreJob {
  id: string;
  /**
   * Our vocabulary: INITIALIZING → pending; IN_PROGRESS, FINALIZING → running; SUCCESSFUL → completed; CANCELED →
   * cancelled; FAILED → failed; any other → unknown (never terminal: see RestoreJobState).
   */
  state: RestoreJobState;
  /** Atlas's own word, e.g. to say "finalizing"; a state the spec doesn't list is kept as Atlas spelled it. */
  atlasState: CollectionRestoreAtlasState | (string & {});
  /** Documents restored so far, across all supported collections. */
  restoredDocuments?: number | undefined;
  /** May start as an estimate and change during the restore (the spec says so). */
  totalDocuments?: number | undefined;
  /** Atlas's words when the job failed or was cancelled. */
  errorMessage?: string | undefined;
  snapshotId?: string | undefined;
  pointInTimeUtcSeconds?: number | undefined;
  targetGroupId?: string | undefined;
  targetClusterName?: string | undefined;
  writeStrategy?: CollectionWriteStrategy | undefined;
  indexStrategy?: CollectionIndexStrategy | undefined;
  collections: RestoreNamespace[];
  databases: RestoreNamespace[];
  collectionSuffix?: string | undefined;
  databaseSuffix?: string | undefined;
  /** Overall index build state (NOT_STARTED | IN_PROGRESS | SUCCESSFUL | FAILED | NOT_RESTORED). */
  indexState?: string | undefined;
  failedIndexCollections?: number | undefined;
  createdAt?: string | undefined;
  finishedAt?: string | undefined;
  raw: unknown;
}

/** What became of one namespace, in words a thread message can use. */
export type NamespaceOutcome = 'pending' | 'running' | 'restored' | 'indexes_failed' | 'failed' | 'not_found' | 'not_restored' | 'unsupported' | 'unknown';

export interface CollectionRestoreNamespaceResult {
  sourceNamespace: string;
  targetNamespace?: string | undefined;
  /** Where the data was actually written (CREATE_NEW may rename on conflict). */
  effectiveTargetNamespace?: string | undefined;
  /** Atlas's state: NOT_STARTED | IN_PROGRESS | FINALIZING | NOT_FOUND | UNSUPPORTED | SUCCESSFUL | ROLLBACK | NOT_RESTORED | FAILED | INDEX_BUILD_FAILED. */
  atlasState?: string | undefined;
  outcome: NamespaceOutcome;
  restoredDocuments?: number | undefined;
  totalDocuments?: number | undefined;
  indexState?: string | undefined;
  /**
   * The spec documents no per-namespace error text, only the index status's `errorMessage`; a top-level
   * `errorMessage` is taken too in case Atlas sends one.
   */
  errorMessage?: string | undefined;
  raw: unknown;
}

// Atlas sends explicit nulls elsewhere (desiredTimestamp, parameters): a null optional field reads as absent rather
// than failing every poll of a job that is restoring.
const optionalString = z.string().nullish().transform((v) => v ?? undefined);
const count = z.number().int().nonnegative().nullish().transform((v) => v ?? undefined);
/** A strategy we don't know (a newer Atlas) is shown as unknown, not a reason to stop following the job. */
const oneOf = <T extends string>(values: readonly T[]) => optionalString.transform((v) => (values as readonly string[]).includes(v ?? '') ? (v as T) : undefined);
const NamespaceViewSchema = z.looseObject({ sourceNamespace: z.string(), targetNamespace: optionalString });

const ATLAS_STATES = ['INITIALIZING', 'IN_PROGRESS', 'FINALIZING', 'SUCCESSFUL', 'CANCELED', 'FAILED'] as const;
const JOB_STATE: Record<CollectionRestoreAtlasState, RestoreJobState> = {
  INITIALIZING: 'pending',
  IN_PROGRESS: 'running',
  FINALIZING: 'running',
  SUCCESSFUL: 'completed',
  CANCELED: 'cancelled',
  FAILED: 'failed',
};

const JobSchema = z.looseObject({
  id: z.string(),
  state: z.string(),
  restoredDocuments: count,
  totalDocuments: count,
  errorMessage: optionalString,
  snapshotId: optionalString,
  pointInTimeUtcSeconds: z.number().int().nullish().transform((v) => v ?? undefined),
  targetGroupId: optionalString,
  targetClusterName: optionalString,
  writeStrategy: oneOf(['CREATE_NEW', 'OVERWRITE_EXISTING'] as const),
  indexStrategy: oneOf(['ALL', 'NONE', 'ALL_EXCEPT_TTL'] as const),
  collections: z.array(NamespaceViewSchema).nullish().transform((v) => v ?? undefined),
  databases: z.array(NamespaceViewSchema).nullish().transform((v) => v ?? undefined),
  collectionSuffix: optionalString,
  databaseSuffix: optionalString,
  indexStatus: z.looseObject({ state: optionalString, failedCollectionCount: count }).nullish().transform((v) => v ?? undefined),
  createdAt: optionalString,
  finishedAt: optionalString,
});

const NamespaceStateSchema = z.looseObject({
  sourceNamespace: z.string(),
  targetNamespace: optionalString,
  effectiveTargetNamespace: optionalString,
  state: optionalString,
  restoredDocuments: count,
  totalDocuments: count,
  errorMessage: optionalString,
  indexStatus: z.looseObject({ state: optionalString, errorMessage: optionalString }).nullish().transform((v) => v ?? undefined),
});

const namespaces = (list: z.infer<typeof NamespaceViewSchema>[] | undefined): RestoreNamespace[] =>
  (list ?? []).map((n) => (n.targetNamespace ? { sourceNamespace: n.sourceNamespace, targetNamespace: n.targetNamespace } : { sourceNamespace: n.sourceNamespace }));

export function toCollectionRestoreJob(raw: unknown, request: string): CollectionRestoreJob {
  const j = parseAtlasBody(JobSchema, raw, request, 'collection restore job');
  // A state outside the spec's six is 'unknown', not an error: in a list, one such job must not hide the others (a job
  // created by a lost POST could not be adopted, and no restore from the source could be submitted); for the job the
  // bot follows, Atlas did answer, so it is followed on (never terminal) rather than reported as unreachable.
  const known = (ATLAS_STATES as readonly string[]).includes(j.state);
  const atlasState = j.state as CollectionRestoreAtlasState;
  return {
    id: j.id,
    state: known ? JOB_STATE[atlasState] : 'unknown',
    atlasState: j.state,
    restoredDocuments: j.restoredDocuments,
    totalDocuments: j.totalDocuments,
    errorMessage: j.errorMessage || undefined,
    snapshotId: j.snapshotId,
    pointInTimeUtcSeconds: j.pointInTimeUtcSeconds,
    targetGroupId: j.targetGroupId,
    targetClusterName: j.targetClusterName,
    writeStrategy: j.writeStrategy,
    indexStrategy: j.indexStrategy,
    collections: namespaces(j.collections),
    databases: namespaces(j.databases),
    collectionSuffix: j.collectionSuffix || undefined,
    databaseSuffix: j.databaseSuffix || undefined,
    indexState: j.indexStatus?.state,
    failedIndexCollections: j.indexStatus?.failedCollectionCount,
    createdAt: j.createdAt,
    finishedAt: j.finishedAt,
    raw,
  };
}

const OUTCOME: Record<string, NamespaceOutcome> = {
  NOT_STARTED: 'pending',
  IN_PROGRESS: 'running',
  FINALIZING: 'running',
  SUCCESSFUL: 'restored',
  INDEX_BUILD_FAILED: 'indexes_failed',
  FAILED: 'failed',
  ROLLBACK: 'failed',
  NOT_FOUND: 'not_found',
  // A kind of collection Atlas's collection restore leaves out: a failure only where it was asked for by name.
  UNSUPPORTED: 'unsupported',
  NOT_RESTORED: 'not_restored',
};

/** Lenient about the state (an unknown one becomes `unknown`): these results are reported, not acted on. */
export function toNamespaceResult(raw: unknown, request: string): CollectionRestoreNamespaceResult {
  const n = parseAtlasBody(NamespaceStateSchema, raw, request, 'collection restore namespace');
  return {
    sourceNamespace: n.sourceNamespace,
    targetNamespace: n.targetNamespace,
    effectiveTargetNamespace: n.effectiveTargetNamespace,
    atlasState: n.state,
    outcome: n.state === undefined ? 'unknown' : (ownEntry(OUTCOME, n.state) ?? 'unknown'),
    restoredDocuments: n.restoredDocuments,
    totalDocuments: n.totalDocuments,
    indexState: n.indexStatus?.state,
    errorMessage: n.errorMessage || n.indexStatus?.errorMessage || undefined,
    raw,
  };
}
