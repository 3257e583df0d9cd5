// A restore request as stored in Redis (DESIGN.md §4). Every field is plain JSON.
import type { ClusterType, RestoreJobState } from '../atlas/types.js';

export const REQUEST_STATES = [
  'pending_approval',
  'approved',
  'submitting',
  'running',
  'completed',
  'failed',
  'cancelled',
  'expired',
  'rejected',
  'approval_expired',
] as const;

export type RequestState = (typeof REQUEST_STATES)[number];

export const FINAL_REQUEST_STATES: readonly RequestState[] = [
  'completed',
  'failed',
  'cancelled',
  'expired',
  'rejected',
  'approval_expired',
];

/** A cluster as the policy knows it: project name + id, cluster name, type when known. */
export interface ClusterRef {
  project: string; // policy name of the project
  groupId: string; // Atlas project id (24 hex)
  cluster: string; // Atlas cluster name
  /** Only the policy's `type`: a type the policy leaves out is detected again whenever Atlas says it changed. */
  type?: ClusterType | undefined;
  /** What detection found when the request was made: shown to people, never used to route an Atlas call. */
  detectedType?: ClusterType | undefined;
}

export interface SnapshotRef {
  id: string;
  createdAt: string; // ISO 8601
}

export interface Approval {
  user: string;
  at: string; // ISO 8601
}

export interface SafetySnapshot {
  retentionInDays: number;
  /** Atlas's id once the POST answered (or the snapshot was found after a lost answer). */
  id?: string | undefined;
  status?: 'requested' | 'completed' | 'failed' | undefined;
  requestedAt?: string | undefined;
  completedAt?: string | undefined;
  /**
   * Which approval of the request it is taken after: 1 (absent) at first, one more each time the request went back to
   * waiting for approvals. Part of its description in Atlas, so a snapshot of an earlier round is never found as this one.
   */
  round?: number | undefined;
}

export interface NamespaceResult {
  sourceNamespace: string;
  /** Where Atlas wrote it: beside the live data under another name with CREATE_NEW, in place with OVERWRITE_EXISTING. */
  effectiveTargetNamespace?: string | undefined;
  state: string;
  restoredDocuments?: number | undefined;
  totalDocuments?: number | undefined;
  errorMessage?: string | undefined;
}

export interface RestoreRequest {
  id: string; // e.g. "RR-7K3P2Q"
  requester: string; // Slack user id
  source: ClusterRef;
  target: ClusterRef;
  snapshot: SnapshotRef;
  reason: string;
  state: RequestState;
  approvalsRequired: number;
  approvals: Approval[];
  rejectedBy?: string | undefined;
  cancelledBy?: string | undefined;
  dryRun: boolean;
  channel: string;
  cardTs?: string | undefined; // ts of the request card: the thread root
  atlasJobId?: string | undefined;
  lastJobState?: RestoreJobState | undefined;
  /** Atlas's own word for the job's state while `lastJobState` is 'unknown' (e.g. a Flex `CANCELLED`), for the card and `status`. */
  lastAtlasStatus?: string | undefined;
  failureReason?: string | undefined;
  createdAt: string;
  approvalExpiresAt: string;
  submittingAt?: string | undefined; // when the intent to POST was recorded
  /** Written by versions before the step job: set just before their POST, so its presence means "may have posted". */
  jobIdsBeforeSubmit?: string[] | undefined;
  /** Jobs matching snapshot and target that one list request showed before the POST (bounded): never adopted. */
  priorJobIds?: string[] | undefined;
  /** Set atomically by the one run that sends the POST; absent means nothing was sent to Atlas. */
  postStartedAt?: string | undefined;
  /** Written with `postStartedAt`: which run's claim it is (a claim whose answer was lost is told from a POST made). */
  postClaim?: string | undefined;
  /** An approved request is submitted by then or ends, nothing restored (approval expiry, at least a grace after the last approval). */
  submitBy?: string | undefined;
  /** While a passing fault holds the submission back: why, and since when (shown on the card). */
  waitingFor?: { reason: string; since: string } | undefined;
  /** A POST whose answer was lost and whose job did not turn up: such a job is still adopted until then. */
  lateAdoptUntil?: string | undefined;
  /** Which recorded intent the end that won is settled by (tracker-marks.ts); absent for ends of earlier versions. */
  finalIntentToken?: string | undefined;
  /** Approvals dropped by the re-check before the POST, with why (card, thread and audit say so). */
  droppedApprovals?: (Approval & { why: string })[] | undefined;
  /** Set when DRY_RUN was on at submission time for a request made as a real one. */
  dryRunAtSubmit?: boolean | undefined;
  /** A drill of the policy: pre-approved, into a scratch target (`requester` is `drill:<name>`). */
  /** `late`: a scheduled run taken this long (ms) after its time (`dueAt`), because no replica was up then. */
  drill?: { name: string; trigger: 'schedule' | 'command'; by?: string | undefined; late?: { dueAt: string; ms: number } | undefined } | undefined;
  /** A collection-level restore: these namespaces only (`db` or `db.collection`), beside or over the live data. */
  namespaces?: { sourceNamespace: string; targetNamespace?: string | undefined }[] | undefined;
  writeStrategy?: 'CREATE_NEW' | 'OVERWRITE_EXISTING' | undefined;
  indexStrategy?: 'ALL' | 'NONE' | 'ALL_EXCEPT_TTL' | undefined;
  /** A point-in-time restore to this second (dedicated, continuous backup); `snapshot` is then its base snapshot. */
  pointInTime?: { utcSeconds: number } | undefined;
  /** An on-demand snapshot of the (dedicated) target, taken after the last approval and before the restore. */
  safetySnapshot?: SafetySnapshot | undefined;
  /** Set atomically by the one run that sends the safety snapshot's POST. */
  safetySnapshotClaimedAt?: string | undefined;
  /** Documents restored so far by a collection restore, and the last 25 % step announced in the thread. */
  progress?: { restoredDocuments: number; totalDocuments: number; announcedStep: number } | undefined;
  /** Per namespace, when a collection restore ended (Atlas's `…/collections`). */
  namespaceResults?: NamespaceResult[] | undefined;
  submittedAt?: string | undefined;
  finishedAt?: string | undefined;
  updatedAt: string;
}
