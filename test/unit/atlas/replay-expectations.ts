// What our client must make of each recorded Atlas answer (test/fixtures/atlas-recordings/), written down by
// reading the files, not by running the code. Keys: see `key` in test/helpers/atlas-recordings.ts.
import type { RestoreJobState } from '../../../src/atlas/types.js';

type Time = string | undefined;
export type Expected =
  | { snapshot: { status: string; createdAt: Time; frequencyType?: string } }
  | { snapshotPage: { count: number; statuses: Record<string, number>; atlasOrder: 'oldestFirst' | 'one' } }
  | { job: { state: RestoreJobState; createdAt: Time; finishedAt: Time } }
  | { jobPage: { count: number; totalCount: number; hasNext: boolean; states: Partial<Record<RestoreJobState, number>>; failedWithFinishedAt?: number } }
  | { empty: true };

const queued = { snapshot: { status: 'queued', createdAt: undefined, frequencyType: 'ondemand' } } as const;
const inProgress = { snapshot: { status: 'inProgress', createdAt: undefined, frequencyType: 'ondemand' } } as const;
const completedAt = (createdAt: string, frequencyType?: string): Expected => ({ snapshot: { status: 'completed', createdAt, ...(frequencyType ? { frequencyType } : {}) } });
const job = (state: RestoreJobState, createdAt: Time, finishedAt: Time): Expected => ({ job: { state, createdAt, finishedAt } });
const empty: Expected = { empty: true };

// Flex jobs: createdAt is restoreScheduledDate. Dedicated jobs: no createdAt (their `timestamp` is the snapshot's).
const FLEX_AUTOMATED = '2026-08-10T03:03:29Z';
const FLEX_DOWNLOAD = '2026-08-10T03:04:50Z';

