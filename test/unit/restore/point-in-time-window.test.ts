// The window a point in time must still be in right before the safety snapshot and the POST: Atlas keeps
// restoreWindowDays back from now, so a time near its start leaves it while the request waits.
import { describe, expect, it } from 'vitest';
import { leftRestoreWindow, POST_MARGIN_S, windowStart } from '../../../src/restore/point-in-time-window.js';

const NOW_MS = Date.UTC(2026, 11, 8, 12, 0);
const DAY = 86_400;

describe('leftRestoreWindow', () => {
  it('a time a minute inside at the request is outside after a 30-minute wait for approval', () => {
    const at = NOW_MS / 1000 - 7 * DAY + 2 * 60;
    expect(leftRestoreWindow(at, 7, NOW_MS)).toBe(false);
    expect(leftRestoreWindow(at, 7, NOW_MS + 30 * 60_000)).toBe(true);
  });

  it('keeps a minute at the POST: the calls before it, and a clock a little behind Atlas', () => {
    const start = windowStart(7, NOW_MS);
    expect(start).toBe(NOW_MS / 1000 - 7 * DAY);
    expect(leftRestoreWindow(start + POST_MARGIN_S, 7, NOW_MS)).toBe(false);
    expect(leftRestoreWindow(start + POST_MARGIN_S - 1, 7, NOW_MS)).toBe(true);
  });

  it('a window shortened in Atlas since the request counts; no window at all leaves nothing restorable', () => {
    const at = NOW_MS / 1000 - 3 * DAY;
    expect(leftRestoreWindow(at, 7, NOW_MS)).toBe(false);
    expect(leftRestoreWindow(at, 2, NOW_MS)).toBe(true);
    expect(leftRestoreWindow(at, undefined, NOW_MS)).toBe(true);
    expect(leftRestoreWindow(at, 0, NOW_MS)).toBe(true);
  });
});
