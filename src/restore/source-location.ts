import type { ClusterLocation } from '../atlas/types.js';
import type { RestoreRequest } from './types.js';

/**
 * Where the request's restore jobs live in Atlas: under the source cluster. Only the policy's type is passed on;
 * a detected one stays with the client, which detects again when Atlas says the cluster changed type.
 */
export function sourceOf(req: Pick<RestoreRequest, 'source'>): ClusterLocation {
  return { groupId: req.source.groupId, clusterName: req.source.cluster, type: req.source.type };
}
