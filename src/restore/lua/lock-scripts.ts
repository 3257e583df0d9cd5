// Lua for the per-target lock: a hash {holder, since} with a TTL. Only the holder refreshes or releases it.
import { defineScript } from './run-script.js';

/** KEYS: lock. ARGV: holder, since, ttlSeconds. Returns {1|0, holder, since}. Re-acquiring by the holder refreshes the TTL. */
export const ACQUIRE_LOCK = defineScript(
  'acquireLock',
  `
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

/**
 * KEYS: lock, the holder's request. ARGV: holder, ttlSeconds, since, the request states in which a missing lock is taken
 * again (comma-separated). Returns 1 when refreshed, 2 when taken again, 0 when another holds it or the request is not in
 * one of those states. A lock gone under a restore that still runs (evicted: a volatile-* policy drops keys with a TTL
 * first; lapsed in a long outage; deleted) would let the next request into the target; the request's state is read
 * in the same script, so a request that has ended never takes its target back.
 */
export const REFRESH_LOCK = defineScript(
  'refreshLock',
  `
local holder = redis.call('HGET', KEYS[1], 'holder')
if holder == ARGV[1] then
  redis.call('EXPIRE', KEYS[1], ARGV[2])
  return 1
end
if holder then return 0 end
local rawState = redis.call('HGET', KEYS[2], 'state')
if not rawState then return 0 end
local state = cjson.decode(rawState)
for item in string.gmatch(ARGV[4], '[^,]+') do
  if item == state then
    redis.call('HSET', KEYS[1], 'holder', ARGV[1], 'since', ARGV[3])
    redis.call('EXPIRE', KEYS[1], ARGV[2])
    return 2
  end
end
return 0
`,
);

/** KEYS: lock. ARGV: holder. Returns 1 when released, 0 when not held by holder. */
export const RELEASE_LOCK = defineScript(
  'releaseLock',
  `
if redis.call('HGET', KEYS[1], 'holder') == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
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
