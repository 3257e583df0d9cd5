// Atlas answers → our Snapshot / RestoreJob. Unknown fields pass through (looseObject); a missing field we rely
// on becomes ATLAS_UNEXPECTED_RESPONSE naming that field. Where Atlas and its spec disagree, this follows what Atlas
// answers (test/fixtures/atlas-recordings/, replayed by test/unit/atlas/replay-recordings.test.ts).
import { z } from 'zod';
import { AtlasApiError } from './errors.js';
import type { ClusterType, RestoreJob, RestoreJobState, Snapshot } from './types.js';
import { ownEntry } from './own-entry.js';

const optionalString = z.string().optional();

const LinkSchema = z.looseObject({ rel: optionalString, href: optionalString });
export const PageSchema = z.looseObject({
  results: z.array(z.unknown()),
  totalCount: z.number().optional(),
  links: z.array(LinkSchema).optional(),
});
export type Page = z.infer<typeof PageSchema>;

// Dedicated (DiskBackupReplicaSet) and serverless (ServerlessBackupSnapshot) share these fields. A queued or
// inProgress dedicated snapshot has no createdAt (it appears at completion): one running snapshot must not make
// the whole list unreadable.
const ClassicSnapshotSchema = z.looseObject({
  id: z.string(),
  createdAt: optionalString,
  status: z.string(),
  description: optionalString,
  snapshotType: optionalString,
  frequencyType: optionalString,
  expiresAt: optionalString,
  mongodVersion: optionalString,
});

const FlexSnapshotSchema = z.looseObject({
  id: z.string(),
  status: z.string(),
  startTime: optionalString,
  finishTime: optionalString,
  scheduledTime: optionalString,
  expiration: optionalString,
  mongoDBVersion: optionalString,
});

// DiskBackupSnapshotRestoreJob and ServerlessBackupRestoreJob: the state is derived from flags. Not read on
// purpose: `timestamp` (the snapshot's time, never the job's) and `desiredTimestamp` (sent with null fields).
const ClassicRestoreJobSchema = z.looseObject({
  id: z.string(),
  deliveryType: optionalString,
  deliveryUrl: z.array(z.string()).optional(),
  snapshotId: optionalString,
  targetGroupId: optionalString,
  targetClusterName: optionalString,
  createdAt: optionalString,
  finishedAt: optionalString,
  cancelled: z.boolean().optional(),
  failed: z.boolean().optional(),
  expired: z.boolean().optional(),
  failureReason: optionalString,
});

const FlexRestoreJobSchema = z.looseObject({
  id: z.string(),
  status: z.string(),
  deliveryType: optionalString,
  snapshotId: optionalString,
  targetProjectId: optionalString,
  targetDeploymentItemName: optionalString,
  restoreScheduledDate: optionalString,
  restoreFinishedDate: optionalString,
  failureReason: optionalString,
});

/** Parses or throws ATLAS_UNEXPECTED_RESPONSE with the path of the first bad field. */
export function parseAtlasBody<T>(schema: z.ZodType<T>, body: unknown, request: string, what: string): T {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : '(body)';
  const problem = issue?.code === 'invalid_type' && issue.message.includes('undefined') ? 'is missing' : `is invalid (${issue?.message ?? 'unknown problem'})`;
  throw new AtlasApiError({
    errorCode: 'ATLAS_UNEXPECTED_RESPONSE',
    detail: `${what}: field \`${field}\` ${problem}`,
    request,
  });
}

const FLEX_SNAPSHOT_STATUS: Record<string, string> = {
  PENDING: 'queued',
  QUEUED: 'queued',
  RUNNING: 'inProgress',
  COMPLETED: 'completed',
  FAILED: 'failed',
};

