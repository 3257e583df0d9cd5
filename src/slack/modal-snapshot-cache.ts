// The snapshots a viewer was shown, per modal and source, so the submit check (which has 3 s) reads Redis, not Atlas.
import type { RedisClient } from '../redis/redis-client.js';
import type { Snapshot } from '../atlas/types.js';

/** Snapshots that cannot be restored (yet) are kept too, so the submit check can say why instead of "not found". */
export type CachedSnapshot = Pick<Snapshot, 'id' | 'status' | 'createdAt'>;
const TTL_SECONDS = 2 * 3600; // a modal left open longer is re-checked against Atlas

export function createModalSnapshotCache(redis: RedisClient, prefix: string) {
  const key = (viewId: string) => `${prefix}modal:${viewId}`;
  return {
    async remember(viewId: string, sourceKey: string, snapshots: readonly Snapshot[]): Promise<void> {
      const slim: CachedSnapshot[] = snapshots.map(({ id, status, createdAt }) => ({ id, status, createdAt }));
      await redis.multi().hset(key(viewId), sourceKey, JSON.stringify(slim)).expire(key(viewId), TTL_SECONDS).exec();
    },
    async lookup(viewId: string, sourceKey: string, snapshotId: string): Promise<CachedSnapshot | null | undefined> {
      const raw = await redis.hget(key(viewId), sourceKey);
      if (raw === null) return undefined; // not cached: ask Atlas
      const found = (JSON.parse(raw) as CachedSnapshot[]).find((s) => s.id === snapshotId);
      return found ?? null;
    },
  };
}
