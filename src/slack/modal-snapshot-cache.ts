// What a viewer was shown, per modal and source, so that the submit check (which has 3 s) and a rebuild after a
// choice (what, from, target) read Redis, not Atlas: the snapshots, and what the source supports (SourceFacts).
import type { RedisClient } from '../redis/redis-client.js';
import type { Snapshot } from '../atlas/types.js';
import type { SourceFacts } from './views/source-facts.js';

/** Snapshots that cannot be restored (yet) are kept too, so the submit check can say why instead of "not found". */
/** `expiresAt` too: a snapshot Atlas deletes before the request could be sent is refused on submit. */
export type CachedSnapshot = Pick<Snapshot, 'id' | 'status' | 'createdAt' | 'snapshotType' | 'expiresAt'>;
export type LoadedSourceFacts = Extract<SourceFacts, { status: 'loaded' }>;
const TTL_SECONDS = 2 * 3600; // a modal left open longer is re-checked against Atlas

export function createModalSnapshotCache(redis: RedisClient, prefix: string) {
  const key = (viewId: string) => `${prefix}modal:${viewId}`;
  const read = async (viewId: string, sourceKey: string): Promise<CachedSnapshot[] | undefined> => {
    const raw = await redis.hget(key(viewId), sourceKey);
    return raw === null ? undefined : (JSON.parse(raw) as CachedSnapshot[]);
  };
  return {
    async remember(viewId: string, sourceKey: string, snapshots: readonly Snapshot[]): Promise<void> {
      const slim: CachedSnapshot[] = snapshots.map(({ id, status, createdAt, snapshotType, expiresAt }) => ({ id, status, createdAt, snapshotType, expiresAt }));
      await redis.multi().hset(key(viewId), sourceKey, JSON.stringify(slim)).expire(key(viewId), TTL_SECONDS).exec();
    },
    /** The snapshots shown for this source, or undefined when not cached (ask Atlas). */
    list: read,
    async lookup(viewId: string, sourceKey: string, snapshotId: string): Promise<CachedSnapshot | null | undefined> {
      const cached = await read(viewId, sourceKey);
      if (cached === undefined) return undefined; // not cached: ask Atlas
      return cached.find((s) => s.id === snapshotId) ?? null;
    },
  };
}

/** Only facts that loaded are kept: an error is worth asking Atlas again for. */
export function createModalFactsCache(redis: RedisClient, prefix: string) {
  const key = (viewId: string) => `${prefix}modal-facts:${viewId}`;
  return {
    async remember(viewId: string, sourceKey: string, facts: LoadedSourceFacts): Promise<void> {
      await redis.multi().hset(key(viewId), sourceKey, JSON.stringify(facts)).expire(key(viewId), TTL_SECONDS).exec();
    },
    async lookup(viewId: string, sourceKey: string): Promise<LoadedSourceFacts | undefined> {
      const raw = await redis.hget(key(viewId), sourceKey);
      return raw === null ? undefined : (JSON.parse(raw) as LoadedSourceFacts);
    },
  };
}
