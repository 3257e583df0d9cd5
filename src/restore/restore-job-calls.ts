// The Atlas calls of a request, whatever it restores: a whole cluster from a snapshot or a point in time (restore
// jobs), or some databases or collections (collection restore jobs). The steps speak one vocabulary, RestoreJob.
import type { AtlasClient, RestoreJob } from '../atlas/types.js';
import type { CollectionRestoreJob } from '../atlas/collection-restore.js';
import { sourceOf } from './source-location.js';
import type { RestoreRequest } from './types.js';

export const isCollectionRestore = (req: Pick<RestoreRequest, 'namespaces'>): boolean => (req.namespaces?.length ?? 0) > 0;

/** A collection restore job in the vocabulary of the steps; its document counts ride along. */
export function asRestoreJob(job: CollectionRestoreJob): RestoreJob {
  return {
    id: job.id,
    state: job.state,
    snapshotId: job.snapshotId,
    targetGroupId: job.targetGroupId,
    targetClusterName: job.targetClusterName,
    createdAt: job.createdAt,
    finishedAt: job.finishedAt,
    failureReason: job.errorMessage,
    restoredDocuments: job.restoredDocuments,
    totalDocuments: job.totalDocuments,
    raw: job.raw,
  };
}

/** A collection restore takes databases or collections, not both in one job: the caller refuses a mix first. */
export function namespaceKind(req: Pick<RestoreRequest, 'namespaces'>): 'collections' | 'databases' | 'mixed' {
  const withDot = (req.namespaces ?? []).filter((n) => n.sourceNamespace.includes('.')).length;
  if (withDot === 0) return 'databases';
  return withDot === (req.namespaces ?? []).length ? 'collections' : 'mixed';
}

/** The one POST that creates the request's job. Never retried (the client marks it `createsResource`). */
export async function createJobFor(atlas: AtlasClient, req: RestoreRequest): Promise<RestoreJob> {
  const target = { groupId: req.target.groupId, clusterName: req.target.cluster };
  if (isCollectionRestore(req)) {
    const list = (req.namespaces ?? []).map((n) => ({ sourceNamespace: n.sourceNamespace, ...(n.targetNamespace ? { targetNamespace: n.targetNamespace } : {}) }));
    const from = req.pointInTime ? { pointInTimeUtcSeconds: req.pointInTime.utcSeconds } : { snapshotId: req.snapshot.id };
    const which = namespaceKind(req) === 'databases' ? { databases: list } : { collections: list };
    const job = await atlas.createCollectionRestoreJob({
      source: sourceOf(req),
      target,
      writeStrategy: req.writeStrategy ?? 'CREATE_NEW',
      indexStrategy: req.indexStrategy ?? 'ALL',
      ...from,
      ...which,
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
