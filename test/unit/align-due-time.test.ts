import { describe, expect, it } from 'vitest';
import { alignDueTime, DUE_TIME_GRID_MS } from '../../src/restore/align-due-time.js';

describe('alignDueTime', () => {
  const now = Date.UTC(2026, 11, 3, 6, 0, 0, 123);

  it('rounds a long delay up to the next whole second, never earlier than asked', () => {
    for (const delayMs of [3000, 4001, 5877, 9999.6, 120_000]) {
      const due = alignDueTime(now, delayMs);
      expect(due % DUE_TIME_GRID_MS).toBe(0);
      expect(due).toBeGreaterThanOrEqual(now + delayMs);
      expect(due - (now + delayMs)).toBeLessThan(DUE_TIME_GRID_MS);
    }
  });

  it('gives polls asked for within the same second the same due time', () => {
    expect(alignDueTime(now, 6100)).toBe(alignDueTime(now + 500, 5900));
  });

  it('keeps a due time already on the grid', () => {
    expect(alignDueTime(Date.UTC(2026, 11, 3, 6, 0, 0), 7000)).toBe(Date.UTC(2026, 11, 3, 6, 0, 7));
  });

  it('leaves short delays alone (quick retries, tests), rounded to a millisecond', () => {
    expect(alignDueTime(now, 20)).toBe(now + 20);
    expect(alignDueTime(now, 2999.4)).toBe(now + 2999);
    expect(alignDueTime(now, -5)).toBe(now);
  });

  it('takes another grid, and none when it is 0', () => {
    expect(alignDueTime(now, 60_000, 10_000) % 10_000).toBe(0);
    expect(alignDueTime(now, 60_000, 0)).toBe(now + 60_000);
  });
});
