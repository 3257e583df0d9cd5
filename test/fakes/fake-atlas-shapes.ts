// Renders records as the JSON Atlas serves, one shape per cluster type (schemas named in each function), with the
// fields Atlas really sends where it differs from the spec (keys of REALITY in fake-atlas-reality.ts).
import type { ClusterRecord, JobRecord, SnapshotRecord, SnapshotStatus } from './fake-atlas-data.js';
import { isoSeconds } from './fake-atlas-data.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const MONGOD_VERSION = '8.0.4';
/** Recorded: scheduledTime 17:05:10, startTime 17:05:37. */
const FLEX_START_DELAY_MS = 27_000;

const FLEX_SNAPSHOT_STATUS: Record<SnapshotStatus, string> = {
  pending: 'PENDING', queued: 'QUEUED', inProgress: 'RUNNING', completed: 'COMPLETED', failed: 'FAILED',
};
// Dedicated and serverless snapshots have no "pending"; Atlas shows such a snapshot as queued.
const DISK_SNAPSHOT_STATUS: Record<SnapshotStatus, string> = {
  pending: 'queued', queued: 'queued', inProgress: 'inProgress', completed: 'completed', failed: 'failed',
};

function plus(iso: string, ms: number): string {
  return isoSeconds(Date.parse(iso) + ms);
}

/** DiskBackupReplicaSet | FlexBackupSnapshot20241113 | ServerlessBackupSnapshot. */
export function renderSnapshot(cluster: ClusterRecord, snap: SnapshotRecord, selfHref: string): Record<string, unknown> {
  const links = [{ href: selfHref, rel: 'self' }];
  if (cluster.type === 'flex') {
    // REALITY.flexItemShape: no links; scheduled a little before it starts; expires 8 days after it was scheduled.
    const scheduledTime = plus(snap.createdAt, -FLEX_START_DELAY_MS);
    const out: Record<string, unknown> = {
      expiration: plus(scheduledTime, 8 * DAY),
      id: snap.id,
      mongoDBVersion: MONGOD_VERSION,
      scheduledTime,
      status: FLEX_SNAPSHOT_STATUS[snap.status],
    };
    // REALITY.flexSnapshotStartTime: the time it began, so none while it is PENDING or QUEUED.
    if (snap.status !== 'pending' && snap.status !== 'queued') out['startTime'] = snap.createdAt;
    // A FAILED Flex snapshot has its finishTime too (recorded in b00425c).
    if (snap.status === 'completed' || snap.status === 'failed') out['finishTime'] = plus(snap.createdAt, 90_000);
    return out;
  }
  const common: Record<string, unknown> = {
    createdAt: snap.createdAt,
    expiresAt: plus(snap.createdAt, 7 * DAY),
    // REALITY.onDemandFrequency: "ondemand" is not in the spec's enum.
    frequencyType: snap.onDemand ? 'ondemand' : 'daily',
    id: snap.id,
    links,
    mongodVersion: MONGOD_VERSION,
    snapshotType: snap.onDemand ? 'onDemand' : 'scheduled',
    status: DISK_SNAPSHOT_STATUS[snap.status],
    storageSizeBytes: snap.storageSizeBytes,
  };
  if (cluster.type === 'serverless') return { ...common, serverlessInstanceName: cluster.name };
  const out: Record<string, unknown> = {
    ...common,
    cloudProvider: 'AWS',
    copyRegions: [],
    policyItems: snap.onDemand ? [] : [snap.id.slice(0, 8) + '0000000000000001'],
    replicaSetName: cluster.name,
    type: 'replicaSet',
  };
  if (snap.status !== 'completed') {
    // REALITY.snapshotTimeAtCompletion: no createdAt (nor size, nor cloudProvider) until the snapshot is completed,
    // and no mongodVersion while it is queued.
    delete out['createdAt'];
    delete out['cloudProvider'];
    if (snap.status === 'queued' || snap.status === 'pending') delete out['mongodVersion'];
    out['storageSizeBytes'] = 0;
  }
  return out;
}

