// Backup snapshot and restore-job endpoints of the Atlas Administration API (v1.0 serverless, v2 serverless,
// flex and dedicated), with Atlas's media-type, wrong-type and validation errors. Where Atlas differs from its spec,
// the fake does what Atlas does: see the REALITY keys cited below (fake-atlas-reality.ts).
import type { IncomingHttpHeaders } from 'node:http';
import type { ClusterType } from '../../src/atlas/types.js';
import type { ClusterRecord, FakeAtlasStore, JobRecord } from './fake-atlas-data.js';
import { FakeAtlasHttpError } from './fake-atlas-errors.js';
import type { FieldViolation } from './fake-atlas-errors.js';
import { renderJob, renderSnapshot } from './fake-atlas-shapes.js';
import { handleBackupExtensions } from './fake-atlas-extensions.js';
import { backupStateOf } from './fake-atlas-backup-state.js';

export const MEDIA_V1 = 'application/json';
export const MEDIA_2023 = 'application/vnd.atlas.2023-01-01+json';
export const MEDIA_2024 = 'application/vnd.atlas.2024-11-13+json';
const HEX24 = /^[a-f0-9]{24}$/;
const PATH_RE = /^\/api\/atlas\/(v1\.0|v2)\/groups\/([^/]+)\/(serverless|flexClusters|clusters)\/([^/]+)\/backup\/(snapshots|restoreJobs)(?:\/([^/]+))?$/;

const API_TYPE: Record<string, ClusterType> = { serverless: 'serverless', flexClusters: 'flex', clusters: 'dedicated' };

export interface ApiRequest {
  method: string;
  pathname: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  rawBody: string;
  baseUrl: string;
}
export interface ApiAnswer { status: number; body?: unknown; contentType: string }

export interface Route { v1: boolean; groupId: string; api: ClusterType; segment: string; name: string; resource: 'snapshots' | 'restoreJobs'; id?: string; media: string }

function parseRoute(pathname: string): Route | undefined {
  const m = PATH_RE.exec(pathname);
  if (!m) return undefined;
  const v1 = m[1] === 'v1.0';
  const api = API_TYPE[m[3]!]!;
  if (v1 && api !== 'serverless') return undefined; // the fake serves v1.0 only for the serverless seed endpoint
  const media = v1 ? MEDIA_V1 : api === 'flex' ? MEDIA_2024 : MEDIA_2023;
  const route: Route = { v1, groupId: m[2]!, api, segment: m[3]!, name: decodeURIComponent(m[4]!), resource: m[5] as Route['resource'], media };
  if (m[6] !== undefined) route.id = decodeURIComponent(m[6]);
  return route;
}

export function mediaTypes(header: string | undefined): string[] {
  return (header ?? '').split(',').map((t) => t.split(';')[0]!.trim().toLowerCase()).filter(Boolean);
}

function checkMediaTypes(req: ApiRequest, route: Route): void {
  const accepted = mediaTypes(req.headers.accept);
  const acceptOk = route.v1
    ? accepted.length === 0 || accepted.some((t) => t === MEDIA_V1 || t === '*/*' || t === 'application/*')
    : accepted.includes(route.media);
  if (!acceptOk) {
    throw new FakeAtlasHttpError(406, 'INVALID_VERSION_DATE', `Invalid accept header or version date. This resource needs Accept: ${route.media}; got ${req.headers.accept ?? '(none)'}.`);
  }
  if (req.method === 'POST' && mediaTypes(req.headers['content-type'])[0] !== route.media) {
    throw new FakeAtlasHttpError(415, 'UNSUPPORTED_MEDIA_TYPE', `Content-Type must be ${route.media}; got ${req.headers['content-type'] ?? '(none)'}.`);
  }
}

