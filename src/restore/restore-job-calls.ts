// The Atlas calls of a request, whatever it restores: a whole cluster from a snapshot or a point in time (restore
// jobs), or some databases or collections (collection restore jobs). The steps speak one vocabulary, RestoreJob.
import type { AtlasClient, RestoreJob } from '../atlas/types.js';
import type { CollectionRestoreJob, RestoreNamespace } from '../atlas/collection-restore.js';
import { sourceOf } from './source-location.js';
import type { RestoreRequest } from './types.js';

export const isCollectionRestore = (req: Pick<RestoreRequest, 'namespaces'>): boolean => (req.namespaces?.length ?? 0) > 0;

/** A collection restore job in the vocabulary of the steps; its document counts ride along. */
export function asRestoreJob(job: CollectionRestoreJob): RestoreJob {
  return {
    id: job.id,
    state: job.state,
    ...(job.state === 'unknown' ? { atlasStatus: job.atlasState } : {}),
    snapshotId: job.snapshotId,
    targetGroupId: job.targetGroupId,
    targetClusterName: job.targetClusterName,
    createdAt: job.createdAt,
    finishedAt: job.finishedAt,
    failureReason: job.errorMessage,
    restoredDocuments: job.restoredDocuments,
    totalDocuments: job.totalDocuments,
    sourceNamespaces: [...job.databases, ...job.collections].map((n) => n.sourceNamespace),
    writeStrategy: job.writeStrategy,
    raw: job.raw,
  };
}

/**
 * The job's two lists: whole databases (no dot) and collections (`db.collection`). Atlas takes both in one job; an
 * empty list is left out.
 */
export function namespaceLists(req: Pick<RestoreRequest, 'namespaces'>): { databases?: RestoreNamespace[]; collections?: RestoreNamespace[] } {
  const list = (req.namespaces ?? []).map((n) => ({ sourceNamespace: n.sourceNamespace, ...(n.targetNamespace ? { targetNamespace: n.targetNamespace } : {}) }));
  const databases = list.filter((n) => !n.sourceNamespace.includes('.'));
  const collections = list.filter((n) => n.sourceNamespace.includes('.'));
  return { ...(databases.length > 0 ? { databases } : {}), ...(collections.length > 0 ? { collections } : {}) };
}

/** The one POST that creates the request's job. Never retried (the client marks it `createsResource`). */
export async function createJobFor(atlas: AtlasClient, req: RestoreRequest): Promise<RestoreJob> {
  const target = { groupId: req.target.groupId, clusterName: req.target.cluster };
  if (isCollectionRestore(req)) {
    const from = req.pointInTime ? { pointInTimeUtcSeconds: req.pointInTime.utcSeconds } : { snapshotId: req.snapshot.id };
    const job = await atlas.createCollectionRestoreJob({
      source: sourceOf(req),
      target,
      writeStrategy: req.writeStrategy ?? 'CREATE_NEW',
      indexStrategy: req.indexStrategy ?? 'ALL',
      ...from,
      ...namespaceLists(req),
    } as Parameters<AtlasClient['createCollectionRestoreJob']>[0]);
    return asRestoreJob(job);
  }
  if (req.pointInTime) return atlas.createRestoreJob({ source: sourceOf(req), pointInTimeUtcSeconds: req.pointInTime.utcSeconds, target });
  return atlas.createRestoreJob({ source: sourceOf(req), snapshotId: req.snapshot.id, target });
}

export async function getJobFor(atlas: AtlasClient, req: RestoreRequest, jobId: string): Promise<RestoreJob> {
  if (isCollectionRestore(req)) return asRestoreJob(await atlas.getCollectionRestoreJob(sourceOf(req), jobId));
  return atlas.getRestoreJob(sourceOf(req), jobId);
}

/** Every job of the kind the request creates (for adoption after a lost answer: the rare path, all pages). */
export async function listJobsFor(atlas: AtlasClient, req: RestoreRequest): Promise<RestoreJob[]> {
  if (isCollectionRestore(req)) return (await atlas.listCollectionRestoreJobs(sourceOf(req))).map(asRestoreJob);
  return atlas.listRestoreJobs(sourceOf(req));
}

/** One request before the POST: the recent jobs of the kind the request creates. */
export async function listRecentJobsFor(atlas: AtlasClient, req: RestoreRequest): Promise<RestoreJob[]> {
  if (isCollectionRestore(req)) return (await atlas.listCollectionRestoreJobs(sourceOf(req))).map(asRestoreJob);
  return (await atlas.listRecentRestoreJobs(sourceOf(req))).jobs;
}
