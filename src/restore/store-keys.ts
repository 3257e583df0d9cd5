// Every Redis key the store uses, in one place. All carry the configured prefix.
import type { ClusterRef } from './types.js';

/**
 * One restore at a time per target: Atlas project id + cluster name, in lower case. The policy matches both without
 * regard to case (ids are hex, names are unique regardless of case), so a policy that spells one differently after a
 * reload must still name the same lock.
 */
export function targetKey(ref: ClusterRef): string {
  return `${ref.groupId.toLowerCase()}:${ref.cluster.toLowerCase()}`;
}

export function storeKeys(prefix: string) {
  return {
    request: (id: string) => `${prefix}req:${id}`,
    active: `${prefix}active`,
    recent: `${prefix}recent`,
    recentBy: (requester: string) => `${prefix}recent:by:${requester}`,
    job: (jobId: string) => `${prefix}job:${jobId}`,
    lock: (target: ClusterRef) => `${prefix}lock:${targetKey(target)}`,
    once: (key: string) => `${prefix}once:${key}`,
    audit: `${prefix}audit`,
    /** Written by the readiness probe: a write under the prefix reaches the primary that holds the app's slot. */
    probe: `${prefix}readiness-probe`,
  };
}

export type StoreKeys = ReturnType<typeof storeKeys>;