/** Finds the cluster the path names and answers Atlas's wrong-type errors when the API does not fit it. */
export function resolveCluster(store: FakeAtlasStore, route: Route): ClusterRecord {
  // REALITY.unknownProject: a project that does not exist is GROUP_NOT_FOUND, before any cluster is looked for.
  if (!store.hasGroup(route.groupId)) throw new FakeAtlasHttpError(404, 'GROUP_NOT_FOUND', `No group with ID ${route.groupId} exists.`, undefined, [route.groupId]);
  const c = store.findCluster(route.groupId, route.name);
  const where = `${route.name} in group ${route.groupId}`;
  // Details and string parameters as recorded (REALITY.parametersAreStrings), e.g. ["cluster-209"].
  const named = [route.name];
  const namedIn = [route.name, route.groupId];
  if (route.api === 'dedicated') {
    if (!c) throw new FakeAtlasHttpError(404, 'CLUSTER_NOT_FOUND', `No cluster named ${where} exists.`, undefined, namedIn);
    if (c.type === 'flex') throw new FakeAtlasHttpError(400, 'CANNOT_USE_FLEX_CLUSTER_IN_CLUSTER_API', `Flex cluster ${route.name} cannot be used in the Cluster API.`, undefined, named);
    if (c.type === 'serverless') throw new FakeAtlasHttpError(400, 'CANNOT_USE_SERVERLESS_INSTANCE_IN_CLUSTER_API', `${where} is a serverless instance; use the serverless instance API.`, undefined, named);
  } else if (route.api === 'flex') {
    // As recorded (ApiAtlasFlexClusterResource): the Flex API says CLUSTER_NOT_FOUND too.
    if (!c) throw new FakeAtlasHttpError(404, 'CLUSTER_NOT_FOUND', `No cluster named ${where} exists.`, undefined, namedIn);
    if (c.type !== 'flex') throw new FakeAtlasHttpError(400, 'CANNOT_USE_NON_FLEX_CLUSTER_IN_FLEX_API', `Cannot use non-flex cluster ${route.name} in the flex API.`, undefined, named);
  } else {
    if (c?.type === 'dedicated') throw new FakeAtlasHttpError(400, 'CANNOT_USE_CLUSTER_IN_SERVERLESS_INSTANCE_API', `${where} is a cluster; use the cluster API.`, undefined, named);
    if (!c || c.type !== 'serverless') throw new FakeAtlasHttpError(404, 'SERVERLESS_INSTANCE_NOT_FOUND', `No serverless instance named ${where} exists.`, undefined, namedIn);
  }
  return c;
}

function intParam(query: URLSearchParams, name: string, dflt: number, min: number, max: number): number {
  const raw = query.get(name);
  if (raw === null) return dflt;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < min || n > max) {
    throw new FakeAtlasHttpError(400, 'VALIDATION_ERROR', `Query parameter ${name} must be an integer from ${min} to ${max}; got "${raw}".`, [
      { field: name, description: `must be an integer from ${min} to ${max}` },
    ]);
  }
  return n;
}

export function paginate(req: ApiRequest, items: Record<string, unknown>[]): Record<string, unknown> {
  const pageNum = intParam(req.query, 'pageNum', 1, 1, Number.MAX_SAFE_INTEGER);
  const itemsPerPage = intParam(req.query, 'itemsPerPage', 100, 1, 500);
  const includeCount = req.query.get('includeCount') !== 'false';
  const start = (pageNum - 1) * itemsPerPage;
  const href = (n: number) => `${req.baseUrl}${req.pathname}?pageNum=${n}&itemsPerPage=${itemsPerPage}`;
  const links = [{ href: href(pageNum), rel: 'self' }];
  if (pageNum > 1) links.push({ href: href(pageNum - 1), rel: 'previous' });
  if (start + itemsPerPage < items.length) links.push({ href: href(pageNum + 1), rel: 'next' });
  const out: Record<string, unknown> = { links, results: items.slice(start, start + itemsPerPage) };
  if (includeCount) out['totalCount'] = items.length;
  return out;
}

export function parseBody(req: ApiRequest): Record<string, unknown> {
  let body: unknown;
  try {
    body = JSON.parse(req.rawBody);
  } catch {
    throw new FakeAtlasHttpError(400, 'INVALID_JSON', 'The request body is not valid JSON.');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new FakeAtlasHttpError(400, 'INVALID_JSON', 'The request body must be a JSON object.');
  }
  return body as Record<string, unknown>;
}