const FLEX_JOB_STATUS: Record<string, string> = {
  pending: 'PENDING', running: 'RUNNING', completed: 'COMPLETED', failed: 'FAILED',
};

/**
 * FlexBackupRestoreJob20241113 | DiskBackupSnapshotRestoreJob | ServerlessBackupRestoreJob.
 * `withCreatedAt`: the v1.0 serverless page documents createdAt; the v2 schemas do not have it.
 */
export function renderJob(job: JobRecord, selfHref: string, withCreatedAt = false): Record<string, unknown> {
  return { ...renderJobAsIs(job, selfHref, withCreatedAt), ...job.answeredWith };
}

function renderJobAsIs(job: JobRecord, selfHref: string, withCreatedAt: boolean): Record<string, unknown> {
  const links = [{ href: selfHref, rel: 'self' }];
  if (job.type === 'flex') {
    // REALITY.flexItemShape: no links; expirationDate is 6 hours after restoreScheduledDate.
    const out: Record<string, unknown> = {
      deliveryType: 'RESTORE',
      expirationDate: plus(job.createdAt, 6 * HOUR),
      id: job.id,
      instanceName: job.sourceName,
      projectId: job.sourceGroupId,
      restoreScheduledDate: job.createdAt,
      snapshotFinishedDate: plus(job.snapshotCreatedAt, 90_000),
      snapshotId: job.snapshotId,
      // REALITY.flexJobQueued: PENDING, then QUEUED, then RUNNING.
      status: job.state === 'pending' && job.queued ? 'QUEUED' : (FLEX_JOB_STATUS[job.state] ?? 'FAILED'),
      targetDeploymentItemName: job.targetClusterName,
      targetProjectId: job.targetGroupId,
    };
    // REALITY.failedFlexJobFinishes: a FAILED job has its restoreFinishedDate too, and no reason.
    if ((job.state === 'completed' || job.state === 'failed') && job.finishedAt) out['restoreFinishedDate'] = job.finishedAt;
    return out;
  }
  const out: Record<string, unknown> = {
    cancelled: job.state === 'cancelled',
    deliveryType: job.deliveryType,
    deliveryUrl: [],
    expired: job.state === 'expired',
    // REALITY.cancelledJobAlsoFailed: a cancelled job says failed: true too, and has a finishedAt.
    failed: job.state === 'failed' || job.state === 'cancelled',
    id: job.id,
    links,
    snapshotId: job.snapshotId,
    // REALITY.jobWithoutCreatedAt: the snapshot's time, never the job's.
    timestamp: job.snapshotCreatedAt,
  };
  if (withCreatedAt) out['createdAt'] = job.createdAt;
  // REALITY.desiredTimestampNulls, recorded for dedicated jobs only (no serverless job was ever recorded).
  if (job.type === 'dedicated') out['desiredTimestamp'] = { increment: null, time: null, date: null };
  if (job.deliveryType === 'download') {
    // REALITY.downloadJobNeverFinishes: ready when the URL is there; no finishedAt, no target.
    if (job.state === 'completed') {
      out['deliveryUrl'] = [`https://restore-${job.id}.fake-atlas.invalid:27017/restore-${job.snapshotId}.tar.gz`];
      out['expiresAt'] = plus(job.finishedAt ?? job.createdAt, HOUR);
    }
    if (job.state === 'cancelled' && job.finishedAt) out['finishedAt'] = job.finishedAt;
    return out;
  }
  out['targetClusterName'] = job.targetClusterName;
  // REALITY.dedicatedJobDeploymentItem: Atlas's internal name of the target, not the cluster's name (dedicated only).
  if (job.type === 'dedicated') out['targetDeploymentItemName'] = `atlas-${job.id.slice(-6)}`;
  out['targetGroupId'] = job.targetGroupId;
  // A failed job has finished too: clients must look at the flags before finishedAt.
  if ((job.state === 'completed' || job.state === 'failed' || job.state === 'cancelled') && job.finishedAt) out['finishedAt'] = job.finishedAt;
  return out;
}
