// `…/clusters/{name}/collectionRestoreJobs[/{jobId}[/collections[/{sourceNamespace}]]]` (version 2025-03-12):
// create (201), get, list, and the per-namespace states, with Atlas-style validation errors.
import type { ClusterRecord } from './fake-atlas-data.js';
import { FakeAtlasHttpError } from './fake-atlas-errors.js';
import {
  createCollectionJob,
  isCollectionJobActive,
  observeCollectionJob,
  renderCollectionJob,
  renderNamespaceStates,
  type CollectionJobRecord,
  type NamespaceRequest,
} from './fake-atlas-collection-jobs.js';
import type { ExtContext } from './fake-atlas-extensions.js';
import { invalid, paginate, parseBody, requireStrings, type ApiAnswer } from './fake-atlas-routes.js';
import { checkPointInTime } from './fake-atlas-schedule.js';

export const MEDIA_2025 = 'application/vnd.atlas.2025-03-12+json';
const HEX24 = /^[a-f0-9]{24}$/;

/** One of the two lists (each optional, at most 100: the spec); absent is none, a list given must name something. */
function namespaceList(body: Record<string, unknown>, field: 'collections' | 'databases'): NamespaceRequest[] {
  const list = body[field];
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list) || list.length === 0) throw invalid(field, 'must be a non-empty list');
  if (list.length > 100) throw invalid(field, 'must have at most 100 items');
  return list.map((item: unknown, i) => {
    const entry = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
    const source = entry['sourceNamespace'];
    const target = entry['targetNamespace'];
    if (typeof source !== 'string' || source === '') throw invalid(`${field}[${i}].sourceNamespace`, 'is required');
    if (target !== undefined && typeof target !== 'string') throw invalid(`${field}[${i}].targetNamespace`, 'must be a string');
    const isCollection = source.includes('.') && !source.endsWith('.');
    if ((field === 'collections') !== isCollection) throw invalid(`${field}[${i}].sourceNamespace`, field === 'collections' ? 'must be db.collection' : 'must be a database name');
    return { sourceNamespace: source, targetNamespace: target as string | undefined };
  });
}

function create(ctx: ExtContext, source: ClusterRecord): CollectionJobRecord {
  const body = parseBody(ctx.req);
  requireStrings(body, ['indexStrategy', 'targetClusterName', 'targetGroupId', 'writeStrategy']);
  const writeStrategy = body['writeStrategy'];
  const indexStrategy = body['indexStrategy'];
  if (writeStrategy !== 'CREATE_NEW' && writeStrategy !== 'OVERWRITE_EXISTING') throw invalid('writeStrategy', 'must be CREATE_NEW or OVERWRITE_EXISTING');
  if (indexStrategy !== 'ALL' && indexStrategy !== 'NONE' && indexStrategy !== 'ALL_EXCEPT_TTL') throw invalid('indexStrategy', 'must be ALL, NONE or ALL_EXCEPT_TTL');
  // Both lists in one job, as Atlas takes them (the spec has two optional lists and no rule that only one be given).
  const collections = namespaceList(body, 'collections');
  const databases = namespaceList(body, 'databases');
  if (collections.length === 0 && databases.length === 0) throw invalid('collections', 'give collections, databases or both');
  // What Atlas makes of a collection whose database is listed too is not documented; the fake refuses it (the bot never sends it).
  const covered = collections.find((c) => databases.some((d) => c.sourceNamespace.startsWith(`${d.sourceNamespace}.`)));
  if (covered) throw invalid('collections', `${covered.sourceNamespace} is part of a database listed in databases`);
  const snapshotId = body['snapshotId'];
  const at = body['pointInTimeUtcSeconds'];
  if ((snapshotId === undefined) === (at === undefined || at === null)) throw invalid('snapshotId', 'give either snapshotId or pointInTimeUtcSeconds');
  const targetGroupId = body['targetGroupId'] as string;
  if (!HEX24.test(targetGroupId)) throw invalid('targetGroupId', 'must be 24 hexadecimal digits');
  if (snapshotId !== undefined) {
    if (typeof snapshotId !== 'string' || !HEX24.test(snapshotId)) throw invalid('snapshotId', 'must be 24 hexadecimal digits');
    const snap = source.snapshots.find((s) => s.id === snapshotId);
    if (!snap) throw new FakeAtlasHttpError(404, 'SNAPSHOT_NOT_FOUND', `No snapshot with ID ${snapshotId} exists for cluster ${source.name}.`);
    if (snap.status !== 'completed') throw new FakeAtlasHttpError(400, 'SNAPSHOT_NOT_COMPLETE', `Snapshot ${snapshotId} is ${snap.status}; only completed snapshots can be restored.`);
  } else {
    if (typeof at !== 'number' || !Number.isInteger(at)) throw invalid('pointInTimeUtcSeconds', 'must be whole seconds since the epoch');
    checkPointInTime(ctx.state, source, at);
  }
  const targetName = body['targetClusterName'] as string;
  const target = ctx.store.findCluster(targetGroupId, targetName);
  if (!target) throw new FakeAtlasHttpError(404, 'CLUSTER_NOT_FOUND', `No cluster named ${targetName} exists in group ${targetGroupId}.`);
  if (target.type !== 'dedicated') throw invalid('targetClusterName', `a collection restore needs a dedicated target; ${targetName} is ${target.type}`);
  // One restore writing into a target at a time, whole-cluster or collection-level (the fake's rule; Atlas answers 409).
  const busyJob = ctx.store.activeJobInto(targetGroupId, targetName);
  const busyCollections = [...ctx.state.collectionJobs.values()].find((j) => j.targetGroupId === targetGroupId && j.targetName === targetName && isCollectionJobActive(j));
  const busy = busyJob?.id ?? busyCollections?.id;
  if (busy) throw new FakeAtlasHttpError(409, 'ATLAS_CLUSTER_RESTORE_IN_PROGRESS', `Restore job ${busy} into ${targetName} has not finished yet.`);
  const suffix = (field: string) => {
    const v = body[field];
    if (v !== undefined && v !== null && typeof v !== 'string') throw invalid(field, 'must be a string');
    return typeof v === 'string' ? v : '';
  };
  return createCollectionJob(ctx.state, {
    source: { groupId: source.groupId, name: source.name },
    target: { groupId: targetGroupId, name: targetName },
    snapshotId: snapshotId as string | undefined,
    pointInTimeUtcSeconds: at as number | undefined,
    writeStrategy,
    indexStrategy,
    collections,
    databases,
    collectionSuffix: suffix('collectionSuffix'),
    databaseSuffix: suffix('databaseSuffix'),
  });
}

