// Collection-level restore jobs of dedicated clusters (version 2025-03-12): restore some databases or collections of a
// snapshot or point in time beside (CREATE_NEW) or over (OVERWRITE_EXISTING) the live ones. Atlas has no cancel for them.
import { namespaceProblems, MAX_NAMESPACES } from '../policy/parse-namespaces.js';
import {
  invalidArgument,
  listPages,
  logUnknownJobStates,
  requirePointInTime,
  requireTarget,
  rewordOutcomeUnknown,
  withDedicated,
  type AtlasCallContext,
} from './call-context.js';
import { requireIdentifier } from './cluster-endpoints.js';
import { readCreatedResource } from './read-created-resource.js';
import {
  toCollectionRestoreJob,
  toNamespaceResult,
  type CollectionIndexStrategy,
  type CollectionRestoreJob,
  type CollectionRestoreNamespaceResult,
  type CollectionWriteStrategy,
  type RestoreNamespace,
} from './collection-restore-normalize.js';
import type { ClusterLocation } from './types.js';

export type {
  CollectionIndexStrategy,
  CollectionRestoreAtlasState,
  CollectionRestoreJob,
  CollectionRestoreNamespaceResult,
  CollectionWriteStrategy,
  NamespaceOutcome,
  RestoreNamespace,
} from './collection-restore-normalize.js';

export const COLLECTION_RESTORE_MEDIA_TYPE = 'application/vnd.atlas.2025-03-12+json';

/**
 * Exactly one of snapshotId / pointInTimeUtcSeconds; collections, databases or both (ApiAtlasCollectionRestoreJobRequest
 * has the two lists, each optional and of at most 100, and no rule that only one be given).
 */
export type CreateCollectionRestoreJobInput = {
  source: ClusterLocation;
  target: { groupId: string; clusterName: string };
  writeStrategy: CollectionWriteStrategy;
  indexStrategy: CollectionIndexStrategy;
  /** Appended to every restored collection's name (Atlas's own option). */
  collectionSuffix?: string | undefined;
  /** Appended to every restored database's name (Atlas's own option). */
  databaseSuffix?: string | undefined;
} & ({ snapshotId: string; pointInTimeUtcSeconds?: undefined } | { pointInTimeUtcSeconds: number; snapshotId?: undefined }) &
  ({ collections: RestoreNamespace[]; databases?: RestoreNamespace[] | undefined } | { databases: RestoreNamespace[]; collections?: RestoreNamespace[] | undefined });

const DEDICATED_ONLY = {
  what: 'A collection-level restore',
  hint: 'Only dedicated clusters can restore single databases or collections: restore the whole cluster instead.',
};
const BAD_REQUEST_HINT = 'The collection restore request is malformed: check the namespaces and options of the request.';
const WRITE_STRATEGIES: readonly string[] = ['CREATE_NEW', 'OVERWRITE_EXISTING'];
const INDEX_STRATEGIES: readonly string[] = ['ALL', 'NONE', 'ALL_EXCEPT_TTL'];

/** Every problem of the namespace list at once; the kind (database or collection) must match the list. */
function namespaceListProblems(kind: 'collections' | 'databases', list: unknown): string[] {
  if (!Array.isArray(list) || list.length === 0) return [`${kind} must be a non-empty list`];
  const problems: string[] = [];
  if (list.length > MAX_NAMESPACES) problems.push(`${kind} has ${list.length} entries; Atlas takes at most ${MAX_NAMESPACES}`);
  const seen = new Set<string>();
  list.forEach((entry: unknown, i) => {
    const item = (typeof entry === 'object' && entry !== null ? entry : {}) as Record<string, unknown>;
    for (const field of ['sourceNamespace', 'targetNamespace'] as const) {
      const value = item[field];
      if (value === undefined && field === 'targetNamespace') continue;
      if (typeof value !== 'string' || value === '') {
        problems.push(`${kind}[${i}].${field} must be a namespace, got ${JSON.stringify(value)}`);
        continue;
      }
      problems.push(...namespaceProblems(value).map((p) => `${kind}[${i}].${field}: ${p}`));
      const isCollection = value.includes('.');
      if (kind === 'collections' && !isCollection) problems.push(`${kind}[${i}].${field}: ${value} is a database; collections need db.collection`);
      if (kind === 'databases' && isCollection) problems.push(`${kind}[${i}].${field}: ${value} is a collection; databases are named without a dot`);
    }
    const source = item.sourceNamespace;
    if (typeof source === 'string') {
      if (seen.has(source)) problems.push(`${kind}[${i}].sourceNamespace: ${source} is listed twice`);
      seen.add(source);
    }
  });
  return problems;
}

