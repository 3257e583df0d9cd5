// One restore at a time per target. The lock is a hash {holder, since} with a TTL, so a crashed
// replica's lock ends by itself; the poller refreshes it while the restore runs, and takes it again should it be gone.
import type { RedisClient } from '../redis/redis-client.js';
import { ACQUIRE_LOCK, REFRESH_LOCK, RELEASE_LOCK } from './lua/lock-scripts.js';
import { runScript } from './lua/run-script.js';
import { StoreError } from './store-error.js';
import type { StoreKeys } from './store-keys.js';
import type { ClusterRef, RequestState } from './types.js';

/** The states in which the request's restore may be writing into the target: a missing lock is taken again then. */
const RETAKE_STATES: readonly RequestState[] = ['submitting', 'running'];

export type LockResult = { ok: true } | { ok: false; holder: string; since: string };

function assertLockArgs(target: ClusterRef, requestId: string, ttlSeconds?: number): void {
  if (!target || typeof target.groupId !== 'string' || target.groupId === '' || typeof target.cluster !== 'string' || target.cluster === '') {
    throw new StoreError('STORE_INVALID_ARGUMENT', 'lock target needs a groupId and a cluster name');
  }
  if (typeof requestId !== 'string' || requestId === '') {
    throw new StoreError('STORE_INVALID_ARGUMENT', 'lock holder (requestId) must be a non-empty string');
  }
  if (ttlSeconds !== undefined && (!Number.isInteger(ttlSeconds) || ttlSeconds < 1)) {
    throw new StoreError('STORE_INVALID_ARGUMENT', `lock ttlSeconds must be an integer >= 1, got ${ttlSeconds}`);
  }
}

export async function acquireTargetLock(
  redis: RedisClient,
  keys: StoreKeys,
  target: ClusterRef,
  requestId: string,
  ttlSeconds: number,
): Promise<LockResult> {
  assertLockArgs(target, requestId, ttlSeconds);
  const reply = (await runScript(redis, ACQUIRE_LOCK, [keys.lock(target)], [
    requestId,
    new Date().toISOString(),
    ttlSeconds,
  ])) as [number, string, string];
  if (reply[0] === 1) return { ok: true };
  return { ok: false, holder: String(reply[1]), since: String(reply[2]) };
}

export async function refreshTargetLock(
  redis: RedisClient,
  keys: StoreKeys,
  target: ClusterRef,
  requestId: string,
  ttlSeconds: number,
): Promise<boolean> {
  assertLockArgs(target, requestId, ttlSeconds);
  const reply = await runScript(redis, REFRESH_LOCK, [keys.lock(target), keys.request(requestId)], [requestId, ttlSeconds, new Date().toISOString(), RETAKE_STATES.join(',')]);
  return reply === 1 || reply === 2;
}

export async function releaseTargetLock(
  redis: RedisClient,
  keys: StoreKeys,
  target: ClusterRef,
  requestId: string,
): Promise<void> {
  assertLockArgs(target, requestId);
  await runScript(redis, RELEASE_LOCK, [keys.lock(target)], [requestId]);
}