export function toSnapshot(type: ClusterType, raw: unknown, request: string): Snapshot {
  if (type === 'flex') {
    const s = parseAtlasBody(FlexSnapshotSchema, raw, request, 'Flex snapshot');
    // Flex snapshots have no createdAt: the time the snapshot was taken is its start (or finish) time.
    return {
      id: s.id,
      createdAt: s.startTime ?? s.finishTime ?? s.scheduledTime,
      status: ownEntry(FLEX_SNAPSHOT_STATUS, s.status) ?? s.status.toLowerCase(),
      expiresAt: s.expiration,
      mongoDBVersion: s.mongoDBVersion,
      raw,
    };
  }
  const s = parseAtlasBody(ClassicSnapshotSchema, raw, request, `${type} snapshot`);
  return {
    id: s.id,
    createdAt: s.createdAt,
    // Already camel-case (queued | inProgress | completed | failed): keep it, only normalise case of unknowns.
    status: ['queued', 'inProgress', 'completed', 'failed'].includes(s.status) ? s.status : s.status.toLowerCase(),
    description: s.description,
    snapshotType: s.snapshotType,
    frequencyType: s.frequencyType?.toLowerCase(),
    expiresAt: s.expiresAt,
    mongoDBVersion: s.mongodVersion,
    raw,
  };
}

const FLEX_JOB_STATE: Record<string, RestoreJobState> = {
  PENDING: 'pending',
  QUEUED: 'pending',
  RUNNING: 'running',
  COMPLETED: 'completed',
  FAILED: 'failed',
};

export function toRestoreJob(type: ClusterType, raw: unknown, request: string): RestoreJob {
  if (type === 'flex') {
    const j = parseAtlasBody(FlexRestoreJobSchema, raw, request, 'Flex restore job');
    // A status outside the spec's five (a newer Atlas: `CANCELLED`, `EXPIRED`…) is 'unknown', not an error: one such
    // job in a list of 2,000 must not make the list unreadable (every restore from the source would be refused, and
    // a job created by a lost POST could never be adopted). Not terminal: the one job the bot follows is followed on.
    const state = ownEntry(FLEX_JOB_STATE, j.status) ?? 'unknown';
    return {
      id: j.id,
      state,
      ...(state === 'unknown' ? { atlasStatus: j.status } : {}),
      snapshotId: j.snapshotId,
      targetGroupId: j.targetProjectId,
      targetClusterName: j.targetDeploymentItemName,
      deliveryType: j.deliveryType,
      createdAt: j.restoreScheduledDate,
      // A FAILED job has a restoreFinishedDate too: the state comes from `status` alone.
      finishedAt: j.restoreFinishedDate,
      failureReason: j.failureReason,
      raw,
    };
  }
  const j = parseAtlasBody(ClassicRestoreJobSchema, raw, request, `${type} restore job`);
  return {
    id: j.id,
    state: classicJobState(j),
    snapshotId: j.snapshotId,
    targetGroupId: j.targetGroupId,
    targetClusterName: j.targetClusterName,
    deliveryType: j.deliveryType,
    createdAt: j.createdAt, // v1.0 only; never `timestamp`, which is when the snapshot was taken
    finishedAt: j.finishedAt,
    failureReason: j.failureReason,
    raw,
  };
}

interface ClassicJobFlags {
  cancelled?: boolean | undefined;
  expired?: boolean | undefined;
  failed?: boolean | undefined;
  finishedAt?: string | undefined;
  deliveryType?: string | undefined;
  deliveryUrl?: readonly string[] | undefined;
}

/**
 * Serverless and dedicated jobs have no status field. Atlas documents no signal that tells "accepted, not started"
 * from "restoring", so a job that is not finished, failed, cancelled or expired is 'running'. A download job never
 * gets `finishedAt`: it is done once Atlas gives the archive's URL.
 */
export function classicJobState(j: ClassicJobFlags): RestoreJobState {
  if (j.cancelled) return 'cancelled';
  if (j.expired) return 'expired';
  if (j.failed) return 'failed';
  if (j.finishedAt) return 'completed';
  if (j.deliveryType === 'download' && (j.deliveryUrl?.length ?? 0) > 0) return 'completed';
  return 'running';
}

/**
 * Newest first; stable for equal times. A snapshot without a time (a dedicated one still being taken) is the
 * newest of all: Atlas gives it a time when it completes.
 */
export function newestFirst(snapshots: Snapshot[]): Snapshot[] {
  const at = (s: Snapshot) => (s.createdAt === undefined ? Number.POSITIVE_INFINITY : Date.parse(s.createdAt));
  return snapshots
    .map((s, index) => ({ s, index, at: at(s) }))
    .sort((a, b) => (Number.isNaN(b.at) || Number.isNaN(a.at) || a.at === b.at ? 0 : b.at - a.at) || a.index - b.index)
    .map(({ s }) => s);
}
