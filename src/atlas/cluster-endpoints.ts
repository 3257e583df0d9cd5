// Where each cluster type's backup API lives, which media type it speaks and what a create body looks like.
import { AtlasApiError } from './errors.js';
import type { ClusterType } from './types.js';

export interface RestoreTarget {
  groupId: string;
  clusterName: string;
}

export interface ClusterEndpoint {
  type: ClusterType;
  mediaType: string;
  /** `.../backup` of one cluster; append `/snapshots` or `/restoreJobs`. */
  backupPath(groupId: string, clusterName: string): string;
  createBody(snapshotId: string, target: RestoreTarget): Record<string, unknown>;
}

const segment = (value: string): string => encodeURIComponent(value);

export const CLUSTER_ENDPOINTS: Record<ClusterType, ClusterEndpoint> = {
  // The seed's v1.0 endpoint, exactly as documented (same schema as v2 serverless, plain application/json).
  serverless: {
    type: 'serverless',
    mediaType: 'application/json',
    backupPath: (g, name) => `/api/atlas/v1.0/groups/${segment(g)}/serverless/${segment(name)}/backup`,
    createBody: (snapshotId, target) => ({
      snapshotId,
      deliveryType: 'automated',
      targetClusterName: target.clusterName,
      targetGroupId: target.groupId,
    }),
  },
  flex: {
    type: 'flex',
    mediaType: 'application/vnd.atlas.2024-11-13+json',
    backupPath: (g, name) => `/api/atlas/v2/groups/${segment(g)}/flexClusters/${segment(name)}/backup`,
    createBody: (snapshotId, target) => ({
      snapshotId,
      targetDeploymentItemName: target.clusterName,
      targetProjectId: target.groupId,
    }),
  },
  dedicated: {
    type: 'dedicated',
    mediaType: 'application/vnd.atlas.2023-01-01+json',
    backupPath: (g, name) => `/api/atlas/v2/groups/${segment(g)}/clusters/${segment(name)}/backup`,
    createBody: (snapshotId, target) => ({
      deliveryType: 'automated',
      snapshotId,
      targetClusterName: target.clusterName,
      targetGroupId: target.groupId,
    }),
  },
};

/** Rejects empty or path-breaking identifiers before they reach a URL. */
export function requireIdentifier(name: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '' || /[/\s?#]/.test(value)) {
    throw new AtlasApiError({
      errorCode: 'ATLAS_INVALID_ARGUMENT',
      detail: `${name} must be a non-empty name or id without spaces, '/', '?' or '#', got ${JSON.stringify(value)}`,
      hint: `The ${name} is malformed: check the policy file or the command.`,
      transient: false,
    });
  }
  return value;
}
