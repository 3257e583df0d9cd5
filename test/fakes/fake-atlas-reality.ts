// Where Atlas answers differently from its OpenAPI spec (or says what the spec leaves open), what our fake Atlas
// does about it, and the recorded answers that show it. The one place that says so: the fake cites these keys,
// fake-atlas-reality.test.ts checks that the fake does each, fake-atlas-contract.test.ts checks the evidence and
// applies the spec patches (nothing else adapts the spec).
//
// Evidence keys are recordings in test/fixtures/atlas-recordings/ (see `key` in test/helpers/atlas-recordings.ts).
import type { SpecPatch } from '../helpers/openapi-contract.js';

export interface RealityDifference {
  /** What Atlas does. */
  atlas: string;
  /** What the spec says (or that it says nothing). */
  spec: string;
  /** What the fake does about it. */
  fake: string;
  /** Recorded answers that show it; empty when no recording does (then `source` says where it is from). */
  evidence: readonly string[];
  source?: string;
  /** Only where the spec is wrong: the contract check replaces these sub-schemas, and nothing else. */
  specPatches?: readonly SpecPatch[];
}

const RUNNING_SNAPSHOT = 'head TestSnapshots/Watch_creation/GET_clusters_cluster-209_backup_snapshots_6a7944f22c88faeba59d3572_1';
const AUTOMATED_JOB = 'head TestRestores/Restores_Watch/GET_clusters_backupRestores-305_backup_restoreJobs_6a794733c0eb9e7a17740663_1';
const WRONG_TYPE_400 = 'head TestSnapshots/List/GET_flexClusters_cluster-209_backup_snapshots_1';

