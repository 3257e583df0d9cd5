// The Redis state store for restore requests (DESIGN.md §4). Every change is one Lua script, i.e.
// an atomic compare-and-set: a double click, a Slack retry or a second replica finds the new state
// and gets { ok: false }. Nothing lives only in process memory.
import { createEvictionWatch } from '../redis/eviction-watch.js';
import type { RedisClient } from '../redis/redis-client.js';
import { CLAIM_AS } from './lua/lock-scripts.js';
import { ADD_APPROVAL, CLAIM_FIELD, CREATE_REQUEST, GIVE_BACK_FIELD } from './lua/request-scripts.js';
import { runScript } from './lua/run-script.js';
import { newRequestId } from './request-id.js';
import { appendAudit, appendAuditOnce, readAudit, type AuditEvent } from './store-audit.js';
import { assertStates, decodeRequest, encodePatch, encodeRequest, isRequestState, validateRequest } from './store-codec.js';
import { compareAndSet as casRequest, type TransitionResult } from './store-cas.js';
import { StoreError } from './store-error.js';
import { storeKeys } from './store-keys.js';
import { createStateMarker, describeStateLoss, type StateLoss } from './store-state-marker.js';
import { acquireTargetLock, refreshTargetLock, releaseTargetLock, type LockResult } from './store-lock.js';
import { FINAL_REQUEST_STATES, type ClusterRef, type RequestState, type RestoreRequest } from './types.js';

export { StoreError, type StoreErrorCode } from './store-error.js';
export { targetKey } from './store-keys.js';
export type { AuditEvent } from './store-audit.js';
export type { TransitionResult } from './store-cas.js';
export { describeStateLoss, type InFlightSeen, type StateLoss } from './store-state-marker.js';

export interface StoreOptions {
  /** Must not use ioredis `keyPrefix`: the store adds `prefix` itself, the one prefix the start-up checks and the hash tag rule see. */
  redis: RedisClient;
  /** e.g. 'atlas-restore:' */
  prefix: string;
  /** Approximate cap of the audit stream. Default 100 000. */
  auditMaxLen?: number;
  /** Called with each audit event once it is in the stream, e.g. to log it as one structured line. */
  onAudit?: (event: AuditEvent, streamId: string) => void;
  /** How long a request in a final state is kept. Default 90 days. */
  retentionSeconds?: number;
  /**
   * Called when ping() finds something wrong with Redis that users can't see: it lost the bot's data (restarted empty,
   * replaced, flushed; once per replica), or its maxmemory-policy evicts now (once per change). To log as an error.
   */
  onRedisWarning?: (warning: RedisWarning) => void;
  /** How often ping() asks the eviction policy again (default 5 minutes). */
  evictionCheckEveryMs?: number;
}

export type RedisWarning = { code: 'REDIS_STATE_LOST'; text: string; loss: StateLoss } | { code: 'REDIS_EVICTION_POLICY'; text: string };

export interface AddApprovalResult {
  outcome: 'added' | 'already_approved' | 'not_pending' | 'expired' | 'not_found';
  request: RestoreRequest | null;
  /** True for exactly the call whose approval made the request 'approved'. */
  complete: boolean;
}