export function requireStrings(body: Record<string, unknown>, fields: string[]): void {
  const missing: FieldViolation[] = fields.filter((f) => body[f] === undefined || body[f] === null || body[f] === '').map((f) => ({ field: f, description: 'is required' }));
  if (missing.length) {
    throw new FakeAtlasHttpError(400, 'MISSING_ATTRIBUTE', `Missing required attribute(s): ${missing.map((m) => m.field).join(', ')}.`, missing);
  }
  const wrong = fields.filter((f) => typeof body[f] !== 'string').map((f) => ({ field: f, description: 'must be a string' }));
  if (wrong.length) throw new FakeAtlasHttpError(400, 'INVALID_ATTRIBUTE', `Invalid attribute(s): ${wrong.map((w) => w.field).join(', ')}.`, wrong);
}

export function invalid(field: string, description: string): FakeAtlasHttpError {
  return new FakeAtlasHttpError(400, 'INVALID_ATTRIBUTE', `Invalid attribute ${field}: ${description}.`, [{ field, description }]);
}

/** Which cluster types a snapshot of `source` may be restored into (per Atlas docs for each API). */
const RESTORABLE_INTO: Record<ClusterType, ClusterType[]> = {
  dedicated: ['dedicated'],
  flex: ['flex', 'dedicated'],
  serverless: ['serverless', 'dedicated', 'flex'],
};

function createJob(store: FakeAtlasStore, source: ClusterRecord, req: ApiRequest): JobRecord {
  const body = parseBody(req);
  let target: { groupId: string; name: string };
  if (source.type === 'flex') {
    requireStrings(body, ['snapshotId', 'targetDeploymentItemName']);
    if (body['targetProjectId'] !== undefined && (typeof body['targetProjectId'] !== 'string' || !HEX24.test(body['targetProjectId']))) {
      throw invalid('targetProjectId', 'must be 24 hexadecimal digits');
    }
    target = { groupId: (body['targetProjectId'] as string | undefined) ?? source.groupId, name: body['targetDeploymentItemName'] as string };
  } else {
    requireStrings(body, ['deliveryType', 'snapshotId', 'targetClusterName', 'targetGroupId']);
    if (body['deliveryType'] !== 'automated') throw invalid('deliveryType', 'the fake supports only "automated"');
    if (!HEX24.test(body['targetGroupId'] as string)) throw invalid('targetGroupId', 'must be 24 hexadecimal digits');
    target = { groupId: body['targetGroupId'] as string, name: body['targetClusterName'] as string };
  }
  const snapshotId = body['snapshotId'] as string;
  if (!HEX24.test(snapshotId)) throw invalid('snapshotId', 'must be 24 hexadecimal digits');
  const snapshot = source.snapshots.find((s) => s.id === snapshotId);
  if (!snapshot) throw new FakeAtlasHttpError(404, 'SNAPSHOT_NOT_FOUND', `No snapshot ${snapshotId} exists for ${source.name}.`);
  if (snapshot.status !== 'completed') throw new FakeAtlasHttpError(400, 'SNAPSHOT_NOT_COMPLETE', `Snapshot ${snapshotId} is ${snapshot.status}; only completed snapshots can be restored.`);
  const targetCluster = store.findCluster(target.groupId, target.name);
  if (!targetCluster) throw new FakeAtlasHttpError(404, 'CLUSTER_NOT_FOUND', `No target cluster named ${target.name} exists in group ${target.groupId}.`);
  if (!RESTORABLE_INTO[source.type].includes(targetCluster.type)) {
    throw invalid(source.type === 'flex' ? 'targetDeploymentItemName' : 'targetClusterName', `a ${source.type} snapshot cannot be restored into a ${targetCluster.type} cluster`);
  }
  const busy = store.activeJobInto(target.groupId, target.name);
  if (busy) throw new FakeAtlasHttpError(409, 'ATLAS_CLUSTER_RESTORE_IN_PROGRESS', `Restore job ${busy.id} into ${target.name} has not finished yet.`);
  return store.createJob(source, snapshot, target);
}

export function collectionHref(baseUrl: string, c: { groupId: string; name: string; type: ClusterType }, resource: string, v1 = false): string {
  const segment = c.type === 'flex' ? 'flexClusters' : c.type === 'serverless' ? 'serverless' : 'clusters';
  return `${baseUrl}/api/atlas/${v1 ? 'v1.0' : 'v2'}/groups/${c.groupId}/${segment}/${encodeURIComponent(c.name)}/backup/${resource}`;
}

