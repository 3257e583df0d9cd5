// Lua for the request record. A request is a hash: one field per top-level property, each value
// JSON-encoded. Scripts only decode the fields they decide on (state, approvals), so untouched
// fields never round-trip through cjson (which would turn [] into {}).
// Every key a script touches is one of its KEYS: Redis requires it, and on a Cluster whose slot is being moved an
// undeclared key fails the script half-way, after its earlier writes (test/unit/restore/lua-keys.test.ts checks).
import { defineScript } from './run-script.js';

/**
 * KEYS: request, active set, recent zset, recent-by-requester zset, and the job index key when the request has an
 *       atlasJobId (absent otherwise: a declared key that never exists would make a Cluster answer TRYAGAIN)
 * ARGV: id, isFinal ('1'|'0'), retentionSeconds, score (createdAt ms), trimBelow (score), then field/value pairs.
 * Returns 0 when the id exists, 1 when created.
 */
export const CREATE_REQUEST = defineScript(
  'createRequest',
  `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
for i = 6, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
if KEYS[5] then redis.call('SET', KEYS[5], ARGV[1]) end
if ARGV[2] == '1' then
  redis.call('EXPIRE', KEYS[1], ARGV[3])
  if KEYS[5] then redis.call('EXPIRE', KEYS[5], ARGV[3]) end
else
  redis.call('SADD', KEYS[2], ARGV[1])
end
redis.call('ZADD', KEYS[3], ARGV[4], ARGV[1])
redis.call('ZADD', KEYS[4], ARGV[4], ARGV[1])
-- Entries older than the audit window point at expired requests: trim them as we go.
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', '(' .. ARGV[5])
redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', '(' .. ARGV[5])
return 1
`,
);

/**
 * Compare-and-set on the state, used by transition() and update().
 * KEYS: [1] request, [2] active set, [3] the index key of the job id named in ARGV[7] (absent when that is '')
 * ARGV: [1] id, [2] allowed current states (comma-separated), [3] new state ('' keeps it),
 *       [4] final states (comma-separated), [5] retentionSeconds, [6] updatedAt (JSON-encoded),
 *       [7] the atlasJobId the request names after this change, as the caller believes ('' for none),
 *       [8] a field that must be absent ('' for none: see RestoreStore.transition's `unlessSet`),
 *       [9] n fields to delete, then n field names, then field/value pairs to set.
 * Returns {0} when missing, {0, fields} when refused (a state not allowed, or the field of [8] set), {1, fields} when applied, and {2, jobId} before writing
 * anything when the index to touch is not the one declared (the stored atlasJobId is not what the caller believed):
 * the caller retries naming jobId. The index is touched when the patch sets a job id, or the request ends final.
 */
export const CAS_REQUEST = defineScript(
  'casRequest',
  `
local function member(list, value)
  for item in string.gmatch(list, '[^,]+') do
    if item == value then return true end
  end
  return false
end
local function jobIdOf(raw)
  if not raw then return '' end
  local ok, value = pcall(cjson.decode, raw)
  if ok and type(value) == 'string' then return value end
  return ''
end
local rawState = redis.call('HGET', KEYS[1], 'state')
if not rawState then return {0} end
local state = cjson.decode(rawState)
if not member(ARGV[2], state) then return {0, redis.call('HGETALL', KEYS[1])} end
if ARGV[8] ~= '' and redis.call('HEXISTS', KEYS[1], ARGV[8]) == 1 then return {0, redis.call('HGETALL', KEYS[1])} end
local deletes = tonumber(ARGV[9])
local newState = state
if ARGV[3] ~= '' then newState = ARGV[3] end
local final = member(ARGV[4], newState)
-- The job id the request names once patched: the patch's, none when the patch removes it, else the stored one.
local rawJob, patchedJob = redis.call('HGET', KEYS[1], 'atlasJobId'), false
for i = 10, 9 + deletes do
  if ARGV[i] == 'atlasJobId' then rawJob, patchedJob = nil, true end
end
for i = 10 + deletes, #ARGV, 2 do
  if ARGV[i] == 'atlasJobId' then rawJob, patchedJob = ARGV[i + 1], true end
end
local jobId = jobIdOf(rawJob)
local touchesIndex = jobId ~= '' and (patchedJob or final)
if touchesIndex and jobId ~= ARGV[7] then return {2, jobId} end
for i = 10, 9 + deletes do redis.call('HDEL', KEYS[1], ARGV[i]) end
for i = 10 + deletes, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
if ARGV[3] ~= '' then redis.call('HSET', KEYS[1], 'state', cjson.encode(newState)) end
redis.call('HSET', KEYS[1], 'updatedAt', ARGV[6])
if patchedJob and jobId ~= '' then redis.call('SET', KEYS[3], ARGV[1]) end
if final then
  -- Final: keep it for the audit window only, and out of the in-flight index.
  redis.call('EXPIRE', KEYS[1], ARGV[5])
  redis.call('SREM', KEYS[2], ARGV[1])
  if jobId ~= '' then redis.call('EXPIRE', KEYS[3], ARGV[5]) end
else
  redis.call('PERSIST', KEYS[1])
  redis.call('SADD', KEYS[2], ARGV[1])
end
return {1, redis.call('HGETALL', KEYS[1])}
`,
);