export interface RestoreStore {
  newRequestId(): string;
  create(req: RestoreRequest): Promise<void>;
  get(id: string): Promise<RestoreRequest | null>;
  /**
   * Compare-and-set on the state. `unlessSet`: refused as well while that field is set, in the same script (an end
   * before the POST must not win over a run that has claimed the POST: `postStartedAt`).
   */
  transition(id: string, from: readonly RequestState[], to: RequestState, patch?: Partial<RestoreRequest>, opts?: { unlessSet?: keyof RestoreRequest }): Promise<TransitionResult>;
  update(id: string, whenState: readonly RequestState[], patch: Partial<RestoreRequest>): Promise<TransitionResult>;
  /** Refused with 'expired' at or after the approval's expiry, atomically with the check. */
  addApproval(id: string, user: string, at: string): Promise<AddApprovalResult>;
  /** Sets `field` to `value` only if it is absent and the state is one of `whenState`: exactly one caller wins. */
  /** `alongside`: more fields the winner writes in the same script (none are removed). */
  claimField<K extends keyof RestoreRequest>(id: string, whenState: readonly RequestState[], field: K, value: NonNullable<RestoreRequest[K]>, alongside?: Partial<RestoreRequest>): Promise<TransitionResult>;
  /** Removes `tokenField` and `fields` only while `tokenField` still holds `token` (a claim still the caller's), atomically. */
  giveBackField(id: string, whenState: readonly RequestState[], tokenField: keyof RestoreRequest, token: string, fields: readonly (keyof RestoreRequest)[]): Promise<TransitionResult>;
  acquireTargetLock(target: ClusterRef, requestId: string, ttlSeconds: number): Promise<LockResult>;
  /** True while `requestId` holds it; a missing lock is taken again while that request is submitting or running. */
  refreshTargetLock(target: ClusterRef, requestId: string, ttlSeconds: number): Promise<boolean>;
  releaseTargetLock(target: ClusterRef, requestId: string): Promise<void>;
  listActive(): Promise<RestoreRequest[]>;
  listRecent(limit: number, requester?: string): Promise<RestoreRequest[]>;
  findByJobId(jobId: string): Promise<RestoreRequest | null>;
  claimOnce(key: string, ttlSeconds: number): Promise<boolean>;
  /** Gives a claim back, e.g. when the claimed attempt was refused and may be tried again. */
  releaseClaim(key: string): Promise<void>;
  /** Claims `key` for `value` unless it is claimed; resolves with the value that holds it (`value` when it is ours). */
  claimAs(key: string, value: string, ttlSeconds: number): Promise<string>;
  audit(event: AuditEvent): Promise<string>;
  /** Appends the event unless one with the same `onceKey` was appended in the last `ttlSeconds` (atomic); null then. */
  auditOnce(onceKey: string, event: AuditEvent, ttlSeconds?: number): Promise<string | null>;
  readAudit(count: number): Promise<AuditEvent[]>;
  /** Whether Redis takes a write under the prefix, within 1 s (readiness: the primary holding the app's keys answers). */
  ping(): Promise<boolean>;
  /** What ping() found wrong and still stands: the last loss of Redis's data this replica noticed, an evicting policy. */
  redisWarnings(): RedisWarning[];
}

const DEFAULT_AUDIT_MAX_LEN = 100_000;
const DEFAULT_RETENTION_SECONDS = 90 * 24 * 3600;
const PING_TIMEOUT_MS = 1000;

function assertPositiveInteger(value: number, what: string): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new StoreError('STORE_INVALID_ARGUMENT', `${what} must be an integer >= 1, got ${value}`);
  }
}

function assertId(id: string, what = 'request id'): void {
  if (typeof id !== 'string' || id === '') throw new StoreError('STORE_INVALID_ARGUMENT', `${what} must be a non-empty string`);
}

