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
  type?: ClusterType | undefined;
}

export interface SnapshotRef {
  id: string;
  createdAt: string; // ISO 8601
}

export interface Approval {
  user: string;
  at: string; // ISO 8601
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
  failureReason?: string | undefined;
  createdAt: string;
  approvalExpiresAt: string;
  submittingAt?: string | undefined; // when the intent to POST was recorded
  /** Restore jobs of the source that existed before our POST: never adopted as ours (v2 jobs carry no createdAt). */
  jobIdsBeforeSubmit?: string[] | undefined;
  submittedAt?: string | undefined;
  finishedAt?: string | undefined;
  updatedAt: string;
}