/** Answers one authenticated API request; throws FakeAtlasHttpError for Atlas error answers. */
export function handleApiRequest(store: FakeAtlasStore, req: ApiRequest): ApiAnswer {
  // Collection restores, point in time, on-demand snapshots, cluster descriptions (fake-atlas-extensions.ts).
  const extended = handleBackupExtensions(store, req);
  if (extended) return extended;
  const route = parseRoute(req.pathname);
  if (!route) throw new FakeAtlasHttpError(404, 'RESOURCE_NOT_FOUND', `The fake Atlas does not serve ${req.method} ${req.pathname}.`);
  checkMediaTypes(req, route);
  if (!HEX24.test(route.groupId)) throw new FakeAtlasHttpError(400, 'INVALID_GROUP_ID', `${route.groupId} is not a valid group id (24 hexadecimal digits).`);
  const cluster = resolveCluster(store, route);
  const base = collectionHref(req.baseUrl, cluster, route.resource, route.v1);
  const ok = (status: number, body?: unknown): ApiAnswer => ({ status, body, contentType: route.media });
  const notAllowed = () => new FakeAtlasHttpError(405, 'METHOD_NOT_ALLOWED', `${req.method} is not allowed on ${req.pathname}.`);

  if (route.resource === 'snapshots') {
    if (req.method !== 'GET') throw notAllowed();
    if (route.id === undefined) {
      // REALITY.listOrder: a Flex snapshot list comes oldest first, the others newest first.
      const listed = cluster.type === 'flex' ? [...cluster.snapshots].reverse() : cluster.snapshots;
      return ok(200, paginate(req, listed.map((s) => renderSnapshot(cluster, s, `${base}/${s.id}`))));
    }
    if (!HEX24.test(route.id)) throw invalid('snapshotId', 'must be 24 hexadecimal digits');
    const snap = cluster.snapshots.find((s) => s.id === route.id);
    if (!snap) throw new FakeAtlasHttpError(404, 'SNAPSHOT_NOT_FOUND', `No snapshot ${route.id} exists for ${cluster.name}.`);
    return ok(200, renderSnapshot(cluster, snap, `${base}/${snap.id}`));
  }

  // Recorded jobs (FakeAtlas.addRecordedRestoreJobs) are older than any the fake made: listed after them, served as they are.
  const recorded = backupStateOf(store)?.recordedJobsOf(cluster) ?? [];
  if (route.id === undefined) {
    if (req.method === 'GET') return ok(200, paginate(req, [...store.jobsOf(cluster.groupId, cluster.name).map((j) => renderJob(j, `${base}/${j.id}`, route.v1)), ...recorded]));
    if (req.method === 'POST') {
      const job = createJob(store, cluster, req);
      return ok(200, renderJob(job, `${base}/${job.id}`, route.v1));
    }
    throw notAllowed();
  }
  if (!HEX24.test(route.id)) throw invalid('restoreJobId', 'must be 24 hexadecimal digits');
  const job = store.findJob(route.id);
  const recordedJob = recorded.find((j) => j['id'] === route.id);
  if (!job && recordedJob && req.method === 'GET') return ok(200, recordedJob);
  if (!job || job.sourceGroupId !== cluster.groupId || job.sourceName !== cluster.name) {
    throw new FakeAtlasHttpError(404, 'RESTORE_JOB_NOT_FOUND', `No restore job ${route.id} exists for ${cluster.name}.`);
  }
  if (req.method === 'GET') {
    store.observe(job);
    return ok(200, renderJob(job, `${base}/${job.id}`, route.v1));
  }
  if (req.method === 'DELETE' && cluster.type === 'dedicated') {
    if (job.deliveryType !== 'download') {
      // REALITY.automatedRestoreCannotBeCancelled: only download jobs can be cancelled.
      throw new FakeAtlasHttpError(400, 'CANNOT_CANCEL_AUTOMATED_RESTORE', `Restore job ${job.id} is an automated restore; only download restore jobs can be cancelled.`, undefined, [job.id]);
    }
    if (job.state !== 'pending' && job.state !== 'running') {
      throw new FakeAtlasHttpError(400, 'CANNOT_CANCEL_FINISHED_RESTORE_JOB', `Restore job ${job.id} is ${job.state} and cannot be cancelled.`);
    }
    store.advance(job.id, 'cancelled');
    return ok(204);
  }
  throw notAllowed();
}
