// What an Atlas error means for a restore that hasn't been sent yet, or is being followed. Pure: the steps branch on it.
import { AtlasApiError, statusAndCode } from '../atlas/errors.js';
import type { WaitCategory } from './tracker-types.js';

export type ErrorVerdict =
  /** Nothing was created and trying again later may work: wait (the thread says why once). */
  | { kind: 'wait'; category: WaitCategory; message: string; code: string; retryAfterMs?: number | undefined }
  /** Atlas said no for good. */
  | { kind: 'refuse'; message: string; code: string }
  /** Only for the create POST: Atlas may or may not have made the job. */
  | { kind: 'unknown'; message: string; code: string };

/** 401/403 and OAuth refusals: the key was rotated or revoked, the secret changed, the IP left the access list. */
export function isAccessError(err: unknown): boolean {
  return err instanceof AtlasApiError && (err.status === 401 || err.status === 403 || err.errorCode.startsWith('OAUTH_'));
}

/** What only an operator mends, said at once: Atlas refusing the bot, or a certificate the bot doesn't trust (an egress proxy's). */
export function needsOperator(err: unknown): err is AtlasApiError {
  return err instanceof AtlasApiError && (isAccessError(err) || err.errorCode === 'ATLAS_TLS_ERROR');
}

/** Atlas doesn't have it (any more): a 404, or a `*_NOT_FOUND` code; not a proxy's 404 page (transient: not Atlas's word). */
export function isNotFoundError(err: unknown): err is AtlasApiError {
  return err instanceof AtlasApiError && !err.transient && (err.status === 404 || err.errorCode.endsWith('_NOT_FOUND'));
}

export function classifyAtlasError(err: unknown): ErrorVerdict {
  if (!(err instanceof AtlasApiError)) {
    return { kind: 'wait', category: 'atlas_unavailable', message: 'Atlas could not be asked (an unexpected error; the bot log has it).', code: 'UNEXPECTED' };
  }
  const code = statusAndCode(err);
  if (err.errorCode === 'ATLAS_CREATE_OUTCOME_UNKNOWN') return { kind: 'unknown', message: err.hint, code };
  if (isAccessError(err)) return { kind: 'wait', category: 'atlas_access', message: err.hint, code };
  if (err.status === 429 || err.errorCode.startsWith('RATE_LIMITED')) {
    return { kind: 'wait', category: 'atlas_rate_limited', message: err.hint, code, retryAfterMs: err.retryAfterMs };
  }
  if (err.transient) return { kind: 'wait', category: 'atlas_unavailable', message: err.hint, code, retryAfterMs: err.retryAfterMs };
  return { kind: 'refuse', message: err.hint, code };
}
