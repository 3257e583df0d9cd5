// Point-in-time restores of dedicated clusters with continuous cloud backup: the base snapshot of a time, and the
// restore job `{deliveryType: "pointInTime", pointInTimeUTCSeconds, targetClusterName, targetGroupId}`.
import { listPages, requirePointInTime, requireTarget, withDedicated, invalidArgument, DEDICATED_MEDIA_TYPE, type AtlasCallContext } from './call-context.js';
import { AtlasApiError } from './errors.js';
import { readCreatedResource } from './read-created-resource.js';
import { toRestoreJob, toSnapshot } from './normalize-responses.js';
import type { ClusterLocation, CreateRestoreJobInput, RestoreJob, Snapshot } from './types.js';

const DEDICATED_ONLY = {
  what: 'A point-in-time restore',
  hint: 'Only dedicated clusters with continuous cloud backup can restore to a point in time: pick a snapshot instead.',
};

/** Atlas's answer when no snapshot precedes the time (404; the letter after UNABLE_T is a digit zero). */
export const NO_SNAPSHOT_BEFORE_TIME_CODE = 'UNABLE_T0_FIND_SNAPSHOT_PRIOR_TO_PIT_RESTORE_OPTIME';

// `?? ''`: Snapshot.createdAt is becoming optional (queued snapshots have none); NaN never passes the filter.
const timeOf = (s: Snapshot): number => Date.parse(s.createdAt ?? '');

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/**
 * The spec says the list "returns the closest snapshot created before that point in time" in the usual page shape.
 * We don't rely on Atlas having filtered: of what it returns, the newest completed snapshot taken at or before T wins.
 */
export function closestCompletedBefore(items: unknown[], unixSeconds: number, request: string): Snapshot | undefined {
  const limitMs = unixSeconds * 1000;
  const candidates = items
    // Only completed snapshots can be a base; queued ones have no createdAt at all (recordings), so filter raw first.
    .filter((raw) => isRecord(raw) && raw.status === 'completed')
    .map((raw) => toSnapshot('dedicated', raw, request))
    .filter((s) => timeOf(s) <= limitMs);
  candidates.sort((a, b) => timeOf(b) - timeOf(a));
  return candidates[0];
}

export interface PointInTimeCalls {
  /**
   * The snapshot a point-in-time restore to `unixSeconds` starts from: `GET …/backup/snapshots?pointInTimeUtcSeconds=T`.
   * Undefined when Atlas has none before T (an empty answer or 404 UNABLE_T0_FIND_SNAPSHOT_PRIOR_TO_PIT_RESTORE_OPTIME).
   */
  findSnapshotForPointInTime(cluster: ClusterLocation, unixSeconds: number): Promise<Snapshot | undefined>;
}

export function createPointInTimeCalls(ctx: AtlasCallContext): PointInTimeCalls {
  return {
    findSnapshotForPointInTime: (cluster, unixSeconds) =>
      withDedicated(ctx, cluster, DEDICATED_ONLY, async (_clusterPath, backupPath) => {
        const at = requirePointInTime(unixSeconds);
        const path = `${backupPath}/snapshots`;
        try {
          // One page: the answer is one snapshot (the closest before T). Its totalCount may count the cluster's snapshots
          // instead, and walking pages up to it would cost hundreds of requests of the shared backup rate limit.
          const items = await listPages(ctx, path, DEDICATED_MEDIA_TYPE, { includeCount: true, maxPages: 1, query: { pointInTimeUtcSeconds: at } });
          return closestCompletedBefore(items, at, `GET ${path}`);
        } catch (error) {
          if (error instanceof AtlasApiError && error.errorCode === NO_SNAPSHOT_BEFORE_TIME_CODE) return undefined;
          throw error;
        }
      }),
  };
}

/** createRestoreJob with `pointInTimeUtcSeconds`: dedicated only, never retried (like every create). */
export function createPointInTimeRestoreJob(ctx: AtlasCallContext, input: CreateRestoreJobInput): Promise<RestoreJob> {
  return withDedicated(ctx, input.source, DEDICATED_ONLY, async (_clusterPath, backupPath) => {
    if (input.snapshotId !== undefined) {
      throw invalidArgument(
        'give either snapshotId or pointInTimeUtcSeconds, not both',
        'A restore is of a snapshot or of a point in time, not both: drop one of them.',
      );
    }
    const target = requireTarget(input.target);
    const path = `${backupPath}/restoreJobs`;
    const response = await ctx.send({
      method: 'POST',
      path,
      mediaType: DEDICATED_MEDIA_TYPE,
      // Atlas spells it pointInTimeUTCSeconds here and pointInTimeUtcSeconds in the snapshot query and collection restores.
      body: {
        deliveryType: 'pointInTime',
        pointInTimeUTCSeconds: requirePointInTime(input.pointInTimeUtcSeconds),
        targetClusterName: target.clusterName,
        targetGroupId: target.groupId,
      },
      createsResource: true,
    });
    return readCreatedResource(() => toRestoreJob('dedicated', response.body, `POST ${path}`), 'restore job', `POST ${path}`);
  });
}