/**
 * KEYS: request
 * ARGV: [1] user, [2] at, [3] updatedAt (JSON-encoded), [4] now (ISO 8601 UTC, as toISOString writes it)
 * Returns {outcome, fields, complete (0|1)}; {'not_found'} when missing.
 * A user already in the list gets 'already_approved' whatever the state: a double click
 * after the request moved on is still "you already approved it". A click at or after the approval's expiry
 * gets 'expired' even while the request still reads pending (the expiry job may not have run yet):
 * toISOString strings of one format compare as times.
 */
export const ADD_APPROVAL = defineScript(
  'addApproval',
  `
local current = redis.call('HMGET', KEYS[1], 'state', 'approvals', 'approvalsRequired', 'approvalExpiresAt')
if not current[1] then return {'not_found'} end
local approvals = {}
if current[2] then approvals = cjson.decode(current[2]) end
for _, approval in ipairs(approvals) do
  if approval.user == ARGV[1] then return {'already_approved', redis.call('HGETALL', KEYS[1]), 0} end
end
if cjson.decode(current[1]) ~= 'pending_approval' then
  return {'not_pending', redis.call('HGETALL', KEYS[1]), 0}
end
if current[4] and cjson.decode(current[4]) <= ARGV[4] then
  return {'expired', redis.call('HGETALL', KEYS[1]), 0}
end
table.insert(approvals, {user = ARGV[1], at = ARGV[2]})
redis.call('HSET', KEYS[1], 'approvals', cjson.encode(approvals), 'updatedAt', ARGV[3])
local required = 1
if current[3] then required = tonumber(cjson.decode(current[3])) or 1 end
local complete = 0
if #approvals >= required then
  redis.call('HSET', KEYS[1], 'state', cjson.encode('approved'))
  complete = 1
end
return {'added', redis.call('HGETALL', KEYS[1]), complete}
`,
);

/** The start of a claim's scripts: {0} when the request is missing, else `allowed`: its state is one of ARGV[1]'s. */
const READ_ALLOWED_STATE = `local rawState = redis.call('HGET', KEYS[1], 'state')
if not rawState then return {0} end
local state = cjson.decode(rawState)
local allowed = false
for item in string.gmatch(ARGV[1], '[^,]+') do
  if item == state then allowed = true end
end
`;

/**
 * Sets one field only if it is absent and the state is one of the allowed: the one caller that wins may act
 * (e.g. send the POST); every other sees {0, fields}.
 * KEYS: request. ARGV: [1] allowed states (comma-separated), [2] field, [3] value (JSON), [4] updatedAt (JSON),
 * then field/value pairs written with the claim (only by the winner).
 */
export const CLAIM_FIELD = defineScript(
  'claimField',
  `
${READ_ALLOWED_STATE}if not allowed or redis.call('HEXISTS', KEYS[1], ARGV[2]) == 1 then return {0, redis.call('HGETALL', KEYS[1])} end
redis.call('HSET', KEYS[1], ARGV[2], ARGV[3], 'updatedAt', ARGV[4])
for i = 5, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
return {1, redis.call('HGETALL', KEYS[1])}
`,
);

/**
 * KEYS: request
 * ARGV: [1] allowed states (comma-separated), [2] token field, [3] token (JSON-encoded), [4] updatedAt (JSON-encoded),
 *       [5..] the claim's fields to remove with it
 * Gives a claim back only while it is still the caller's: the token field holds the caller's token, the state is
 * allowed and no job is recorded. Returns {1, fields} when given back, {0, fields} otherwise, {0} when missing.
 */
export const GIVE_BACK_FIELD = defineScript(
  'giveBackField',
  `
${READ_ALLOWED_STATE}if not allowed or redis.call('HGET', KEYS[1], ARGV[2]) ~= ARGV[3] or redis.call('HEXISTS', KEYS[1], 'atlasJobId') == 1 then
  return {0, redis.call('HGETALL', KEYS[1])}
end
for i = 5, #ARGV do redis.call('HDEL', KEYS[1], ARGV[i]) end
redis.call('HDEL', KEYS[1], ARGV[2])
redis.call('HSET', KEYS[1], 'updatedAt', ARGV[4])
return {1, redis.call('HGETALL', KEYS[1])}
`,
);
