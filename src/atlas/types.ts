// The Atlas client's public vocabulary: what the rest of the app sees, whatever the cluster type.
import type { BackupScheduleCalls } from './backup-schedule.js';
import type { CollectionRestoreCalls } from './collection-restore.js';
import type { DescribeClusterCalls } from './describe-cluster.js';
import type { OnDemandSnapshotCalls } from './on-demand-snapshot.js';
import type { PointInTimeCalls } from './point-in-time.js';

export type { BackupSchedule, RestoreWindow } from './backup-schedule.js';
export type {
  CollectionIndexStrategy,
  CollectionRestoreJob,
  CollectionRestoreNamespaceResult,
  CollectionWriteStrategy,
  CreateCollectionRestoreJobInput,
  NamespaceOutcome,
  RestoreNamespace,
} from './collection-restore.js';
export type { ClusterDescription } from './describe-cluster.js';
export type { OnDemandSnapshot, TakeOnDemandSnapshotInput } from './on-demand-snapshot.js';

export type ClusterType = 'serverless' | 'flex' | 'dedicated';
export const CLUSTER_TYPES: readonly ClusterType[] = ['flex', 'dedicated', 'serverless'];

/** Where a cluster lives in Atlas. `type` is undefined when the policy leaves it to detection. */
export interface ClusterLocation {
  groupId: string;
  clusterName: string;
  type?: ClusterType | undefined;
}

export interface Snapshot {
  id: string;
  /**
   * When the snapshot was taken (ISO 8601). Usually undefined while a dedicated snapshot is `queued` or
   * `inProgress`: Atlas adds `createdAt` at completion, whatever the spec says. Only completed snapshots with a
   * time can be restored (isRestorable).
   */
  createdAt?: string | undefined;
  /** Normalised: 'completed' | 'queued' | 'inProgress' | 'failed' | other lower-cased Atlas status. */
  status: string;
  description?: string | undefined;
  /** e.g. 'scheduled' | 'onDemand' | 'fallback' (dedicated, serverless), absent for Flex. */
  snapshotType?: string | undefined;
  /** e.g. 'hourly' | 'daily' | … and 'ondemand' (which the spec does not list); absent for Flex. */
  frequencyType?: string | undefined;
  expiresAt?: string | undefined;
  mongoDBVersion?: string | undefined;
  raw: unknown;
}

/** A snapshot a restore can start from: completed, with the time it was taken (the request card shows it). */
export function isRestorable<S extends Pick<Snapshot, 'status' | 'createdAt'>>(snapshot: S): snapshot is S & { createdAt: string } {
  return snapshot.status === 'completed' && snapshot.createdAt !== undefined;
}

/**
 * 'unknown': Atlas answered with a status we can't read (a Flex `status` or collection `state` outside the values its
 * spec lists, e.g. `CANCELLED`). Never terminal, so the bot goes on following such a job (and keeps its target
 * locked) rather than guess that it ended; its own word is in `RestoreJob.atlasStatus`. The thread is told once
 * (a job state change like any other), and a list holding such a job stays readable.
 */
export type RestoreJobState = 'pending' | 'running' | 'completed' | 'failed' | 'cancelled' | 'expired' | 'unknown';
export const TERMINAL_JOB_STATES: readonly RestoreJobState[] = ['completed', 'failed', 'cancelled', 'expired'];

export interface RestoreJob {
  id: string;
  state: RestoreJobState;
  /** Atlas's own word for the state when `state` is 'unknown' (e.g. a Flex `CANCELLED`), for logs and audits. */
  atlasStatus?: string | undefined;
  snapshotId?: string | undefined;
  targetGroupId?: string | undefined;
  targetClusterName?: string | undefined;
  /** 'automated' | 'download' | 'pointInTime' (dedicated, serverless), 'RESTORE' | 'DOWNLOAD' (Flex). */
  deliveryType?: string | undefined;
  /**
   * When the job was created, if Atlas says: v1.0 serverless `createdAt` and Flex `restoreScheduledDate` do; v2
   * dedicated and serverless jobs don't (their `timestamp` is the snapshot's time, not the job's).
   */
  createdAt?: string | undefined;
  /** Download jobs never get one; a failed Flex job does (`restoreFinishedDate`). */
  finishedAt?: string | undefined;
  /** Atlas's own words on a failure, when it gives any. */
  failureReason?: string | undefined;
  /** Collection restores: documents restored so far, and of how many (may start as an estimate). */
  restoredDocuments?: number | undefined;
  totalDocuments?: number | undefined;
  /** Collection restores: the source namespaces (databases and collections) and how they are written, if Atlas says. */
  sourceNamespaces?: string[] | undefined;
  writeStrategy?: string | undefined;
  raw: unknown;
}

export interface CreateRestoreJobInput {
  source: ClusterLocation;
  /** Required, unless pointInTimeUtcSeconds is given. */
  snapshotId?: string | undefined;
  /** Dedicated clusters with continuous cloud backup only: restore to this second (`deliveryType: pointInTime`), without snapshotId. */
  pointInTimeUtcSeconds?: number | undefined;
  target: { groupId: string; clusterName: string };
}

/** One client, three cluster types. Every method resolves the type (detecting it once when unknown). */
export interface AtlasClient {
  detectClusterType(cluster: ClusterLocation): Promise<ClusterType>;
  listSnapshots(cluster: ClusterLocation): Promise<Snapshot[]>;
  getSnapshot(cluster: ClusterLocation, snapshotId: string): Promise<Snapshot>;
  /** Never retried: the POST has no idempotency key. */
  createRestoreJob(input: CreateRestoreJobInput): Promise<RestoreJob>;
  getRestoreJob(cluster: ClusterLocation, jobId: string): Promise<RestoreJob>;
  listRestoreJobs(cluster: ClusterLocation): Promise<RestoreJob[]>;
  /**
   * One request: the first page (up to 500) of the source's restore jobs. Flex lists newest first; the order of a
   * dedicated list is not known, so `complete` says whether the page holds every job.
   */
  listRecentRestoreJobs(cluster: ClusterLocation): Promise<{ jobs: RestoreJob[]; totalCount?: number | undefined; complete: boolean }>;
  // Collection-level restores, point in time, safety snapshots (dedicated clusters; each documented in its own file).
  createCollectionRestoreJob: CollectionRestoreCalls['createCollectionRestoreJob'];
  getCollectionRestoreJob: CollectionRestoreCalls['getCollectionRestoreJob'];
  listCollectionRestoreJobs: CollectionRestoreCalls['listCollectionRestoreJobs'];
  listCollectionRestoreJobNamespaces: CollectionRestoreCalls['listCollectionRestoreJobNamespaces'];
  getBackupSchedule: BackupScheduleCalls['getBackupSchedule'];
  findSnapshotForPointInTime: PointInTimeCalls['findSnapshotForPointInTime'];
  takeOnDemandSnapshot: OnDemandSnapshotCalls['takeOnDemandSnapshot'];
  describeCluster: DescribeClusterCalls['describeCluster'];
}
