// Every Redis key the store uses, in one place. All carry the configured prefix.
import type { ClusterRef } from './types.js';

/**
 * One restore at a time per target: Atlas project id + cluster name, as the policy spells them. Not lower-cased, though
 * the policy matches names without regard to case: replicas of earlier versions, running beside this one during a
 * rolling upgrade, look at this spelling only, and a lock they can't see is no lock (two restores into one target).
 */
export function targetKey(ref: ClusterRef): string {
  return `${ref.groupId}:${ref.cluster}`;
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
    /** Written once, read by the probe's write: gone or changed means Redis lost the bot's data (store-state-marker.ts). */
    marker: `${prefix}state-marker`,
  };
}

export type StoreKeys = ReturnType<typeof storeKeys>;
