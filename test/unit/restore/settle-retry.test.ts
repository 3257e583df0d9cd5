// The retry policy of a final notification Slack refused: exponential to a cap, then at the cap until a long horizon
// from the first failure, the last try on the horizon itself; past it, an error log and the abandon hook, once.
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { RedisClient } from '../../../src/redis/redis-client.js';
import { createPollIntervalPolicy } from '../../../src/restore/poll-interval.js';
import { DEFAULT_SETTLE_HORIZON_MS, nextSettleRetry, type SettleRetryPolicy } from '../../../src/restore/settle-step.js';
import { assertOptions, settleRetryPolicy } from '../../../src/restore/tracker-options.js';
import type { SettleRetryState, TrackerContext, TrackerOptions } from '../../../src/restore/tracker-types.js';

const policy = createPollIntervalPolicy({ baseSeconds: 10 });
function contextWith(settleRetry: SettleRetryPolicy, abandoned: string[]): TrackerContext {
  // Only what nextSettleRetry reads.
  return { policy, settleRetry, logger: pino({ level: 'silent' }), onFinalNotificationAbandoned: () => abandoned.push('abandoned') } as unknown as TrackerContext;
}

describe('retrying a final notification', () => {
  it('doubles from the first delay to the cap, stays at the cap, and tries last on the horizon', () => {
    const abandoned: string[] = [];
    const ctx = contextWith({ firstDelayMs: 10_000, maxDelayMs: 300_000, horizonMs: DEFAULT_SETTLE_HORIZON_MS }, abandoned);
    const start = Date.parse('2026-12-03T00:00:00Z');
    let now = start;
    let state: SettleRetryState = {};
    const delays: number[] = [];
    for (;;) {
      const retry = nextSettleRetry(ctx, 'RR-1', state, new Error('slack internal_error'), now);
      if (retry.kind === 'give_up') break;
      delays.push(retry.delayMs);
      state = retry.state;
      now += retry.delayMs;
    }
    expect(delays.slice(0, 7)).toEqual([10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000]);
    expect(Math.max(...delays)).toBe(300_000);
    expect(now - start).toBe(DEFAULT_SETTLE_HORIZON_MS); // tried right up to the horizon, no whole delay past it
    expect(state.settleFailingSince).toBe(start);
    expect(delays.length).toBeGreaterThan(280); // a day of tries, not 20
    expect(abandoned).toEqual(['abandoned']);
  });
});

describe('the tracker options of the retries', () => {
  const base = { connection: { duplicate: () => undefined, options: {} } as unknown as RedisClient, prefix: 'atlas-restore:bull' } as TrackerOptions;

  it('default to the poll policy and a 24 h horizon', () => {
    expect(settleRetryPolicy(base, policy)).toEqual({ firstDelayMs: 10_000, maxDelayMs: 300_000, horizonMs: 24 * 3600_000 });
    expect(settleRetryPolicy({ ...base, settleRetry: { maxDelayMs: 50 } }, policy)).toEqual({ firstDelayMs: 10_000, maxDelayMs: 50, horizonMs: 24 * 3600_000 });
  });

  it('refuse a horizon the once-markers and intents would not outlive', () => {
    expect(() => assertOptions({ ...base, settleRetry: { horizonMs: 29 * 24 * 3600_000 } })).not.toThrow();
    expect(() => assertOptions({ ...base, settleRetry: { horizonMs: 30 * 24 * 3600_000 } })).toThrow(/under 30 days/);
    expect(() => assertOptions({ ...base, settleRetry: { firstDelayMs: 0 } })).toThrow(/settleRetry.firstDelayMs must be a number > 0/);
  });
});