/**
 * A collection whose database is listed too would be restored twice in one job (what Atlas makes of that is not
 * documented): the namespace grammar refuses it, and so does the client for a caller that didn't use it.
 */
function overlapProblems(collections: unknown, databases: unknown): string[] {
  if (!Array.isArray(collections) || !Array.isArray(databases)) return [];
  const sourceOf = (entry: unknown) => (typeof entry === 'object' && entry !== null ? (entry as Record<string, unknown>).sourceNamespace : undefined);
  const listed = new Set(databases.map(sourceOf).filter((v): v is string => typeof v === 'string'));
  return collections.flatMap((entry: unknown, i) => {
    const source = sourceOf(entry);
    const dot = typeof source === 'string' ? source.indexOf('.') : -1;
    const db = typeof source === 'string' && dot > 0 ? source.slice(0, dot) : undefined;
    return db !== undefined && listed.has(db) ? [`collections[${i}].sourceNamespace: ${String(source)} is already part of database ${db}, which databases lists too`] : [];
  });
}

function validate(input: CreateCollectionRestoreJobInput): void {
  const problems: string[] = [];
  const hasSnapshot = input.snapshotId !== undefined;
  const hasTime = input.pointInTimeUtcSeconds !== undefined;
  if (hasSnapshot === hasTime) problems.push('give exactly one of snapshotId and pointInTimeUtcSeconds');
  const hasCollections = input.collections !== undefined;
  const hasDatabases = input.databases !== undefined;
  if (!hasCollections && !hasDatabases) problems.push('give collections, databases or both');
  if (hasCollections) problems.push(...namespaceListProblems('collections', input.collections));
  if (hasDatabases) problems.push(...namespaceListProblems('databases', input.databases));
  if (hasCollections && hasDatabases) problems.push(...overlapProblems(input.collections, input.databases));
  if (!WRITE_STRATEGIES.includes(input.writeStrategy)) problems.push(`writeStrategy must be CREATE_NEW or OVERWRITE_EXISTING, got ${JSON.stringify(input.writeStrategy)}`);
  if (!INDEX_STRATEGIES.includes(input.indexStrategy)) problems.push(`indexStrategy must be ALL, NONE or ALL_EXCEPT_TTL, got ${JSON.stringify(input.indexStrategy)}`);
  if (input.collectionSuffix !== undefined && (typeof input.collectionSuffix !== 'string' || input.collectionSuffix.includes('$'))) {
    problems.push('collectionSuffix must be text without "$"');
  }
  if (input.databaseSuffix !== undefined && (typeof input.databaseSuffix !== 'string' || namespaceProblems(`db${input.databaseSuffix}`).length > 0)) {
    problems.push('databaseSuffix must be text that is allowed in a database name');
  }
  if (problems.length > 0) throw invalidArgument(problems.join('; '), BAD_REQUEST_HINT);
}

function createBody(input: CreateCollectionRestoreJobInput): Record<string, unknown> {
  const target = requireTarget(input.target);
  const body: Record<string, unknown> =
    input.snapshotId !== undefined
      ? { snapshotId: requireIdentifier('snapshotId', input.snapshotId) }
      : { pointInTimeUtcSeconds: requirePointInTime(input.pointInTimeUtcSeconds) };
  body.targetClusterName = target.clusterName;
  body.targetGroupId = target.groupId;
  body.writeStrategy = input.writeStrategy;
  body.indexStrategy = input.indexStrategy;
  const entries = (list: readonly RestoreNamespace[]) =>
    list.map((n) => (n.targetNamespace === undefined ? { sourceNamespace: n.sourceNamespace } : { sourceNamespace: n.sourceNamespace, targetNamespace: n.targetNamespace }));
  if (input.collections !== undefined) body.collections = entries(input.collections);
  if (input.databases !== undefined) body.databases = entries(input.databases);
  if (input.collectionSuffix !== undefined) body.collectionSuffix = input.collectionSuffix;
  if (input.databaseSuffix !== undefined) body.databaseSuffix = input.databaseSuffix;
  return body;
}

