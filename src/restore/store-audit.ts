// The audit trail: a capped Redis stream, one entry per event, one stream field per event key.
import type { RedisClient } from '../redis/redis-client.js';
import { StoreError } from './store-error.js';
import type { StoreKeys } from './store-keys.js';
import { defineScript, runScript } from './lua/run-script.js';

export const AUDIT_EVENT_TYPES = [
  'requested',
  'approved',
  'rejected',
  'cancelled',
  'approval_expired',
  'submitting',
  'submitted',
  'adopted',
  'refused',
  'failed',
  'state_changed',
  'finished',
  'drill_started',
  'drill_not_started',
  'safety_snapshot_requested',
  'safety_snapshot_completed',
  'safety_snapshot_failed',
] as const;

export interface AuditEvent {
  type: (typeof AUDIT_EVENT_TYPES)[number];
  requestId?: string;
  user?: string;
  detail?: string;
  at?: string;
  [key: string]: string | undefined;
}

function auditFields(event: AuditEvent): string[] {
  if (!event || !(AUDIT_EVENT_TYPES as readonly string[]).includes(event.type)) {
    throw new StoreError(
      'STORE_INVALID_ARGUMENT',
      `audit event type must be one of ${AUDIT_EVENT_TYPES.join(', ')}; got ${JSON.stringify(event?.type)}`,
    );
  }
  const fields: string[] = [];
  for (const [key, value] of Object.entries({ at: new Date().toISOString(), ...event })) {
    if (value === undefined) continue;
    if (typeof value !== 'string') {
      throw new StoreError('STORE_INVALID_ARGUMENT', `audit field "${key}" must be a string`);
    }
    fields.push(key, value);
  }
  return fields;
}

export async function appendAudit(
  redis: RedisClient,
  keys: StoreKeys,
  maxLen: number,
  event: AuditEvent,
): Promise<string> {
  const id = await redis.xadd(keys.audit, 'MAXLEN', '~', maxLen, '*', ...auditFields(event));
  if (id === null) throw new StoreError('STORE_CORRUPT', 'XADD returned no id');
  return id;
}

/** Appends and marks in one atomic step, so a crash can neither lose the entry nor let a retry write it twice. */
const APPEND_ONCE = defineScript(
  'audit-once',
  `if redis.call('EXISTS', KEYS[2]) == 1 then return false end
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', unpack(ARGV, 3))
redis.call('SET', KEYS[2], id, 'EX', ARGV[2])
return id`,
);

export async function appendAuditOnce(
  redis: RedisClient,
  keys: StoreKeys,
  maxLen: number,
  onceKey: string,
  ttlSeconds: number,
  event: AuditEvent,
): Promise<string | null> {
  const id = await runScript(redis, APPEND_ONCE, [keys.audit, keys.once(`audit:${onceKey}`)], [maxLen, ttlSeconds, ...auditFields(event)]);
  return typeof id === 'string' ? id : null;
}

/** The last `count` events, oldest first (newest last). */
export async function readAudit(redis: RedisClient, keys: StoreKeys, count: number): Promise<AuditEvent[]> {
  if (!Number.isInteger(count) || count < 1) {
    throw new StoreError('STORE_INVALID_ARGUMENT', `audit count must be an integer >= 1, got ${count}`);
  }
  const entries = await redis.xrevrange(keys.audit, '+', '-', 'COUNT', count);
  return entries.reverse().map(([, flat]) => {
    const event: Record<string, string> = {};
    for (let i = 0; i + 1 < flat.length; i += 2) event[flat[i] as string] = flat[i + 1] as string;
    return event as AuditEvent;
  });
}
