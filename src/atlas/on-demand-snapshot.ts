// On-demand snapshots of dedicated clusters (the safety snapshot before a restore). Flex clusters only have their
// daily snapshots and serverless instances none on demand. Atlas takes one at a time per cluster: a second one
// while the first is queued or in progress is 400 UNFINISHED_ON_DEMAND_SNAPSHOT (transient: wait, don't fail).
import { z } from 'zod';
import { DEDICATED_MEDIA_TYPE, invalidArgument, rewordOutcomeUnknown, withDedicated, type AtlasCallContext } from './call-context.js';
import { parseAtlasBody } from './normalize-responses.js';
import { readCreatedResource } from './read-created-resource.js';
import type { ClusterLocation } from './types.js';

export const UNFINISHED_ON_DEMAND_SNAPSHOT_CODE = 'UNFINISHED_ON_DEMAND_SNAPSHOT';

export interface TakeOnDemandSnapshotInput {
  /** Shown in Atlas next to the snapshot, e.g. "atlas-restore RR-7K3P2Q: before restoring into orders". */
  description: string;
  /** Whole days, at least 1. */
  retentionInDays: number;
}

export interface OnDemandSnapshot {
  id: string;
  /** queued | inProgress | completed | failed (lower-cased when Atlas says something else). */
  status: string;
  description?: string | undefined;
  expiresAt?: string | undefined;
  /** Absent until the snapshot is completed (Atlas's real answers; the spec doesn't say so). */
  createdAt?: string | undefined;
  /** `ondemand` in Atlas's real answers, though the spec's enum lacks it. */
  frequencyType?: string | undefined;
  /** `onDemand`. */
  snapshotType?: string | undefined;
  raw: unknown;
}

// DiskBackupSnapshot as Atlas really sends it for a fresh on-demand snapshot: no createdAt, no mongodVersion.
const OnDemandSnapshotSchema = z.looseObject({
  id: z.string(),
  status: z.string(),
  description: z.string().optional(),
  expiresAt: z.string().optional(),
  createdAt: z.string().optional(),
  frequencyType: z.string().optional(),
  snapshotType: z.string().optional(),
});

const KNOWN_STATUSES = ['queued', 'inProgress', 'completed', 'failed'];

export function toOnDemandSnapshot(raw: unknown, request: string): OnDemandSnapshot {
  const s = parseAtlasBody(OnDemandSnapshotSchema, raw, request, 'on-demand snapshot');
  return {
    id: s.id,
    status: KNOWN_STATUSES.includes(s.status) ? s.status : s.status.toLowerCase(),
    description: s.description,
    expiresAt: s.expiresAt,
    createdAt: s.createdAt,
    frequencyType: s.frequencyType,
    snapshotType: s.snapshotType,
    raw,
  };
}

function validate(input: TakeOnDemandSnapshotInput): void {
  const problems: string[] = [];
  if (typeof input.description !== 'string' || input.description.trim() === '') problems.push('description must be non-empty text');
  if (typeof input.retentionInDays !== 'number' || !Number.isInteger(input.retentionInDays) || input.retentionInDays < 1) {
    problems.push(`retentionInDays must be a whole number of days, at least 1, got ${JSON.stringify(input.retentionInDays)}`);
  }
  if (problems.length > 0) {
    throw invalidArgument(problems.join('; '), 'The safety snapshot request is malformed: check safetySnapshot.retentionInDays in the policy.');
  }
}

export interface OnDemandSnapshotCalls {
  /**
   * POST …/clusters/{name}/backup/snapshots; never retried. Poll the answer's id with getSnapshot until `completed`.
   * Flex and serverless: ATLAS_NOT_SUPPORTED_FOR_TYPE without a request.
   */
  takeOnDemandSnapshot(cluster: ClusterLocation, input: TakeOnDemandSnapshotInput): Promise<OnDemandSnapshot>;
}

export function createOnDemandSnapshotCalls(ctx: AtlasCallContext): OnDemandSnapshotCalls {
  return {
    takeOnDemandSnapshot: async (cluster, input) => {
      validate(input); // before the type is resolved: bad input costs no request
      return withDedicated(
        ctx,
        cluster,
        {
          what: 'An on-demand snapshot',
          hint: 'Flex clusters and serverless instances have no on-demand snapshots, so no safety snapshot can be taken: their daily snapshots are all there is.',
        },
        async (_clusterPath, backupPath) => {
          const path = `${backupPath}/snapshots`;
          try {
            const response = await ctx.send({
              method: 'POST',
              path,
              mediaType: DEDICATED_MEDIA_TYPE,
              body: { description: input.description, retentionInDays: input.retentionInDays },
              createsResource: true,
            });
            return readCreatedResource(() => toOnDemandSnapshot(response.body, `POST ${path}`), 'on-demand snapshot', `POST ${path}`);
          } catch (error) {
            throw rewordOutcomeUnknown(
              error,
              'on-demand snapshot',
              "Atlas did not confirm the on-demand snapshot: look at the cluster's snapshots in Atlas before taking another one.",
            );
          }
        },
      );
    },
  };
}
