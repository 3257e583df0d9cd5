import type { RestoreJob } from '../atlas/types.js';
import type { RestoreRequest } from './types.js';

/** Atlas's clock and ours differ a little; a job created just "before" our intent is still ours. */
const CLOCK_SKEW_MS = 2 * 60 * 1000;

/**
 * The restore job that our unknown-outcome POST created, if Atlas lists one: same snapshot, same target, not among
 * the jobs listed just before the POST, and (when Atlas tells the creation time, which only v1.0 and Flex do)
 * created after the intent was recorded. Newest first when several match.
 */
export function findAdoptableJob(jobs: readonly RestoreJob[], request: RestoreRequest): RestoreJob | undefined {
  const since = Date.parse(request.submittingAt ?? request.createdAt) - CLOCK_SKEW_MS;
  return jobs
    .filter(
      (job) =>
        job.snapshotId === request.snapshot.id &&
        job.targetClusterName === request.target.cluster &&
        (job.targetGroupId === undefined || job.targetGroupId === request.target.groupId) &&
        !(request.jobIdsBeforeSubmit ?? []).includes(job.id) &&
        (job.createdAt === undefined ? request.jobIdsBeforeSubmit !== undefined : Date.parse(job.createdAt) >= since),
    )
    .sort((a, b) => (Date.parse(b.createdAt ?? '') || 0) - (Date.parse(a.createdAt ?? '') || 0))[0];
}
