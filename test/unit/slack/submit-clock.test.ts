import { describe, expect, it } from 'vitest';
import { startSubmitClock } from '../../../src/slack/submit-clock.js';

describe('startSubmitClock', () => {
  it('gives each step its budget, or what is left of the deadline when that is less, and never below zero', () => {
    let now = 1000;
    const clock = startSubmitClock(2300, () => now);
    expect(clock.budget(1000)).toBe(1000);
    now += 1800;
    expect(clock.left()).toBe(500);
    expect(clock.budget(1500)).toBe(500);
    now += 900;
    expect(clock.left()).toBe(0);
    expect(clock.budget(300)).toBe(0);
    // Past the deadline the clock still counts: a late answer is told by it.
    expect(clock.elapsed()).toBe(2700);
  });
});
