// What the calls beyond snapshots and restore jobs (collection restores, point in time, on-demand snapshots,
// cluster descriptions) need from the client: its transport and its cluster-type resolution. Kept apart from
// client.ts so each capability lives in its own file.
import type { Logger } from 'pino';
import type { AtlasTransport } from './atlas-transport.js';
import { CLUSTER_ENDPOINTS, requireIdentifier, type ClusterEndpoint } from './cluster-endpoints.js';
import { AtlasApiError } from './errors.js';
import { PageSchema, parseAtlasBody } from './normalize-responses.js';
import type { ClusterLocation, ClusterType } from './types.js';

export interface AtlasCallContext {
  send: AtlasTransport['send'];
  /** Runs `call` with the cluster's endpoint (detecting the type once when unknown; a wrong-type answer forgets it). */
  withEndpoint<T>(cluster: ClusterLocation, call: (endpoint: ClusterEndpoint, backupPath: string) => Promise<T>): Promise<T>;
  /** itemsPerPage for lists. */
  pageSize: number;
  logger?: Logger | undefined;
}

/**
 * Says in the log which jobs of an answer have a state we can't read (state 'unknown'), with Atlas's own word: the
 * bot goes on (a list stays whole, the job it follows is followed on), and an operator can see why a restore seems
 * to run forever. One line per answer, however many such jobs it holds.
 */
export function logUnknownJobStates(
  logger: Logger | undefined,
  request: string,
  jobs: readonly { id: string; state: string; atlasStatus?: string | undefined; atlasState?: string | undefined }[],
): void {
  const unknown = jobs.filter((job) => job.state === 'unknown');
  if (unknown.length === 0) return;
  const states = unknown.slice(0, 10).map((job) => ({ id: job.id, atlasSays: job.atlasStatus ?? job.atlasState }));
  logger?.warn({ request, count: unknown.length, jobs: states }, 'Atlas answered with restore job states this bot does not know: treated as not finished');
}

/** `/api/atlas/v2/groups/{groupId}/clusters/{name}`: the dedicated cluster itself (description, collection restores). */
export function dedicatedClusterPath(groupId: string, clusterName: string): string {
  return `/api/atlas/v2/groups/${encodeURIComponent(groupId)}/clusters/${encodeURIComponent(clusterName)}`;
}

const TYPE_WORDS: Record<ClusterType, string> = { flex: 'Flex clusters', serverless: 'serverless instances', dedicated: 'dedicated clusters' };

/** Thrown before any request when a capability exists only for dedicated clusters. */
export function notSupportedForType(type: ClusterType, capability: string, hint: string): AtlasApiError {
  return new AtlasApiError({
    errorCode: 'ATLAS_NOT_SUPPORTED_FOR_TYPE',
    detail: `${capability} is not available for ${TYPE_WORDS[type]}; only dedicated clusters have it`,
    hint,
    transient: false,
  });
}

/** Resolves the type like every other call, then refuses anything but a dedicated cluster without asking Atlas. */
export function withDedicated<T>(
  ctx: AtlasCallContext,
  cluster: ClusterLocation,
  capability: { what: string; hint: string },
  call: (clusterPath: string, backupPath: string) => Promise<T>,
): Promise<T> {
  return ctx.withEndpoint(cluster, async (endpoint, backupPath) => {
    if (endpoint.type !== 'dedicated') throw notSupportedForType(endpoint.type, capability.what, capability.hint);
    return call(dedicatedClusterPath(cluster.groupId, cluster.clusterName), backupPath);
  });
}

export const DEDICATED_MEDIA_TYPE = CLUSTER_ENDPOINTS.dedicated.mediaType;

export function invalidArgument(detail: string, hint: string): AtlasApiError {
  return new AtlasApiError({ errorCode: 'ATLAS_INVALID_ARGUMENT', detail, hint, transient: false });
}

/** The target of a restore, checked before it reaches a URL or a body. */
export function requireTarget(target: { groupId: string; clusterName: string }): { groupId: string; clusterName: string } {
  return {
    groupId: requireIdentifier('target groupId', target.groupId),
    clusterName: requireIdentifier('target clusterName', target.clusterName),
  };
}

/** Atlas's own lower bound for point-in-time seconds (2008-01-01, `minimum` in the spec). */
const EARLIEST_PIT_SECONDS = 1_199_145_600;

export function requirePointInTime(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < EARLIEST_PIT_SECONDS) {
    throw invalidArgument(
      `pointInTimeUtcSeconds must be whole Unix seconds from ${EARLIEST_PIT_SECONDS} on, got ${JSON.stringify(value)}`,
      'The point in time is malformed: give it as an ISO 8601 time with a zone or as Unix seconds.',
    );
  }
  return value;
}

/**
 * The transport's outcome-unknown error speaks of restore jobs; a create of another resource gets its own sentence,
 * so nobody is told to look for the wrong thing.
 */
export function rewordOutcomeUnknown(error: unknown, resource: string, hint: string): unknown {
  if (!(error instanceof AtlasApiError) || error.errorCode !== 'ATLAS_CREATE_OUTCOME_UNKNOWN') return error;
  return new AtlasApiError({
    status: error.status,
    errorCode: error.errorCode,
    detail: (error.detail ?? '').replace('the restore job may or may not exist', `the ${resource} may or may not exist`),
    hint,
    transient: true,
    request: error.request,
    cause: error.cause ?? error,
  });
}

/** Every page of a paginated list. `includeCount` only where the operation documents it. */
export async function listPages(
  ctx: AtlasCallContext,
  path: string,
  mediaType: string,
  opts: { includeCount?: boolean; maxPages?: number; query?: Record<string, number | string> } = {},
): Promise<unknown[]> {
  const request = `GET ${path}`;
  const items: unknown[] = [];
  const seen = new Set<string>();
  for (let pageNum = 1; pageNum <= (opts.maxPages ?? 1000); pageNum++) {
    const query: Record<string, number | string | boolean> = { ...opts.query, pageNum, itemsPerPage: ctx.pageSize };
    if (opts.includeCount) query.includeCount = true;
    const response = await ctx.send({ method: 'GET', path, mediaType, query });
    const page = parseAtlasBody(PageSchema, response.body, request, `page ${pageNum}`);
    // A list that changes while it is read (a newest-first list gains an item) repeats one at a page boundary:
    // keep each id once. A page with nothing new means the pages don't advance (pageNum ignored on the way):
    // following `next` would spend a thousand requests of the rate limit on the same page.
    let added = 0;
    for (const item of page.results) {
      const id = itemId(item);
      if (id !== undefined && seen.has(id)) continue;
      if (id !== undefined) seen.add(id);
      items.push(item);
      added++;
    }
    const hasNext = page.links?.some((link) => link.rel === 'next') ?? false;
    const moreCounted = page.totalCount !== undefined && items.length < page.totalCount;
    if (page.results.length === 0 || (!hasNext && !moreCounted)) break;
    if (added === 0) {
      ctx.logger?.warn({ request, pageNum, items: items.length, totalCount: page.totalCount }, 'Atlas answered a page of a list with nothing new: stopped reading it there');
      break;
    }
  }
  return items;
}

function itemId(item: unknown): string | undefined {
  const id = typeof item === 'object' && item !== null ? (item as { id?: unknown }).id : undefined;
  return typeof id === 'string' && id !== '' ? id : undefined;
}
