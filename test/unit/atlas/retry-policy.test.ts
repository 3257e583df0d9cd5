import { describe, expect, it } from 'vitest';
import { AtlasApiError } from '../../../src/atlas/errors.js';
import { DEFAULT_RETRY_POLICY, decideRetry, parseRetryAfter, resolveRetryPolicy, type RetryPolicy } from '../../../src/atlas/retry-policy.js';

const policy = (over: Partial<RetryPolicy> = {}): RetryPolicy => ({ ...DEFAULT_RETRY_POLICY, random: () => 0.5, ...over });
const status = (s: number, retryAfterMs?: number): AtlasApiError => new AtlasApiError({ status: s, errorCode: `E${s}`, retryAfterMs });

describe('decideRetry', () => {
  it('retries GET and DELETE on 5xx, a 429 that says when, timeouts and network errors', () => {
    for (const error of [status(500), status(503), status(429, 1000), new AtlasApiError({ errorCode: 'ATLAS_TIMEOUT' }), new AtlasApiError({ errorCode: 'ATLAS_NETWORK_ERROR' })]) {
      expect(decideRetry(policy(), 'GET', 1, error).retry).toBe(true);
      expect(decideRetry(policy(), 'DELETE', 1, error).retry).toBe(true);
    }
  });

  it('does not retry a 429 without Retry-After within seconds: the window is per minute', () => {
    expect(decideRetry(policy(), 'GET', 1, status(429))).toEqual({ retry: false });
  });

  it('never retries POST, client errors, unknown errors or past the attempt limit', () => {
    expect(decideRetry(policy(), 'POST', 1, status(500))).toEqual({ retry: false });
    expect(decideRetry(policy(), 'GET', 1, status(404))).toEqual({ retry: false });
    expect(decideRetry(policy(), 'GET', 1, status(401))).toEqual({ retry: false });
    expect(decideRetry(policy(), 'GET', 1, new Error('boom'))).toEqual({ retry: false });
    expect(decideRetry(policy({ maxAttempts: 4 }), 'GET', 3, status(500)).retry).toBe(true);
    expect(decideRetry(policy({ maxAttempts: 4 }), 'GET', 4, status(500))).toEqual({ retry: false });
  });

  it('uses exponential backoff with full jitter, capped', () => {
    const p = policy({ baseDelayMs: 100, maxDelayMs: 1000 });
    expect(decideRetry({ ...p, random: () => 0.999 }, 'GET', 1, status(500))).toEqual({ retry: true, delayMs: 99 });
    expect(decideRetry({ ...p, random: () => 0.999 }, 'GET', 3, status(500))).toEqual({ retry: true, delayMs: 399 });
    expect(decideRetry({ ...p, maxAttempts: 10, random: () => 0.999 }, 'GET', 8, status(500))).toEqual({ retry: true, delayMs: 999 });
    expect(decideRetry({ ...p, random: () => 0 }, 'GET', 2, status(500))).toEqual({ retry: true, delayMs: 0 });
  });

  it('waits Retry-After when present, and gives up when it is longer than allowed', () => {
    expect(decideRetry(policy(), 'GET', 1, status(429, 3000))).toEqual({ retry: true, delayMs: 3000 });
    expect(decideRetry(policy({ maxRetryAfterMs: 2000 }), 'GET', 1, status(429, 3000))).toEqual({ retry: false });
  });

  it('rejects a nonsensical attempt count with a clear message', () => {
    expect(() => resolveRetryPolicy({ maxAttempts: 0 })).toThrow(/maxAttempts must be an integer >= 1, got 0/);
    expect(resolveRetryPolicy({ maxAttempts: 2 }).baseDelayMs).toBe(DEFAULT_RETRY_POLICY.baseDelayMs);
  });
});

describe('parseRetryAfter', () => {
  it('reads delay-seconds and HTTP dates', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('7', now)).toBe(7000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0); // in the past
  });
  it('ignores absent or unreadable values', () => {
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('')).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter('-3')).toBeUndefined();
  });
});
