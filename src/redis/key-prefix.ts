// Which key prefix to use. The default became `{atlas-restore}:` (a hash tag, for Redis Cluster); deployments
// that started before keep everything under `atlas-restore:`. Switching silently would orphan their in-flight
// requests, target locks and poll jobs, so a deployment with data only under the old default keeps using it, and
// says so at every start until the operator decides (README: "Key prefix migration"). An explicit
// REDIS_KEY_PREFIX is never second-guessed.
import type { Config } from '../config.js';
import { DEFAULT_KEY_PREFIX, LEGACY_KEY_PREFIX } from './redis-config.js';
import type { RedisClient } from './redis-client.js';
import type { RedisCheck } from './server-checks.js';

/** Keys that exist as long as a deployment has ever run (none of them expires or empties itself away). */
const MARKERS = ['recent', 'audit', 'bull:restore-tracker:meta', 'active'];

async function hasData(client: RedisClient, prefix: string): Promise<boolean> {
  for (const marker of MARKERS) {
    // One key per EXISTS: in a Cluster, keys of different prefixes may live in different slots.
    if ((await client.exists(`${prefix}${marker}`)) === 1) return true;
  }
  return false;
}

export async function resolveKeyPrefix(client: RedisClient, config: Pick<Config, 'redisKeyPrefix' | 'redis'>): Promise<{ prefix: string; check: RedisCheck }> {
  const configured = config.redisKeyPrefix;
  if (config.redis.keyPrefixFromEnv) return { prefix: configured, check: { level: 'ok', text: `key prefix "${configured}" (REDIS_KEY_PREFIX)` } };
  // The old default has no hash tag, so it can't have worked on a Cluster: nothing to keep there.
  if (config.redis.topology.kind === 'cluster') return { prefix: configured, check: { level: 'ok', text: `key prefix "${configured}"` } };
  const [current, legacy] = [await hasData(client, DEFAULT_KEY_PREFIX), await hasData(client, LEGACY_KEY_PREFIX)];
  if (legacy && !current) {
    return {
      prefix: LEGACY_KEY_PREFIX,
      check: {
        level: 'warn',
        text: `keys exist under the old default prefix "${LEGACY_KEY_PREFIX}" and none under the new "${DEFAULT_KEY_PREFIX}": keeping "${LEGACY_KEY_PREFIX}" so in-flight requests, locks and poll jobs are not orphaned. Set REDIS_KEY_PREFIX=${LEGACY_KEY_PREFIX} to keep it for good (and silence this), or migrate (README, "Key prefix migration"); Redis Cluster needs the new one`,
      },
    };
  }
  if (legacy) {
    return {
      prefix: configured,
      check: { level: 'warn', text: `key prefix "${configured}"; keys also remain under the old default "${LEGACY_KEY_PREFIX}": requests there are no longer followed (README, "Key prefix migration")` },
    };
  }
  return { prefix: configured, check: { level: 'ok', text: `key prefix "${configured}"` } };
}