export const REALITY = {
  snapshotTimeAtCompletion: {
    atlas: 'A dedicated snapshot that is queued or inProgress has no createdAt (nor mongodVersion at first, nor cloudProvider until late, and storageSizeBytes 0); createdAt appears when it completes.',
    spec: 'Documents createdAt on DiskBackupReplicaSet without saying when it is absent (no property is required).',
    fake: 'Leaves createdAt and cloudProvider out of dedicated snapshots until they are completed, and mongodVersion while they are queued; storageSizeBytes is 0 until then.',
    evidence: [
      'head TestSnapshots/Create_snapshot/POST_clusters_cluster-209_backup_snapshots_1',
      RUNNING_SNAPSHOT,
      'head TestSnapshots/Watch_creation/GET_clusters_cluster-209_backup_snapshots_6a7944f22c88faeba59d3572_2',
      'head TestSnapshots/Watch_creation/GET_clusters_cluster-209_backup_snapshots_6a7944f22c88faeba59d3572_4',
    ],
  },
  onDemandFrequency: {
    atlas: 'On-demand snapshots say frequencyType "ondemand" (and snapshotType "onDemand").',
    spec: 'The snapshot\'s frequencyType is an enum of hourly, daily, weekly, monthly, yearly (the policy items\' enum does have ondemand).',
    fake: 'Snapshots added with onDemand: true say frequencyType "ondemand", snapshotType "onDemand".',
    evidence: [RUNNING_SNAPSHOT, 'head TestSnapshots/Create_snapshot/POST_clusters_cluster-209_backup_snapshots_1'],
    // DiskBackupReplicaSet: GET of snapshots; DiskBackupSnapshot: the answer to POST (take one on demand).
    specPatches: ['DiskBackupReplicaSet', 'DiskBackupSnapshot'].map((schema) => ({
      schema,
      pointer: '/properties/frequencyType',
      with: { type: 'string', enum: ['hourly', 'daily', 'weekly', 'monthly', 'yearly', 'ondemand'], readOnly: true },
    })),
  },
  jobWithoutCreatedAt: {
    atlas: 'A dedicated restore job has no createdAt; its timestamp is the time of the snapshot it restores, not of the job.',
    spec: 'DiskBackupSnapshotRestoreJob has no createdAt; timestamp is described as the snapshot\'s time.',
    fake: 'Dedicated and v2 serverless jobs carry timestamp = the snapshot\'s time and no createdAt (v1.0 keeps createdAt, as its docs show).',
    evidence: ['head TestRestores/Restores_Create_-_Automated/POST_clusters_backupRestores-305_backup_restoreJobs_1', AUTOMATED_JOB],
  },
  desiredTimestampNulls: {
    atlas: 'Restore jobs carry desiredTimestamp {increment: null, time: null, date: null} when no point in time was asked for.',
    spec: 'ApiBSONTimestampView: date is a date-time string, increment an integer (no null).',
    fake: 'Sends the same null desiredTimestamp on dedicated jobs.',
    evidence: [AUTOMATED_JOB],
    specPatches: [
      {
        schema: 'ApiBSONTimestampView',
        pointer: '/properties',
        with: {
          date: { type: ['string', 'null'], format: 'date-time', readOnly: true },
          increment: { type: ['integer', 'null'], format: 'int32', readOnly: true },
        },
      },
    ],
  },
  failedFlexJobFinishes: {
    atlas: 'A FAILED Flex restore job carries restoreFinishedDate, and no reason anywhere.',
    spec: 'FlexBackupRestoreJob20241113 documents restoreFinishedDate and no failure text.',
    fake: 'Sets restoreFinishedDate on FAILED Flex jobs too; advanceJob\'s reason is kept for inspection only.',
    evidence: ['607eb73 TestFlexBackup/Restores_List/GET_flexClusters_snapshotCluster0_backup_restoreJobs_1'],
  },
  downloadJobNeverFinishes: {
    atlas: 'A download job never gets finishedAt: it is ready when deliveryUrl lists the archive (and expiresAt appears).',
    spec: 'Says nothing about which fields a download job gets when.',
    fake: 'Seeded download jobs get a deliveryUrl and expiresAt when completed, never finishedAt, and no target.',
    evidence: [
      'head TestRestores/Restores_Watch_-_Download/GET_clusters_backupRestores-305_backup_restoreJobs_6a7948342c88faeba59eb866_1',
      'head TestRestores/Restores_Watch_-_Download/GET_clusters_backupRestores-305_backup_restoreJobs_6a7948342c88faeba59eb866_2',
    ],
  },
  flexJobQueued: {
    atlas: 'A Flex restore job goes PENDING, then QUEUED, then RUNNING.',
    spec: 'Lists PENDING, QUEUED, RUNNING, FAILED, COMPLETED without an order.',
    fake: 'A pending Flex job says QUEUED once advanceJob(id, \'queued\') moved it there (never on its own: stepsPerState counts GETs from PENDING to RUNNING).',
    evidence: ['14d9c0c TestFlexBackup/Restores_Watch/GET_flexClusters_test-flex_backup_restoreJobs_68427ff48dba3d3587c62606_2'],
  },
  flexSnapshotStartTime: {
    atlas: 'Not recorded: every recorded Flex snapshot had started. A PENDING or QUEUED one cannot have a startTime yet.',
    spec: 'startTime: "Date and time when MongoDB Cloud began taking the snapshot" (FlexBackupSnapshot20241113).',
    fake: 'Sends startTime only once a Flex snapshot is RUNNING or later; scheduledTime always.',
    evidence: [],
    source: 'the spec\'s description of FlexBackupSnapshot20241113.startTime',
  },
  onDemandTakenAfterRequest: {
    atlas: 'An on-demand snapshot\'s createdAt is when it was taken, about 1.5 minutes after the POST that asked for it (its id carries the POST\'s second): 6a7944f2… (03:26:42) says 03:28:08.',
    spec: 'Says nothing about the time.',
    fake: 'Dates a completed on-demand snapshot when it completes, but never earlier than 86 s after it was requested, even when a test completes it at once.',
    evidence: [
      'head TestSnapshots/Create_snapshot/POST_clusters_cluster-209_backup_snapshots_1',
      'head TestSnapshots/Watch_creation/GET_clusters_cluster-209_backup_snapshots_6a7944f22c88faeba59d3572_4',
    ],
  },
  listOrder: {
    atlas: 'A Flex snapshot list comes oldest first; restore-job lists come newest first.',
    spec: 'Says nothing about order.',
    fake: 'Serves Flex snapshot lists oldest first, every other snapshot list and every restore-job list newest first.',
    evidence: ['head TestFlexBackup/Snapshot_List/GET_flexClusters_snapshotCluster0_backup_snapshots_1', 'head TestFlexBackup/Restores_List/GET_flexClusters_snapshotCluster0_backup_restoreJobs_1'],
  },
  createAnswers200: {
    atlas: 'POST …/backup/restoreJobs answers 200 (older docs said 201).',
    spec: 'Documents 200.',
    fake: 'Answers 200.',
    evidence: ['head TestRestores/Restores_Create_-_Automated/POST_clusters_backupRestores-305_backup_restoreJobs_1'],
  },
  errorHeaders: {
    atlas: 'Error answers are application/json and repeat their errorCode in an X-Error-Code header (the Digest 401 challenge has none).',
    spec: 'Documents the application/json ApiError body; no header.',
    fake: 'Sends X-Error-Code with every ApiError answer except the 401 challenge.',
    evidence: [WRONG_TYPE_400, 'head TestSnapshots/GET_clusters_cluster-209_5'],
  },
  digestChallengeBody: {
    atlas: 'A Digest 401 says errorCode UNEXPECTED_ERROR, detail "You are not authorized for this resource.", and has no parameters.',
    spec: 'Documents an ApiError with a meaningful errorCode and parameters.',
    fake: 'Answers every Digest 401 (the challenge and refused credentials) with that body.',
    evidence: ['head TestSetup/Describe_Cluster/GET_clusters_cluster-29_1'],
  },
  parametersAreStrings: {
    atlas: 'ApiError.parameters are strings, e.g. ["cluster-209"] or [name, groupId].',
    spec: 'parameters is an array of objects.',
    fake: 'Sends the cluster name (and group id for not-found) as string parameters, as the recordings do.',
    evidence: [WRONG_TYPE_400, 'head TestSnapshots/GET_clusters_cluster-209_5'],
    specPatches: [{ schema: 'ApiError', pointer: '/properties/parameters/items', with: { type: 'string' } }],
  },
  rateLimitHeaders: {
    atlas: 'Answers to authenticated v2 requests carry Ratelimit-Limit and Ratelimit-Remaining, error answers too: 1200 for backup paths and Flex descriptions, 10000 for dedicated cluster descriptions, counting down per endpoint family.',
    spec: 'Documents RateLimit-Limit and RateLimit-Remaining (integers) on success answers only; no values.',
    fake: 'Counts v2 requests per endpoint family (cluster kind and resource) in a 60 s window of its clock: Ratelimit-Limit 1200 (10000 for a dedicated cluster description), Ratelimit-Remaining what is left (0 on an injected 429). v1.0 answers carry none, as recorded.',
    evidence: [RUNNING_SNAPSHOT, WRONG_TYPE_400, 'head TestSetup/Describe_Cluster/GET_clusters_cluster-29_2'],
  },
  versionedMediaTypeCharset: {
    atlas: 'A v2 answer says Content-Type application/vnd.atlas.<version>+json;charset=utf-8, an empty 204 too; error answers say application/json, without charset.',
    spec: 'Names the media type without parameters (application/vnd.atlas.2023-01-01+json).',
    fake: 'Adds ;charset=utf-8 to every versioned answer, 204 included; errors and v1.0 answers stay application/json.',
    evidence: [RUNNING_SNAPSHOT, 'head TestFlexBackup/Snapshot_List/GET_flexClusters_snapshotCluster0_backup_snapshots_1', 'head TestSnapshots/Delete/DELETE_clusters_cluster-209_backup_snapshots_6a7944f22c88faeba59d3572_1', WRONG_TYPE_400],
  },
  flexItemShape: {
    atlas: 'Flex snapshots, Flex restore jobs and Flex cluster descriptions carry no links. A Flex snapshot is scheduled before it starts (scheduledTime 17:05:10, startTime 17:05:37) and expires 8 days after scheduledTime; a FAILED one has a finishTime. A Flex job expires 6 hours after restoreScheduledDate.',
    spec: 'FlexBackupSnapshot20241113 and FlexBackupRestoreJob20241113 document links; nothing about the times.',
    fake: 'Sends no links on Flex snapshots, jobs and descriptions; scheduledTime 27 s before startTime, expiration scheduledTime + 8 days, finishTime on completed and failed snapshots, job expirationDate restoreScheduledDate + 6 hours.',
    evidence: [
      'head TestFlexBackup/Snapshot_Describe/GET_flexClusters_snapshotCluster0_backup_snapshots_6a6f78e0cab84da5c4476b25_1',
      'b00425c TestFlexBackup/Snapshot_List/GET_flexClusters_test-flex_backup_snapshots_1',
      'head TestFlexBackup/Restores_Create_-_Automated/POST_flexClusters_snapshotCluster0_backup_restoreJobs_1',
      'head TestFlexBackup/GET_flexClusters_cluster-833_1',
    ],
  },
  dedicatedJobDeploymentItem: {
    atlas: 'An automated dedicated restore job also says targetDeploymentItemName (e.g. "atlas-72ck1q", not the target cluster\'s name, which is in targetClusterName); a download job has neither.',
    spec: 'DiskBackupSnapshotRestoreJob has no targetDeploymentItemName (only the Flex job has one, and there it is the target cluster\'s name).',
    fake: 'Sends targetDeploymentItemName "atlas-<last 6 of the job id>" next to targetClusterName on dedicated jobs that have a target.',
    evidence: [AUTOMATED_JOB, 'head TestRestores/Restores_Watch_-_Download/GET_clusters_backupRestores-305_backup_restoreJobs_6a7948342c88faeba59eb866_1'],
  },
  digestNonce: {
    atlas: 'A Digest challenge\'s nonce is 32 characters of standard base64 ("+4YICU5YLx6mQEzmVhx1G5ySQVrufjv6"): + and / occur.',
    spec: 'Says nothing about the nonce.',
    fake: 'Issues 24 random bytes in standard base64 (32 characters, + and / included).',
    evidence: ['head TestSetup/Describe_Cluster/GET_clusters_cluster-29_1'],
  },
  cancelledJobAlsoFailed: {
    atlas: 'A cancelled dedicated job says cancelled: true and failed: true at once, with a finishedAt.',
    spec: 'Documents cancelled, failed and finishedAt separately, without saying they combine.',
    fake: 'Renders a cancelled dedicated or serverless job with failed: true and its finishedAt, so only a client that reads cancelled first says "cancelled".',
    evidence: ['520d5f5 TestRestores/Restores_Watch_-_Download/GET_clusters_backupRestores-743_backup_restoreJobs_67ed1a59b5479f7decdfddfe_2'],
  },
  unknownProject: {
    atlas: 'A request naming a project that does not exist answers 404 GROUP_NOT_FOUND, "No group with ID <id> exists.", parameters [<id>].',
    spec: 'Lists 404 without saying which code.',
    fake: 'Answers GROUP_NOT_FOUND for a well-formed group id that no cluster was added to, on every cluster and backup path; CLUSTER_NOT_FOUND only within a known project.',
    evidence: ['head TestSetupFailureFlow/Invalid_Project_ID/POST_databaseUsers_2'],
  },
  automatedRestoreCannotBeCancelled: {
    atlas: 'DELETE of an automated or pointInTime restore job answers 400 CANNOT_CANCEL_AUTOMATED_RESTORE; only download jobs can be cancelled.',
    spec: 'Documents DELETE …/restoreJobs/{id} (204) without saying which jobs it applies to.',
    fake: 'Answers 400 CANNOT_CANCEL_AUTOMATED_RESTORE for every job but a download one.',
    evidence: [],
    source: 'No recording has a cancel; Atlas documentation and the project\'s DESIGN.md §1.',
  },
} as const satisfies Record<string, RealityDifference>;

export type RealityKey = keyof typeof REALITY;

/** The spec patches of the table, for the contract check of the fake's answers. */
export const REALITY_SPEC_PATCHES: readonly SpecPatch[] = Object.values(REALITY as Record<string, RealityDifference>).flatMap((d) => d.specPatches ?? []);

/** Differences seen in the recordings that the fake does not reproduce, and why. */
export const NOT_REPRODUCED: Record<string, { evidence: readonly string[]; why: string }> = {
  unauthorizedWithoutCode: {
    evidence: ['99b380e TestSetup/Run/GET_clusters_cluster-860_3'],
    why: 'A 401 body without errorCode (the spec requires one), in an older recording: the fake answers as the newer ones (REALITY.digestChallengeBody); the client maps a 401 by its status either way (replay-recordings.test.ts).',
  },
  parametersNull: {
    evidence: ['head TestLinkToken/DELETE_api_atlas_v2_orgs_a0123456789abcdef012345a_liveMigrations_linkTokens_1'],
    why: 'parameters: null, seen only outside the backup API.',
  },
};