export interface CollectionRestoreCalls {
  /** POST …/clusters/{name}/collectionRestoreJobs (201). Never retried; an unclear failure is ATLAS_CREATE_OUTCOME_UNKNOWN. */
  createCollectionRestoreJob(input: CreateCollectionRestoreJobInput): Promise<CollectionRestoreJob>;
  getCollectionRestoreJob(cluster: ClusterLocation, jobId: string): Promise<CollectionRestoreJob>;
  /** Every page, in Atlas's order. */
  listCollectionRestoreJobs(cluster: ClusterLocation): Promise<CollectionRestoreJob[]>;
  /** Per-namespace results; empty while the job is INITIALIZING (the spec says so). */
  listCollectionRestoreJobNamespaces(cluster: ClusterLocation, jobId: string): Promise<CollectionRestoreNamespaceResult[]>;
}

export function createCollectionRestoreCalls(ctx: AtlasCallContext): CollectionRestoreCalls {
  const media = COLLECTION_RESTORE_MEDIA_TYPE;
  const jobPath = (clusterPath: string, jobId: string) => `${clusterPath}/collectionRestoreJobs/${encodeURIComponent(requireIdentifier('collection restore job id', jobId))}`;
  return {
    createCollectionRestoreJob: async (input) => {
      // Checked before the type is resolved: a malformed request costs no request at all, not even a detection.
      validate(input);
      const body = createBody(input);
      return withDedicated(ctx, input.source, DEDICATED_ONLY, async (clusterPath) => {
        const path = `${clusterPath}/collectionRestoreJobs`;
        try {
          const response = await ctx.send({ method: 'POST', path, mediaType: media, body, createsResource: true });
          return readCreatedResource(() => toCollectionRestoreJob(response.body, `POST ${path}`), 'collection restore job', `POST ${path}`);
        } catch (error) {
          throw rewordOutcomeUnknown(
            error,
            'collection restore job',
            'Atlas did not confirm the collection restore job: check the collection restore jobs of the source cluster before submitting again.',
          );
        }
      });
    },

    getCollectionRestoreJob: (cluster, jobId) =>
      withDedicated(ctx, cluster, DEDICATED_ONLY, async (clusterPath) => {
        const path = jobPath(clusterPath, jobId);
        const response = await ctx.send({ method: 'GET', path, mediaType: media });
        const job = toCollectionRestoreJob(response.body, `GET ${path}`);
        logUnknownJobStates(ctx.logger, `GET ${path}`, [job]);
        return job;
      }),

    listCollectionRestoreJobs: (cluster) =>
      withDedicated(ctx, cluster, DEDICATED_ONLY, async (clusterPath) => {
        const path = `${clusterPath}/collectionRestoreJobs`;
        // The operation documents pageNum and itemsPerPage but no includeCount.
        const items = await listPages(ctx, path, media);
        // A job in a state we don't know is kept ('unknown', never finished): adoption after a lost POST still sees it.
        const jobs = items.map((raw) => toCollectionRestoreJob(raw, `GET ${path}`));
        logUnknownJobStates(ctx.logger, `GET ${path}`, jobs);
        return jobs;
      }),

    listCollectionRestoreJobNamespaces: (cluster, jobId) =>
      withDedicated(ctx, cluster, DEDICATED_ONLY, async (clusterPath) => {
        const path = `${jobPath(clusterPath, jobId)}/collections`;
        const items = await listPages(ctx, path, media);
        return items.map((raw) => toNamespaceResult(raw, `GET ${path}`));
      }),
  };
}
