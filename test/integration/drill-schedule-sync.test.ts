// Syncing the drill schedules (at every start and policy reload) must not drop a tick that is due but not yet taken:
// the bot coming back after being down at a drill's time syncs before its worker has fetched anything. BullMQ's
// upsert of a cron scheduler replaces its next job, so the sync leaves an unchanged schedule alone. Real BullMQ on
// real Redis; the "restart's sync" is run with the worker stopped, so the order is the bad one every time.
import { describe, expect, it } from 'vitest';
import type { DrillDefinition } from '../../src/restore/drill-definition.js';
import { useTrackerHarness } from './tracker-harness.js';
import { waitFor } from '../helpers/wait-for.js';

const world = useTrackerHarness();

/** A cron (seconds first) that fires once a year: at `at`, in UTC. */
const onceAt = (at: Date) => ({ pattern: `${at.getUTCSeconds()} ${at.getUTCMinutes()} ${at.getUTCHours()} ${at.getUTCDate()} ${at.getUTCMonth() + 1} *`, tz: 'UTC' });

const drill = { name: 'sync-weekly', schedule: '0 3 * * 1', timeZone: 'UTC' } as DrillDefinition;

describe('syncing the drill schedules', () => {
  it('keeps a due tick that no worker has taken yet when the schedule is unchanged, and replaces it when it changed', async () => {
    const { h } = world;
    const queue = h.queue();
    const due = new Date(Math.ceil(Date.now() / 1000) * 1000 + 2000);
    let repeat: { pattern: string; tz: string } = onceAt(due);
    const tracker = await h.startTracker('a', { drills: () => [drill], drillRepeat: () => repeat });
    await tracker.syncDrills();
    // Every worker is gone when the tick comes due (the queue stays, as in Redis).
    await tracker.stopWorker();
    const tickJobs = async () => (await queue.getJobs(['delayed', 'wait', 'prioritized'])).filter((j) => String(j.id).startsWith('repeat:drill-sync-weekly:'));
    await waitFor(async () => Date.now() > due.getTime() + 200 && (await tickJobs()).length > 0, { message: 'the tick due, not taken' });

    // The restart's sync, before any worker fetched: the due tick stays.
    await tracker.syncDrills();
    const kept = await tickJobs();
    expect(kept.map((j) => j.timestamp + (j.delay ?? 0))).toContain(due.getTime());

    // A changed schedule is applied: its next job is the new time.
    const later = new Date(due.getTime() + 3600_000);
    repeat = onceAt(later);
    await tracker.syncDrills();
    expect((await queue.getJobScheduler('drill-sync-weekly'))?.next).toBe(later.getTime());
    expect((await tickJobs()).map((j) => j.timestamp + (j.delay ?? 0))).toEqual([later.getTime()]);
  });
});
