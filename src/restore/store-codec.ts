// How a RestoreRequest maps to a Redis hash: one field per top-level property, value JSON-encoded.
// Validation lives here too, so bad input fails with a message that names the field.
import { StoreError } from './store-error.js';
import { REQUEST_STATES, type RequestState, type RestoreRequest } from './types.js';

export { REQUEST_STATES };

/** Fields a patch may not touch: identity, the state (use `to`) and what the indexes are keyed on. */
const FROZEN_FIELDS = ['id', 'state', 'requester', 'createdAt'] as const;

export function isRequestState(value: unknown): value is RequestState {
  return typeof value === 'string' && (REQUEST_STATES as readonly string[]).includes(value);
}

export function assertStates(states: readonly RequestState[], what: string): void {
  if (!Array.isArray(states) || states.length === 0) {
    throw new StoreError('STORE_INVALID_ARGUMENT', `${what} must be a non-empty list of request states`);
  }
  for (const state of states) {
    if (!isRequestState(state)) {
      throw new StoreError('STORE_INVALID_ARGUMENT', `${what}: unknown request state ${JSON.stringify(state)}`);
    }
  }
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

/** Every problem at once, so a caller fixes them in one go. */
export function validateRequest(req: RestoreRequest): void {
  const problems: string[] = [];
  if (req === null || typeof req !== 'object') {
    throw new StoreError('STORE_INVALID_REQUEST', 'request must be an object');
  }
  if (!isNonEmptyString(req.id) || /[\s,]/.test(req.id) || req.id.length > 64) {
    problems.push('id: a non-empty string without spaces or commas, at most 64 chars');
  }
  if (!isNonEmptyString(req.requester)) problems.push('requester: a non-empty Slack user id');
  if (!isRequestState(req.state)) problems.push(`state: unknown request state ${JSON.stringify(req.state)}`);
  if (!Number.isInteger(req.approvalsRequired) || req.approvalsRequired < 1) {
    problems.push('approvalsRequired: an integer >= 1');
  }
  if (!Array.isArray(req.approvals)) problems.push('approvals: an array');
  for (const field of ['createdAt', 'updatedAt', 'approvalExpiresAt'] as const) {
    if (!isNonEmptyString(req[field]) || Number.isNaN(Date.parse(req[field]))) {
      problems.push(`${field}: an ISO 8601 time`);
    }
  }
  if (!req.source || !req.target) problems.push('source and target: cluster references');
  if (problems.length > 0) {
    throw new StoreError('STORE_INVALID_REQUEST', `request is not storable: ${problems.join('; ')}`);
  }
}

/** Field/value pairs for HSET; undefined properties are simply absent. */
export function encodeRequest(req: RestoreRequest): string[] {
  const pairs: string[] = [];
  for (const [field, value] of Object.entries(req)) {
    if (value !== undefined) pairs.push(field, JSON.stringify(value));
  }
  return pairs;
}

export interface EncodedPatch {
  deletes: string[];
  pairs: string[];
}

/** A property set to undefined in the patch is removed from the stored request. */
export function encodePatch(patch: Partial<RestoreRequest>): EncodedPatch {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) {
    throw new StoreError('STORE_INVALID_ARGUMENT', 'patch must be an object');
  }
  const deletes: string[] = [];
  const pairs: string[] = [];
  for (const [field, value] of Object.entries(patch)) {
    if ((FROZEN_FIELDS as readonly string[]).includes(field)) {
      throw new StoreError(
        'STORE_INVALID_ARGUMENT',
        `patch may not change "${field}"${field === 'state' ? ' (pass the new state as `to`)' : ''}`,
      );
    }
    if (field === 'updatedAt') continue; // the store sets it
    if (value === undefined) deletes.push(field);
    else pairs.push(field, JSON.stringify(value));
  }
  if (patch.atlasJobId !== undefined && !isNonEmptyString(patch.atlasJobId)) {
    throw new StoreError('STORE_INVALID_ARGUMENT', 'patch.atlasJobId must be a non-empty string');
  }
  return { deletes, pairs };
}

/** HGETALL reply (flat [field, value, ...] from Lua, or an object from ioredis) → request, or null when empty. */
export function decodeRequest(reply: unknown): RestoreRequest | null {
  let entries: [string, unknown][];
  if (Array.isArray(reply)) {
    entries = [];
    for (let i = 0; i + 1 < reply.length; i += 2) entries.push([String(reply[i]), reply[i + 1]]);
  } else if (reply !== null && typeof reply === 'object') {
    entries = Object.entries(reply);
  } else {
    return null;
  }
  if (entries.length === 0) return null;
  const out: Record<string, unknown> = {};
  for (const [field, raw] of entries) {
    try {
      out[field] = JSON.parse(String(raw));
    } catch {
      throw new StoreError('STORE_CORRUPT', `stored request field "${field}" is not JSON`);
    }
  }
  // cjson encodes an empty Lua table as {}; approvals is the one array a script rewrites.
  if (out.approvals !== undefined && !Array.isArray(out.approvals)) out.approvals = [];
  return out as unknown as RestoreRequest;
}
