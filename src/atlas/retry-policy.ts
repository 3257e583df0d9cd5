// Retries as data: which requests may be retried, how often and how long to wait. The decision is a pure
// function so it can be tested without a server or a clock.
import { AtlasApiError } from './errors.js';

export interface RetryPolicy {
  /** Total attempts including the first one. */
  maxAttempts: number;
  /** Base of the exponential backoff: attempt n waits random(0, min(maxDelayMs, baseDelayMs * 2^(n-1))). */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this is not waited for: the error is thrown with its retryAfterMs. */
  maxRetryAfterMs: number;
  /** Methods that are safe to repeat. The POST creating a restore job is never retried, whatever this says. */
  retryMethods: readonly string[];
  retryStatuses: readonly number[];
  /** Our own codes for a request that got no usable answer and may get one if sent again. */
  retryErrorCodes: readonly string[];
  sleep: (ms: number) => Promise<void>;
  /** In [0, 1); injectable for tests. */
  random: () => number;
}

export const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 4,
  baseDelayMs: 500,
  maxDelayMs: 10_000,
  maxRetryAfterMs: 60_000,
  retryMethods: ['GET', 'DELETE'],
  retryStatuses: [429, 500, 502, 503, 504],
  // Not ATLAS_TLS_ERROR: a certificate the bot doesn't trust stays untrusted until an operator acts.
  retryErrorCodes: ['ATLAS_TIMEOUT', 'ATLAS_NETWORK_ERROR', 'ATLAS_UNREADABLE_RESPONSE'],
  sleep: defaultSleep,
  random: Math.random,
};

export function resolveRetryPolicy(partial?: Partial<RetryPolicy>): RetryPolicy {
  const policy = { ...DEFAULT_RETRY_POLICY, ...partial };
  if (!Number.isInteger(policy.maxAttempts) || policy.maxAttempts < 1) {
    throw new Error(`retryPolicy.maxAttempts must be an integer >= 1, got ${String(policy.maxAttempts)}`);
  }
  return policy;
}

export type RetryDecision = { retry: false } | { retry: true; delayMs: number };

/**
 * Should attempt number `attempt` (1-based) that failed with `error` be tried again?
 * retryErrorCodes (network errors, timeouts, unreadable answers), retryStatuses; Retry-After wins over backoff when present (and a 429 needs one).
 */
export function decideRetry(policy: RetryPolicy, method: string, attempt: number, error: unknown): RetryDecision {
  if (attempt >= policy.maxAttempts) return { retry: false };
  if (!policy.retryMethods.includes(method.toUpperCase())) return { retry: false };
  if (!(error instanceof AtlasApiError)) return { retry: false };
  const retryable = policy.retryErrorCodes.includes(error.errorCode) || (error.status !== undefined && policy.retryStatuses.includes(error.status));
  if (!retryable) return { retry: false };
  // Atlas counts requests per minute: a 429 that doesn't say when is not retried within seconds (that spends the
  // window again); the caller's own, slower backoff (a step of the restore's job) takes it from there.
  if (error.status === 429 && error.retryAfterMs === undefined) return { retry: false };
  if (error.retryAfterMs !== undefined) {
    if (error.retryAfterMs > policy.maxRetryAfterMs) return { retry: false };
    return { retry: true, delayMs: error.retryAfterMs };
  }
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return { retry: true, delayMs: Math.floor(policy.random() * ceiling) };
}

/**
 * Retry-After is either delay-seconds or an HTTP date (RFC 9110 §10.2.3). Undefined when absent or unreadable.
 * An HTTP date is the server's clock: measured against the answer's own `Date` header when it has one, so a bot whose
 * clock runs ahead doesn't retry at once (and one running behind doesn't give up on a short wait).
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number = Date.now(), serverDate?: string | null): number | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  if (!/[a-z]/i.test(trimmed)) return undefined; // an HTTP date has day and month names; '-3' is not one
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  const serverNow = serverDate ? Date.parse(serverDate) : Number.NaN;
  return Math.max(0, at - (Number.isNaN(serverNow) ? nowMs : serverNow));
}
