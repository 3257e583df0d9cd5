import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createPollIntervalPolicy, nextPollDelayMs, PollIntervalError, retryAfterWaitMs, stageDelayMs } from '../../../src/restore/poll-interval.js';

const MIN = 60_000;
const mid = () => 0.5; // no jitter: 1 + 0.2 * (2 * 0.5 - 1) = 1

describe('poll interval policy', () => {
  const policy = createPollIntervalPolicy({ baseSeconds: 10 });

  it('polls at half the base for the first minutes, then slows down with the restore age', () => {
    expect(nextPollDelayMs(policy, { elapsedMs: 0, random: mid })).toBe(5_000);
    expect(nextPollDelayMs(policy, { elapsedMs: 2 * MIN, random: mid })).toBe(5_000);
    expect(nextPollDelayMs(policy, { elapsedMs: 3 * MIN, random: mid })).toBe(10_000);
    expect(nextPollDelayMs(policy, { elapsedMs: 10 * MIN, random: mid })).toBe(20_000);
    expect(nextPollDelayMs(policy, { elapsedMs: 60 * MIN, random: mid })).toBe(40_000);
    expect(nextPollDelayMs(policy, { elapsedMs: 48 * 60 * MIN, random: mid })).toBe(40_000);
  });

  it('never goes below 1 s by default, and is capped', () => {
    const fast = createPollIntervalPolicy({ baseSeconds: 1 });
    expect(nextPollDelayMs(fast, { elapsedMs: 0, random: () => 0 })).toBe(1000);
    const slow = createPollIntervalPolicy({ baseSeconds: 600 });
    expect(nextPollDelayMs(slow, { elapsedMs: 5 * 60 * MIN, random: () => 0.999 })).toBe(300_000);
  });

  it('allows sub-second delays when minDelayMs says so (tests)', () => {
    const quick = createPollIntervalPolicy({ baseSeconds: 0.1, minDelayMs: 10 });
    expect(nextPollDelayMs(quick, { elapsedMs: 0, random: mid })).toBe(50);
  });

  it('jitters by at most ±20 %', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 0.9999999, noNaN: true }), fc.integer({ min: 0, max: 10 * 60 * MIN }), (r, elapsed) => {
        const d = nextPollDelayMs(policy, { elapsedMs: elapsed, random: () => r });
        const nominal = stageDelayMs(policy, elapsed);
        return d >= Math.max(1000, nominal * 0.8) - 1 && d <= Math.min(300_000, nominal * 1.2) + 1;
      }),
    );
    expect(nextPollDelayMs(policy, { elapsedMs: 5 * MIN, random: () => 0 })).toBe(8_000);
    expect(nextPollDelayMs(policy, { elapsedMs: 5 * MIN, random: () => 0.99999 })).toBe(12_000);
  });

  it('backs off exponentially while Atlas fails', () => {
    const d = (failures: number) => nextPollDelayMs(policy, { elapsedMs: 0, random: mid, failures });
    expect([d(1), d(2), d(3), d(4), d(10), d(60)]).toEqual([10_000, 20_000, 40_000, 80_000, 300_000, 300_000]);
  });

  it('retryAfterWaitMs: none without a usable Retry-After; otherwise at least it, believed up to the maximum', () => {
    for (const none of [undefined, 0, -5, Number.NaN, Number.POSITIVE_INFINITY]) expect(retryAfterWaitMs(policy, none, () => 0.5)).toBeUndefined();
    expect(retryAfterWaitMs(policy, 7_000, () => 0)).toBe(7_000);
    expect(retryAfterWaitMs(policy, 7_000, () => 1)).toBe(8_400);
    expect(retryAfterWaitMs(policy, 86_400_000, () => 0)).toBe(3_600_000);
  });

  it('waits at least Retry-After, even beyond the cap, with only upward jitter', () => {
    expect(nextPollDelayMs(policy, { elapsedMs: 0, random: () => 0, retryAfterMs: 7_000, failures: 1 })).toBe(7_000);
    expect(nextPollDelayMs(policy, { elapsedMs: 0, random: () => 0.5, retryAfterMs: 7_000 })).toBe(7_700);
    expect(nextPollDelayMs(policy, { elapsedMs: 0, random: () => 0, retryAfterMs: 600_000 })).toBe(600_000);
    // An absurd Retry-After is not believed.
    expect(nextPollDelayMs(policy, { elapsedMs: 0, random: () => 0, retryAfterMs: 86_400_000 })).toBe(3_600_000);
  });

  it('rejects a bad policy with a clear message', () => {
    expect(() => createPollIntervalPolicy({ baseSeconds: 0 })).toThrow(/POLL_INTERVAL_SECONDS\) must be a finite number > 0, got 0/);
    expect(() => createPollIntervalPolicy({ baseSeconds: Number.NaN })).toThrow(PollIntervalError);
    expect(() => createPollIntervalPolicy({ baseSeconds: 1, stages: [] })).toThrow(/must not be empty/);
    expect(() => createPollIntervalPolicy({ baseSeconds: 1, stages: [{ untilMs: 10, factor: 1 }, { untilMs: 5, factor: 2 }] })).toThrow(/stage 1 untilMs/);
    expect(() => createPollIntervalPolicy({ baseSeconds: 1, jitter: 1 })).toThrow(/jitter/);
    expect(() => createPollIntervalPolicy({ baseSeconds: 1, minDelayMs: 5000, maxDelayMs: 1000 })).toThrow(/maxDelayMs must be >= minDelayMs/);
  });

  it('follows a custom stages table', () => {
    const custom = createPollIntervalPolicy({ baseSeconds: 2, jitter: 0, stages: [{ untilMs: MIN, factor: 1 }, { untilMs: 2 * MIN, factor: 3 }] });
    expect(nextPollDelayMs(custom, { elapsedMs: 0, random: () => 0.3 })).toBe(2000);
    expect(nextPollDelayMs(custom, { elapsedMs: 90_000, random: () => 0.3 })).toBe(6000);
    expect(nextPollDelayMs(custom, { elapsedMs: 10 * MIN, random: () => 0.3 })).toBe(6000);
  });
});
