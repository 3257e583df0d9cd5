// The fake Atlas's routes beyond the seed's snapshots and restore jobs: collection restore jobs, the backup schedule,
// cluster descriptions, snapshots by point in time, on-demand snapshots and point-in-time restore jobs. handleApiRequest
// asks here first; `undefined` means "not mine", and the existing routes answer as before.
import type { ClusterType } from '../../src/atlas/types.js';
import type { ClusterRecord, FakeAtlasStore } from './fake-atlas-data.js';
import { FakeAtlasHttpError } from './fake-atlas-errors.js';
import { backupStateOf, type FakeBackupState } from './fake-atlas-backup-state.js';
import { handleCollectionRestoreRoutes } from './fake-atlas-collections.js';
import { handleOnDemandSnapshotRoutes } from './fake-atlas-ondemand.js';
import { mediaTypes, resolveCluster, type ApiAnswer, type ApiRequest } from './fake-atlas-routes.js';
import { handleDescribeRoutes, handlePointInTimeJobRoutes, handleScheduleRoutes } from './fake-atlas-schedule.js';

const EXT_RE = /^\/api\/atlas\/v2\/groups\/([^/]+)\/(clusters|flexClusters|serverless)\/([^/]+)((?:\/[^/]+)*)$/;
const API_TYPE: Record<string, ClusterType> = { clusters: 'dedicated', flexClusters: 'flex', serverless: 'serverless' };
const HEX24 = /^[a-f0-9]{24}$/;

export interface ExtRoute {
  groupId: string;
  /** The API the path belongs to (not necessarily the cluster's type: that mismatch is Atlas's wrong-type error). */
  api: ClusterType;
  segment: string;
  name: string;
  /** Path segments after the cluster name, decoded: [], ['backup', 'schedule'], ['collectionRestoreJobs', id, …]. */
  parts: string[];
}

/** Everything a route module needs, so none of them reaches into another. */
export interface ExtContext {
  state: FakeBackupState;
  store: FakeAtlasStore;
  req: ApiRequest;
  route: ExtRoute;
  /** Checks Accept (406) and, for POST, Content-Type (415); returns the media type to answer with. */
  media(accepted: readonly string[]): string;
  /** The cluster the path names, with Atlas's not-found and wrong-type errors for this API. */
  cluster(): ClusterRecord;
  ok(status: number, media: string, body?: unknown): ApiAnswer;
  notAllowed(): FakeAtlasHttpError;
}

function context(state: FakeBackupState, store: FakeAtlasStore, req: ApiRequest, route: ExtRoute): ExtContext {
  return {
    state,
    store,
    req,
    route,
    media(accepted) {
      const asked = mediaTypes(req.headers.accept);
      const chosen = accepted.find((m) => asked.includes(m));
      if (!chosen) {
        throw new FakeAtlasHttpError(406, 'INVALID_VERSION_DATE', `Invalid accept header or version date. This resource needs Accept: ${accepted.join(' or ')}; got ${req.headers.accept ?? '(none)'}.`);
      }
      if (req.method === 'POST' && mediaTypes(req.headers['content-type'])[0] !== chosen) {
        throw new FakeAtlasHttpError(415, 'UNSUPPORTED_MEDIA_TYPE', `Content-Type must be ${chosen}; got ${req.headers['content-type'] ?? '(none)'}.`);
      }
      return chosen;
    },
    cluster() {
      if (!HEX24.test(route.groupId)) throw new FakeAtlasHttpError(400, 'INVALID_GROUP_ID', `${route.groupId} is not a valid group id (24 hexadecimal digits).`);
      return resolveCluster(store, { v1: false, groupId: route.groupId, api: route.api, segment: route.segment, name: route.name, resource: 'snapshots', media: '' });
    },
    ok: (status, media, body) => ({ status, body, contentType: media }),
    notAllowed: () => new FakeAtlasHttpError(405, 'METHOD_NOT_ALLOWED', `${req.method} is not allowed on ${req.pathname}.`),
  };
}

export function handleBackupExtensions(store: FakeAtlasStore, req: ApiRequest): ApiAnswer | undefined {
  const state = backupStateOf(store);
  const m = EXT_RE.exec(req.pathname);
  if (!state || !m) return undefined;
  const route: ExtRoute = {
    groupId: m[1]!,
    api: API_TYPE[m[2]!]!,
    segment: m[2]!,
    name: decodeURIComponent(m[3]!),
    parts: m[4] ? m[4].split('/').slice(1).map(decodeURIComponent) : [],
  };
  const ctx = context(state, store, req, route);
  const [first, second] = route.parts;
  if (first === undefined) return handleDescribeRoutes(ctx);
  if (route.api !== 'dedicated') return undefined;
  if (first === 'collectionRestoreJobs') return handleCollectionRestoreRoutes(ctx);
  if (first !== 'backup') return undefined;
  if (second === 'schedule') return handleScheduleRoutes(ctx);
  if (second === 'snapshots') return handleOnDemandSnapshotRoutes(ctx);
  if (second === 'restoreJobs') return handlePointInTimeJobRoutes(ctx);
  return undefined;
}