/** Collection restore jobs whose source is this cluster, newest first (like restore-job lists). */
export function collectionJobsOf(ctx: Pick<ExtContext, 'state'>, groupId: string, name: string): CollectionJobRecord[] {
  return [...ctx.state.collectionJobs.values()]
    .filter((j) => j.sourceGroupId === groupId && j.sourceName === name)
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.seq - a.seq);
}

export function handleCollectionRestoreRoutes(ctx: ExtContext): ApiAnswer {
  const media = ctx.media([MEDIA_2025]);
  const cluster = ctx.cluster();
  const [, jobId, sub, namespace, ...extra] = ctx.route.parts;
  if (extra.length > 0 || (sub !== undefined && sub !== 'collections')) {
    throw new FakeAtlasHttpError(404, 'RESOURCE_NOT_FOUND', `The fake Atlas does not serve ${ctx.req.method} ${ctx.req.pathname}.`);
  }
  if (jobId === undefined) {
    if (ctx.req.method === 'GET') return ctx.ok(200, media, paginate(ctx.req, collectionJobsOf(ctx, cluster.groupId, cluster.name).map(renderCollectionJob)));
    if (ctx.req.method === 'POST') return ctx.ok(201, media, renderCollectionJob(create(ctx, cluster)));
    throw ctx.notAllowed();
  }
  if (ctx.req.method !== 'GET') throw ctx.notAllowed();
  if (!HEX24.test(jobId)) throw invalid('jobId', 'must be 24 hexadecimal digits');
  const job = ctx.state.collectionJobs.get(jobId);
  if (!job || job.sourceGroupId !== cluster.groupId || job.sourceName !== cluster.name) {
    throw new FakeAtlasHttpError(404, 'RESTORE_JOB_NOT_FOUND', `No collection restore job with ID ${jobId} exists for cluster ${cluster.name}.`);
  }
  if (sub === undefined) {
    observeCollectionJob(ctx.state, job);
    return ctx.ok(200, media, renderCollectionJob(job));
  }
  const q = ctx.req.query;
  const states = renderNamespaceStates(job).filter(
    (s) =>
      (q.get('state') === null || s['state'] === q.get('state')) &&
      (q.get('sourceNamespace') === null || s['sourceNamespace'] === q.get('sourceNamespace')) &&
      (q.get('targetNamespace') === null || s['targetNamespace'] === q.get('targetNamespace')),
  );
  if (namespace === undefined) return ctx.ok(200, media, paginate(ctx.req, states));
  const one = states.find((s) => s['sourceNamespace'] === namespace);
  if (!one) throw new FakeAtlasHttpError(404, 'RESOURCE_NOT_FOUND', `Collection restore job ${jobId} has no namespace ${namespace}.`);
  return ctx.ok(200, media, one);
}
