// Lua for the per-target lock: a hash {holder, since} with a TTL. Only the holder refreshes or releases it.
import { defineScript } from './run-script.js';

// KEYS[2], when given, is the lock as earlier versions keyed it (the policy's spelling of the project id and cluster,
// before keys were lower-cased): a restore that took it before an upgrade still holds its target. Its holder's next
// acquire or refresh moves it to KEYS[1]; another request is refused while it lasts.
const TAKE_OVER_LEGACY = `
local function takeOverLegacy(holder)
  if not KEYS[2] then return false end
  local legacy = redis.call('HMGET', KEYS[2], 'holder', 'since')
  if legacy[1] ~= holder then return false end
  local ttl = redis.call('TTL', KEYS[2])
  redis.call('HSET', KEYS[1], 'holder', legacy[1], 'since', legacy[2] or '')
  if ttl > 0 then redis.call('EXPIRE', KEYS[1], ttl) end
  redis.call('DEL', KEYS[2])
  return true
end
`;

/** KEYS: lock[, legacy lock]. ARGV: holder, since, ttlSeconds. Returns {1|0, holder, since}. Re-acquiring by the holder refreshes the TTL. */
export const ACQUIRE_LOCK = defineScript(
  'acquireLock',
  `${TAKE_OVER_LEGACY}
takeOverLegacy(ARGV[1])
if KEYS[2] then
  local legacy = redis.call('HMGET', KEYS[2], 'holder', 'since')
  if legacy[1] then return {0, legacy[1], legacy[2] or ''} end
end
local current = redis.call('HMGET', KEYS[1], 'holder', 'since')
if current[1] then
  if current[1] == ARGV[1] then
    redis.call('EXPIRE', KEYS[1], ARGV[3])
    return {1, current[1], current[2] or ''}
  end
  return {0, current[1], current[2] or ''}
end
redis.call('HSET', KEYS[1], 'holder', ARGV[1], 'since', ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[3])
return {1, ARGV[1], ARGV[2]}
`,
);

/** KEYS: lock[, legacy lock]. ARGV: holder, ttlSeconds. Returns 1 when refreshed, 0 when not held by holder. */
export const REFRESH_LOCK = defineScript(
  'refreshLock',
  `${TAKE_OVER_LEGACY}
takeOverLegacy(ARGV[1])
if redis.call('HGET', KEYS[1], 'holder') == ARGV[1] then
  redis.call('EXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
`,
);

/** KEYS: lock[, legacy lock]. ARGV: holder. Returns 1 when released, 0 when not held by holder. */
export const RELEASE_LOCK = defineScript(
  'releaseLock',
  `
local released = 0
for i = 1, #KEYS do
  if redis.call('HGET', KEYS[i], 'holder') == ARGV[1] then
    redis.call('DEL', KEYS[i])
    released = 1
  end
end
return released
`,
);

/** SET NX with a value, then whose it is: the claimer's value, ours or the one there before. */
export const CLAIM_AS = defineScript(
  'claimAs',
  `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[2]) then return ARGV[1] end
return redis.call('GET', KEYS[1])
`,
);
