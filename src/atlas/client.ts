// The AtlasClient: one interface over the serverless (v1.0), Flex and dedicated backup APIs.
import type { Logger } from 'pino';
import { createAtlasTransport, type AtlasAuth, type AtlasTransport, type TransportOptions, type TransportStats } from './atlas-transport.js';
import { createBackupScheduleCalls } from './backup-schedule.js';
import { listPages, logUnknownJobStates, type AtlasCallContext } from './call-context.js';
import { createCollectionRestoreCalls } from './collection-restore.js';
import { createDescribeClusterCalls } from './describe-cluster.js';
import { createOnDemandSnapshotCalls } from './on-demand-snapshot.js';
import { createPointInTimeCalls, createPointInTimeRestoreJob } from './point-in-time.js';
import { CLUSTER_ENDPOINTS, requireIdentifier, type ClusterEndpoint } from './cluster-endpoints.js';
import { createClusterTypeDetector } from './detect-cluster-type.js';
import { AtlasApiError, WRONG_CLUSTER_TYPE_CODES } from './errors.js';
import { PageSchema, newestFirst, parseAtlasBody, toRestoreJob, toSnapshot, type Page } from './normalize-responses.js';
import { readCreatedResource } from './read-created-resource.js';
import { resolveRetryPolicy, type RetryPolicy } from './retry-policy.js';
import type { AtlasClient, ClusterLocation, ClusterType, CreateRestoreJobInput, RestoreJob, Snapshot } from './types.js';

export type { AtlasAuth } from './atlas-transport.js';

export interface AtlasClientOptions {
  baseUrl: string;
  auth: AtlasAuth;
  /** Per HTTP request. Default 15000. */
  timeoutMs?: number;
  /** Any field left out takes its default (see DEFAULT_RETRY_POLICY). */
  retryPolicy?: Partial<RetryPolicy>;
  logger?: Logger;
  userAgent?: string;
  /** itemsPerPage for lists; default (and Atlas maximum) 500. */
  pageSize?: number;
  /** Clock for token expiry; tests only. */
  now?: () => number;
  /** Called once per HTTP request to the API, e.g. to count calls by endpoint and status. */
  onResponse?: TransportOptions['onResponse'];
}

export type AtlasClientStats = TransportStats;

export interface InstrumentedAtlasClient extends AtlasClient {
  /** Counters since creation; `httpRequests / calls` is the round trips per call. */
  stats(): AtlasClientStats;
}

const MAX_PAGES = 1000;

