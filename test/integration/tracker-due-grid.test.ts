// A long poll's due time lies on the whole-second grid, in the step's data and in BullMQ's delayed set, so
// the polls of many restores due within one second are fetched together (src/restore/align-due-time.ts).
import { describe, expect, it } from 'vitest';
import { DUE_TIME_GRID_MS } from '../../src/restore/align-due-time.js';
import { restoreJobId } from '../../src/restore/tracker.js';
import { waitFor } from '../helpers/wait-for.js';
import { useTrackerHarness } from './tracker-harness.js';

const world = useTrackerHarness();

describe('due times of long polls', () => {
  it('are whole seconds, and BullMQ has the job due at exactly that time', async () => {
    const { h } = world;
    // Base 10 s: the first minutes poll every 5 s ±20 %, long enough for the grid.
    const tracker = await h.startTracker('grid', { pollIntervalSeconds: 10, minDelayMs: 1000 });
    const queue = h.queue();
    const dues: number[] = [];
    for (let i = 0; i < 3; i += 1) {
      const { req } = await h.seedRunning('dedicated');
      await tracker.track(req.id);
      const dueAt = await waitFor(
        async () => {
          const job = await queue.getJob(restoreJobId(req.id));
          const due = (job?.data as { dueAt?: number } | undefined)?.dueAt;
          return due !== undefined && (await job?.getState()) === 'delayed' ? due : undefined;
        },
        { message: `the restore job of ${req.id} delayed after its first poll` },
      );
      const score = Number(await h.redis.zscore(`${h.bullPrefix}:restore-tracker:delayed`, restoreJobId(req.id)));
      // BullMQ keeps a delayed job at (due ms × 4096 + a counter).
      expect(Math.floor(score / 0x1000)).toBe(dueAt);
      dues.push(dueAt);
    }
    for (const due of dues) expect(due % DUE_TIME_GRID_MS).toBe(0);
  });
});