export function createRestoreStore(opts: StoreOptions): RestoreStore {
  const { redis, prefix } = opts;
  if (typeof prefix !== 'string' || prefix === '') {
    throw new StoreError('STORE_CONFIG', 'store prefix must be a non-empty string, e.g. "atlas-restore:"');
  }
  if (redis.options.keyPrefix) {
    throw new StoreError('STORE_CONFIG', 'the ioredis client must not set keyPrefix; give the store a prefix instead');
  }
  const auditMaxLen = opts.auditMaxLen ?? DEFAULT_AUDIT_MAX_LEN;
  const retentionSeconds = opts.retentionSeconds ?? DEFAULT_RETENTION_SECONDS;
  assertPositiveInteger(auditMaxLen, 'auditMaxLen');
  assertPositiveInteger(retentionSeconds, 'retentionSeconds');
  const keys = storeKeys(prefix);
  const marker = createStateMarker(redis, keys);
  let lastLoss: RedisWarning | undefined;
  const evictions = createEvictionWatch(redis, {
    ...(opts.evictionCheckEveryMs !== undefined ? { everyMs: opts.evictionCheckEveryMs } : {}),
    onEvicting: (text) => opts.onRedisWarning?.({ code: 'REDIS_EVICTION_POLICY', text }),
  });

  async function get(id: string): Promise<RestoreRequest | null> {
    assertId(id);
    return decodeRequest(await redis.hgetall(keys.request(id)));
  }

  /** Fetches many requests in one round trip; ids whose record expired come back as null. */
  async function getMany(ids: readonly string[]): Promise<(RestoreRequest | null)[]> {
    if (ids.length === 0) return [];
    const pipeline = redis.pipeline();
    for (const id of ids) pipeline.hgetall(keys.request(id));
    const replies = (await pipeline.exec()) ?? [];
    return replies.map(([err, reply]) => {
      if (err) throw err;
      return decodeRequest(reply);
    });
  }

  const compareAndSet = async (id: string, allowed: readonly RequestState[], to: RequestState | '', patch: Partial<RestoreRequest>, unlessSet?: keyof RestoreRequest) => {
    assertId(id);
    return casRequest({ redis, keys, retentionSeconds }, id, allowed, to, patch, unlessSet);
  };

  return {
    newRequestId,
    get,

    async create(req) {
      validateRequest(req);
      const score = Date.parse(req.createdAt);
      // Index entries are trimmed a day after the retention window to outlive slow restores.
      const trimBelow = Date.now() - (retentionSeconds + 24 * 3600) * 1000;
      const created = await runScript(
        redis,
        CREATE_REQUEST,
        [keys.request(req.id), keys.active, keys.recent, keys.recentBy(req.requester), ...(req.atlasJobId ? [keys.job(req.atlasJobId)] : [])],
        [req.id, FINAL_REQUEST_STATES.includes(req.state) ? '1' : '0', retentionSeconds, score, trimBelow, ...encodeRequest(req)],
      );
      if (created !== 1) throw new StoreError('STORE_DUPLICATE', `request ${req.id} already exists`);
    },

    async transition(id, from, to, patch = {}, opts = {}) {
      assertStates(from, 'transition from');
      if (!isRequestState(to)) throw new StoreError('STORE_INVALID_ARGUMENT', `transition to: unknown request state ${JSON.stringify(to)}`);
      if (opts.unlessSet !== undefined && opts.unlessSet in patch) throw new StoreError('STORE_INVALID_ARGUMENT', 'transition: unlessSet names a field the patch writes');
      return compareAndSet(id, from, to, patch, opts.unlessSet);
    },

    async update(id, whenState, patch) {
      assertStates(whenState, 'update whenState');
      return compareAndSet(id, whenState, '', patch);
    },

    async addApproval(id, user, at) {
      assertId(id);
      assertId(user, 'approver user id');
      if (typeof at !== 'string' || Number.isNaN(Date.parse(at))) {
        throw new StoreError('STORE_INVALID_ARGUMENT', `approval time must be an ISO 8601 string, got ${JSON.stringify(at)}`);
      }
      const now = new Date().toISOString();
      const reply = (await runScript(redis, ADD_APPROVAL, [keys.request(id)], [user, at, JSON.stringify(now), now])) as [
        AddApprovalResult['outcome'],
        unknown?,
        number?,
      ];
      return { outcome: reply[0], request: reply.length > 1 ? decodeRequest(reply[1]) : null, complete: reply[2] === 1 };
    },

    async claimField(id, whenState, field, value, alongside = {}) {
      assertId(id);
      assertStates(whenState, 'claimField whenState');
      if (typeof field !== 'string' || (['id', 'state', 'requester', 'createdAt', 'updatedAt'] as string[]).includes(field)) {
        throw new StoreError('STORE_INVALID_ARGUMENT', `claimField may not claim ${JSON.stringify(field)}`);
      }
      const { pairs: alongsidePairs, deletes } = encodePatch(alongside);
      if (deletes.length > 0 || field in alongside) throw new StoreError('STORE_INVALID_ARGUMENT', 'claimField writes alongside fields only; it removes none and claims the field once');
      const reply = (await runScript(redis, CLAIM_FIELD, [keys.request(id)], [
        whenState.join(','),
        field,
        JSON.stringify(value),
        JSON.stringify(new Date().toISOString()),
        ...alongsidePairs,
      ])) as [number, unknown?];
      const request = reply.length > 1 ? decodeRequest(reply[1]) : null;
      return reply[0] === 1 && request ? { ok: true, request } : { ok: false, request };
    },

    async giveBackField(id, whenState, tokenField, token, fields) {
      assertId(id);
      assertStates(whenState, 'giveBackField whenState');
      const args = [whenState.join(','), tokenField, JSON.stringify(token), JSON.stringify(new Date().toISOString()), ...fields];
      const reply = (await runScript(redis, GIVE_BACK_FIELD, [keys.request(id)], args)) as [number, unknown?];
      const request = reply.length > 1 ? decodeRequest(reply[1]) : null;
      return reply[0] === 1 && request ? { ok: true, request } : { ok: false, request };
    },

    acquireTargetLock: (target, requestId, ttl) => acquireTargetLock(redis, keys, target, requestId, ttl),
    refreshTargetLock: (target, requestId, ttl) => refreshTargetLock(redis, keys, target, requestId, ttl),
    releaseTargetLock: (target, requestId) => releaseTargetLock(redis, keys, target, requestId),

    async listActive() {
      // The marker alongside, in the same round trip: what this read finds is named again if Redis loses it.
      const replies = (await redis.pipeline().smembers(keys.active).get(keys.marker).exec()) ?? [];
      for (const [err] of replies) if (err) throw err;
      const ids = (replies[0]?.[1] ?? []) as string[];
      const markerAtRead = (replies[1]?.[1] ?? null) as string | null;
      const requests = await getMany(ids);
      const stale = ids.filter((_, i) => requests[i] === null);
      if (stale.length > 0) await redis.srem(keys.active, ...stale);
      const active = requests.filter((r): r is RestoreRequest => r !== null).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
      marker.remember(active, markerAtRead);
      return active;
    },

    async listRecent(limit, requester) {
      assertPositiveInteger(limit, 'listRecent limit');
      if (requester !== undefined) assertId(requester, 'requester');
      const index = requester === undefined ? keys.recent : keys.recentBy(requester);
      const found: RestoreRequest[] = [];
      // Pages, because entries whose request expired are skipped (and dropped from the index).
      for (let start = 0; found.length < limit; ) {
        const ids = await redis.zrevrange(index, start, start + limit - 1);
        if (ids.length === 0) break;
        const requests = await getMany(ids);
        const stale = ids.filter((_, i) => requests[i] === null);
        for (const r of requests) if (r && found.length < limit) found.push(r);
        if (stale.length > 0) await redis.zrem(index, ...stale);
        start += ids.length - stale.length;
      }
      return found;
    },

    async findByJobId(jobId) {
      assertId(jobId, 'job id');
      const id = await redis.get(keys.job(jobId));
      if (id === null) return null;
      const request = await get(id);
      // The index is never rewritten in place; trust it only while the request still names this job.
      return request && request.atlasJobId === jobId ? request : null;
    },

    async claimOnce(key, ttlSeconds) {
      assertId(key, 'claim key');
      assertPositiveInteger(ttlSeconds, 'claimOnce ttlSeconds');
      return (await redis.set(keys.once(key), '1', 'EX', ttlSeconds, 'NX')) === 'OK';
    },

    async releaseClaim(key) {
      assertId(key, 'claim key');
      await redis.del(keys.once(key));
    },

    async claimAs(key, value, ttlSeconds) {
      assertId(key, 'claim key');
      assertPositiveInteger(ttlSeconds, 'claimAs ttlSeconds');
      return String(await runScript(redis, CLAIM_AS, [keys.once(key)], [value, ttlSeconds]));
    },

    async audit(event) {
      const id = await appendAudit(redis, keys, auditMaxLen, event);
      opts.onAudit?.(event, id);
      return id;
    },

    async auditOnce(onceKey, event, ttlSeconds = retentionSeconds) {
      assertId(onceKey, 'audit once key');
      assertPositiveInteger(ttlSeconds, 'auditOnce ttlSeconds');
      const id = await appendAuditOnce(redis, keys, auditMaxLen, onceKey, ttlSeconds, event);
      if (id !== null) opts.onAudit?.(event, id);
      return id;
    },
    readAudit: (count) => readAudit(redis, keys, count),

    async ping() {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), PING_TIMEOUT_MS);
      });
      try {
        // A write, under the prefix: a PING is answered by any node, a replica (a primary demoted in place) or a
        // Cluster master that doesn't hold the app's slot included, while every request and lock needs the one that does.
        // The marker is read in the same script: a loss is noticed even when the answer comes after the timeout.
        const probed = marker.probe().then(({ loss }) => {
          if (loss) {
            lastLoss = { code: 'REDIS_STATE_LOST', text: describeStateLoss(loss), loss };
            opts.onRedisWarning?.(lastLoss);
          }
          return true;
        }, () => false);
        evictions.maybeCheck();
        return await Promise.race([probed, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    redisWarnings() {
      const policy = evictions.current();
      return [...(lastLoss ? [lastLoss] : []), ...(policy ? [{ code: 'REDIS_EVICTION_POLICY' as const, text: policy }] : [])];
    },
  };
}