export function createAtlasClient(opts: AtlasClientOptions): InstrumentedAtlasClient {
  validateOptions(opts);
  const pageSize = opts.pageSize ?? 500;
  const transport: AtlasTransport = createAtlasTransport({
    baseUrl: opts.baseUrl,
    auth: opts.auth,
    timeoutMs: opts.timeoutMs ?? 15_000,
    retryPolicy: resolveRetryPolicy(opts.retryPolicy),
    userAgent: opts.userAgent ?? 'atlas-restore/0.1.0',
    logger: opts.logger,
    now: opts.now ?? Date.now,
    onResponse: opts.onResponse,
  });

  const detector = createClusterTypeDetector(async (type, groupId, clusterName) => {
    const endpoint = CLUSTER_ENDPOINTS[type];
    await transport.send({
      method: 'GET',
      path: `${endpoint.backupPath(groupId, clusterName)}/snapshots`,
      query: { pageNum: 1, itemsPerPage: 1 },
      mediaType: endpoint.mediaType,
    });
  });

  async function resolveType(cluster: ClusterLocation): Promise<ClusterType> {
    requireIdentifier('groupId', cluster.groupId);
    requireIdentifier('clusterName', cluster.clusterName);
    return cluster.type ?? detector.detect(cluster.groupId, cluster.clusterName);
  }

  /**
   * Runs `call` with the cluster's endpoint. When the type was detected (the policy gives none) and Atlas answers
   * "wrong API for this cluster", the cluster changed type (a Flex cluster upgraded to dedicated): detect again and
   * run the call once more. Safe for the create POST too: a wrong-type 400 created nothing.
   */
  async function withEndpoint<T>(cluster: ClusterLocation, call: (endpoint: ClusterEndpoint, backupPath: string) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const type = await resolveType(cluster);
      const endpoint = CLUSTER_ENDPOINTS[type];
      try {
        return await call(endpoint, endpoint.backupPath(cluster.groupId, cluster.clusterName));
      } catch (error) {
        const wrongType = error instanceof AtlasApiError && WRONG_CLUSTER_TYPE_CODES.has(error.errorCode);
        if (cluster.type !== undefined || !wrongType) throw error;
        detector.forget(cluster.groupId, cluster.clusterName);
        if (attempt >= 2) throw error;
        opts.logger?.info({ cluster: cluster.clusterName, was: type }, 'Atlas says the cluster changed type: detecting it again');
      }
    }
  }

  const ctx: AtlasCallContext = { send: (request) => transport.send(request), withEndpoint, pageSize, logger: opts.logger };

  async function listAll(path: string, mediaType: string): Promise<{ items: unknown[]; request: string }> {
    return { items: await listPages(ctx, path, mediaType, { includeCount: true, maxPages: MAX_PAGES }), request: `GET ${path}` };
  }

  return {
    detectClusterType: (cluster) => resolveType(cluster),

    listSnapshots: (cluster) =>
      withEndpoint(cluster, async (endpoint, backup) => {
        const { items, request } = await listAll(`${backup}/snapshots`, endpoint.mediaType);
        return newestFirst(items.map((raw) => toSnapshot(endpoint.type, raw, request)));
      }),

    getSnapshot: (cluster, snapshotId): Promise<Snapshot> =>
      withEndpoint(cluster, async (endpoint, backup) => {
        const path = `${backup}/snapshots/${encodeURIComponent(requireIdentifier('snapshotId', snapshotId))}`;
        const response = await transport.send({ method: 'GET', path, mediaType: endpoint.mediaType });
        return toSnapshot(endpoint.type, response.body, `GET ${path}`);
      }),

    createRestoreJob: (input: CreateRestoreJobInput): Promise<RestoreJob> =>
      // A point in time has no snapshot and its own body (point-in-time.ts); everything else as before.
      input.pointInTimeUtcSeconds !== undefined ? createPointInTimeRestoreJob(ctx, input) :
      withEndpoint(input.source, async (endpoint, backup) => {
        const target = {
          groupId: requireIdentifier('target groupId', input.target.groupId),
          clusterName: requireIdentifier('target clusterName', input.target.clusterName),
        };
        const path = `${backup}/restoreJobs`;
        const response = await transport.send({
          method: 'POST',
          path,
          mediaType: endpoint.mediaType,
          body: endpoint.createBody(requireIdentifier('snapshotId', input.snapshotId), target),
          createsResource: true,
        });
        return readCreatedResource(() => toRestoreJob(endpoint.type, response.body, `POST ${path}`), 'restore job', `POST ${path}`);
      }),

    getRestoreJob: (cluster, jobId) =>
      withEndpoint(cluster, async (endpoint, backup) => {
        const path = `${backup}/restoreJobs/${encodeURIComponent(requireIdentifier('restore job id', jobId))}`;
        const response = await transport.send({ method: 'GET', path, mediaType: endpoint.mediaType });
        // A status we can't read is 'unknown': Atlas answered, so the job is followed on (never terminal), not
        // reported as unreachable, and the log says what Atlas called it.
        const job = toRestoreJob(endpoint.type, response.body, `GET ${path}`);
        logUnknownJobStates(opts.logger, `GET ${path}`, [job]);
        return job;
      }),

    listRecentRestoreJobs: (cluster) =>
      withEndpoint(cluster, async (endpoint, backup) => {
        const path = `${backup}/restoreJobs`;
        const request = `GET ${path}`;
        const response = await transport.send({ method: 'GET', path, mediaType: endpoint.mediaType, query: { pageNum: 1, itemsPerPage: pageSize, includeCount: true } });
        const page: Page = parseAtlasBody(PageSchema, response.body, request, 'page 1');
        // A job whose status we can't read stays in the list as 'unknown' (never finished): the jobs listed before the
        // POST must all be there, or one of them could later be adopted as ours.
        const jobs = page.results.map((raw) => toRestoreJob(endpoint.type, raw, request));
        logUnknownJobStates(opts.logger, request, jobs);
        const hasNext = page.links?.some((link) => link.rel === 'next') ?? false;
        const complete = !hasNext && (page.totalCount === undefined || jobs.length >= page.totalCount);
        return { jobs, totalCount: page.totalCount, complete };
      }),

    listRestoreJobs: (cluster) =>
      withEndpoint(cluster, async (endpoint, backup) => {
        const { items, request } = await listAll(`${backup}/restoreJobs`, endpoint.mediaType);
        // Kept as 'unknown' too: after a lost POST, the job we created may be the one with the status we can't read.
        const jobs = items.map((raw) => toRestoreJob(endpoint.type, raw, request));
        logUnknownJobStates(opts.logger, request, jobs);
        return jobs;
      }),

    ...createCollectionRestoreCalls(ctx),
    ...createBackupScheduleCalls(ctx),
    ...createPointInTimeCalls(ctx),
    ...createOnDemandSnapshotCalls(ctx),
    ...createDescribeClusterCalls(ctx),

    stats: () => transport.stats(),
  };
}

function validateOptions(opts: AtlasClientOptions): void {
  const problems: string[] = [];
  try {
    const url = new URL(opts.baseUrl);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') problems.push(`baseUrl must be http(s), got ${url.protocol}`);
  } catch {
    problems.push(`baseUrl is not a URL: ${JSON.stringify(opts.baseUrl)}`);
  }
  if (opts.auth.kind === 'digest') {
    if (!opts.auth.publicKey) problems.push('auth.publicKey is empty');
    if (!opts.auth.privateKey) problems.push('auth.privateKey is empty');
  } else if (opts.auth.kind === 'serviceAccount') {
    if (!opts.auth.clientId) problems.push('auth.clientId is empty');
    if (!opts.auth.clientSecret) problems.push('auth.clientSecret is empty');
  } else {
    problems.push(`auth.kind must be 'digest' or 'serviceAccount'`);
  }
  if (opts.timeoutMs !== undefined && !(opts.timeoutMs > 0)) problems.push(`timeoutMs must be > 0, got ${opts.timeoutMs}`);
  if (opts.pageSize !== undefined && !(Number.isInteger(opts.pageSize) && opts.pageSize >= 1 && opts.pageSize <= 500)) {
    problems.push(`pageSize must be an integer in 1..500, got ${opts.pageSize}`);
  }
  if (problems.length > 0) throw new Error(`Invalid Atlas client options: ${problems.join('; ')}`);
}