/** Every 2xx answer on a `…/backup/snapshots` or `…/backup/restoreJobs` path. */
export const BACKUP_ANSWERS: Record<string, Expected> = {
  'head TestExportJobs/Create_snapshot/POST_clusters_cluster-989_backup_snapshots_1': queued,
  'head TestExportJobs/Delete_snapshot/DELETE_clusters_cluster-989_backup_snapshots_6a7943462c88faeba59ccf5f_1': empty,
  'head TestExportJobs/Watch_snapshot_creation/GET_clusters_cluster-989_backup_snapshots_6a7943462c88faeba59ccf5f_1': inProgress,
  'head TestExportJobs/Watch_snapshot_creation/GET_clusters_cluster-989_backup_snapshots_6a7943462c88faeba59ccf5f_2': inProgress,
  'head TestExportJobs/Watch_snapshot_creation/GET_clusters_cluster-989_backup_snapshots_6a7943462c88faeba59ccf5f_3': inProgress,
  'head TestExportJobs/Watch_snapshot_creation/GET_clusters_cluster-989_backup_snapshots_6a7943462c88faeba59ccf5f_4': completedAt('2026-08-10T03:27:08Z', 'ondemand'),

  'head TestFlexBackup/Restores_Create_-_Automated/POST_flexClusters_snapshotCluster0_backup_restoreJobs_1': job('pending', FLEX_AUTOMATED, undefined),
  'head TestFlexBackup/Restores_Create_-_Download/POST_flexClusters_snapshotCluster0_backup_restoreJobs_1': job('pending', FLEX_DOWNLOAD, undefined),
  'head TestFlexBackup/Restores_Describe/GET_flexClusters_snapshotCluster0_backup_restoreJobs_6a793f812c88faeba59bc399_1': job('completed', FLEX_AUTOMATED, '2026-08-10T03:04:32Z'),
  'head TestFlexBackup/Restores_List/GET_flexClusters_snapshotCluster0_backup_restoreJobs_1': { jobPage: { count: 100, totalCount: 2160, hasNext: true, states: { completed: 100 } } },
  'head TestFlexBackup/Restores_Watch/GET_flexClusters_snapshotCluster0_backup_restoreJobs_6a793f812c88faeba59bc399_1': job('running', FLEX_AUTOMATED, undefined),
  'head TestFlexBackup/Restores_Watch/GET_flexClusters_snapshotCluster0_backup_restoreJobs_6a793f812c88faeba59bc399_2': job('completed', FLEX_AUTOMATED, '2026-08-10T03:04:32Z'),
  'head TestFlexBackup/Restores_Watch_-_Download/GET_flexClusters_snapshotCluster0_backup_restoreJobs_6a793fd22c88faeba59bd59a_1': job('running', FLEX_DOWNLOAD, undefined),
  'head TestFlexBackup/Restores_Watch_-_Download/GET_flexClusters_snapshotCluster0_backup_restoreJobs_6a793fd22c88faeba59bd59a_2': job('completed', FLEX_DOWNLOAD, '2026-08-10T03:05:54Z'),
  // Flex snapshots have no createdAt: the time taken is startTime.
  'head TestFlexBackup/Snapshot_Describe/GET_flexClusters_snapshotCluster0_backup_snapshots_6a6f78e0cab84da5c4476b25_1': completedAt('2026-08-02T17:05:37Z'),
  'head TestFlexBackup/Snapshot_List/GET_flexClusters_snapshotCluster0_backup_snapshots_1': { snapshotPage: { count: 8, statuses: { completed: 8 }, atlasOrder: 'oldestFirst' } },
  'head TestFlexBackup/Snapshot_Watch/GET_flexClusters_snapshotCluster0_backup_snapshots_6a6f78e0cab84da5c4476b25_1': completedAt('2026-08-02T17:05:37Z'),

  'head TestRestores/Create_snapshot/POST_clusters_backupRestores-305_backup_snapshots_1': queued,
  'head TestRestores/Delete_snapshot/DELETE_clusters_backupRestores-305_backup_snapshots_6a79468a2c88faeba59de489_1': empty,
  'head TestRestores/Restores_Create_-_Automated/POST_clusters_backupRestores-305_backup_restoreJobs_1': job('running', undefined, undefined),
  'head TestRestores/Restores_Create_-_Download/POST_clusters_backupRestores-305_backup_restoreJobs_1': job('running', undefined, undefined),
  'head TestRestores/Restores_Describe/GET_clusters_backupRestores-305_backup_restoreJobs_6a794733c0eb9e7a17740663_1': job('completed', undefined, '2026-08-10T03:40:10Z'),
  'head TestRestores/Restores_List/GET_clusters_backupRestores-305_backup_restoreJobs_1': { jobPage: { count: 1, totalCount: 1, hasNext: false, states: { completed: 1 } } },
  'head TestRestores/Restores_Watch/GET_clusters_backupRestores-305_backup_restoreJobs_6a794733c0eb9e7a17740663_1': job('running', undefined, undefined),
  'head TestRestores/Restores_Watch/GET_clusters_backupRestores-305_backup_restoreJobs_6a794733c0eb9e7a17740663_2': job('completed', undefined, '2026-08-10T03:40:10Z'),
  // A download job never gets finishedAt: it is done when its deliveryUrl appears.
  'head TestRestores/Restores_Watch_-_Download/GET_clusters_backupRestores-305_backup_restoreJobs_6a7948342c88faeba59eb866_1': job('running', undefined, undefined),
  'head TestRestores/Restores_Watch_-_Download/GET_clusters_backupRestores-305_backup_restoreJobs_6a7948342c88faeba59eb866_2': job('completed', undefined, undefined),
  'head TestRestores/Watch_snapshot_creation/GET_clusters_backupRestores-305_backup_snapshots_6a79468a2c88faeba59de489_1': inProgress,
  'head TestRestores/Watch_snapshot_creation/GET_clusters_backupRestores-305_backup_snapshots_6a79468a2c88faeba59de489_2': inProgress,
  'head TestRestores/Watch_snapshot_creation/GET_clusters_backupRestores-305_backup_snapshots_6a79468a2c88faeba59de489_3': inProgress,
  'head TestRestores/Watch_snapshot_creation/GET_clusters_backupRestores-305_backup_snapshots_6a79468a2c88faeba59de489_4': completedAt('2026-08-10T03:35:05Z', 'ondemand'),

  'head TestSnapshots/Create_snapshot/POST_clusters_cluster-209_backup_snapshots_1': queued,
  'head TestSnapshots/Delete/DELETE_clusters_cluster-209_backup_snapshots_6a7944f22c88faeba59d3572_1': empty,
  'head TestSnapshots/Describe/GET_clusters_cluster-209_backup_snapshots_6a7944f22c88faeba59d3572_1': completedAt('2026-08-10T03:28:08Z', 'ondemand'),
  'head TestSnapshots/List/GET_clusters_cluster-209_backup_snapshots_1': { snapshotPage: { count: 1, statuses: { completed: 1 }, atlasOrder: 'one' } },
  'head TestSnapshots/Watch_creation/GET_clusters_cluster-209_backup_snapshots_6a7944f22c88faeba59d3572_1': inProgress,
  'head TestSnapshots/Watch_creation/GET_clusters_cluster-209_backup_snapshots_6a7944f22c88faeba59d3572_2': inProgress,
  'head TestSnapshots/Watch_creation/GET_clusters_cluster-209_backup_snapshots_6a7944f22c88faeba59d3572_3': inProgress,
  'head TestSnapshots/Watch_creation/GET_clusters_cluster-209_backup_snapshots_6a7944f22c88faeba59d3572_4': completedAt('2026-08-10T03:28:08Z', 'ondemand'),

  '14d9c0c TestFlexBackup/Restores_Watch/GET_flexClusters_test-flex_backup_restoreJobs_68427ff48dba3d3587c62606_2': job('pending', '2025-06-06T05:43:16Z', undefined),
  // An older recording of an inProgress snapshot that did carry a createdAt: still not restorable.
  '39cf3e0 TestExportJobs/Watch_snapshot_creation/GET_clusters_cluster-702_backup_snapshots_6835eb748be478155080f402_5': { snapshot: { status: 'inProgress', createdAt: '2025-05-27T16:43:46Z', frequencyType: 'ondemand' } },
  // cancelled and failed at once, with finishedAt: the flags decide (cancelled first).
  '520d5f5 TestRestores/Restores_Watch_-_Download/GET_clusters_backupRestores-743_backup_restoreJobs_67ed1a59b5479f7decdfddfe_2': job('cancelled', undefined, '2025-04-02T11:33:47Z'),
  // Two FAILED Flex jobs, each with a restoreFinishedDate: failed, not completed.
  '607eb73 TestFlexBackup/Restores_List/GET_flexClusters_snapshotCluster0_backup_restoreJobs_1': {
    jobPage: { count: 100, totalCount: 2094, hasNext: true, states: { completed: 98, failed: 2 }, failedWithFinishedAt: 2 },
  },
  'b00425c TestFlexBackup/Snapshot_List/GET_flexClusters_test-flex_backup_snapshots_1': { snapshotPage: { count: 8, statuses: { completed: 7, failed: 1 }, atlasOrder: 'oldestFirst' } },
};

const CREDENTIALS = /rejected the bot credentials/;
const NOT_FOUND = /could not find that project, cluster, snapshot or restore job/;
const WRONG_TYPE = /cluster type in the policy file does not match Atlas/;
const REFUSED = /refused the request: read the detail/;

/** Every error answer, by `<status> <errorCode as we read it>`: the hint a Slack user gets and whether to retry. */
export const ERROR_ANSWERS: Record<string, { hint: RegExp; transient: boolean }> = {
  '400 CANNOT_USE_NON_FLEX_CLUSTER_IN_FLEX_API': { hint: WRONG_TYPE, transient: false },
  '400 CANNOT_USE_FLEX_CLUSTER_IN_CLUSTER_API': { hint: WRONG_TYPE, transient: false },
  '400 CANNOT_TERMINATE_CLUSTER_WHEN_TERMINATION_PROTECTION_ENABLED': { hint: REFUSED, transient: false },
  '400 ONLINE_ARCHIVE_CANNOT_MODIFY_FIELD': { hint: REFUSED, transient: false },
  '401 UNEXPECTED_ERROR': { hint: CREDENTIALS, transient: false },
  // The 401 body without errorCode (history 99b380e): the status alone must give the credentials hint.
  '401 HTTP_401': { hint: CREDENTIALS, transient: false },
  '404 CLUSTER_NOT_FOUND': { hint: NOT_FOUND, transient: false },
  '404 GROUP_NOT_FOUND': { hint: NOT_FOUND, transient: false },
  '404 RESOURCE_NOT_FOUND': { hint: NOT_FOUND, transient: false },
  '404 DATA_FEDERATION_TENANT_NOT_FOUND_FOR_NAME': { hint: NOT_FOUND, transient: false },
  '404 UNEXPECTED_ERROR': { hint: NOT_FOUND, transient: false },
  '409 ONLINE_ARCHIVE_MUST_BE_ACTIVE_TO_PAUSE': { hint: /conflicting operation on the cluster/, transient: false },
  '500 UNEXPECTED_ERROR': { hint: /internal error/, transient: true },
};
