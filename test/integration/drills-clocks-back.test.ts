// The night the clocks go back, 02:30 in Berlin comes twice (00:30 and 01:30 UTC on 2026-10-25). BullMQ plans a
// scheduler's next run from the moment a run is taken, so a 02:30 run taken late (no replica up at its time) is
// followed by the second 02:30 an hour later: two restores in one night. One run per local time: the second tick is
// skipped and audited. The ticks are put in the queue as BullMQ's scheduler puts them (its job ids), on real Redis.
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRACKER_QUEUE } from '../../src/restore/tracker.js';
import type { RestoreRequest } from '../../src/restore/types.js';
import { waitFor } from '../helpers/wait-for.js';
import { drillRequestsOf, DRILL_POLICY, DRILLS } from './drill-policy.js';
import { GROUP_ID, startHarness, waitForState, type Harness } from './conversation-harness.js';

let h: Harness;
let queue: Queue;
beforeAll(async () => {
  h = await startHarness({ policyYaml: DRILL_POLICY });
  queue = new Queue(TRACKER_QUEUE, { connection: h.redis.duplicate(), prefix: `${h.prefix}bull` });
});
afterAll(async () => {
  await queue?.close();
  await queue?.disconnect();
  await h?.close();
});

/** A tick of the drill's scheduler, planned for `at`, as BullMQ's job scheduler adds it. */
const tick = (at: string) => queue.add('drill', { drill: 'ledger-weekly', trigger: 'schedule' }, { jobId: `repeat:drill-ledger-weekly:${Date.parse(at)}` });

/** The request the tick planned for `at` starts: the one request that wasn't there before it. */
async function runOf(at: string): Promise<RestoreRequest> {
  const known = new Set((await drillRequestsOf(h)).map((r) => r.id));
  await tick(at);
  const fresh = await waitFor(async () => {
    const found = (await drillRequestsOf(h)).filter((r) => !known.has(r.id));
    return found.length > 0 ? found : undefined;
  }, { message: `the run of ${at}` });
  expect(fresh).toHaveLength(1);
  return fresh[0]!;
}

describe('a drill at a local time that comes twice', () => {
  it('runs at the first, and skips the second with a word in the audit', async () => {
    h.atlas.addSnapshot(GROUP_ID, 'ledger', { createdAt: new Date(Date.now() - 30 * 60_000).toISOString() });
    const first = await runOf('2026-10-25T00:30:00Z');
    const running = await waitForState(h, first.id, 'running');
    h.atlas.advanceJob(running.atlasJobId!, 'completed');
    await waitForState(h, first.id, 'completed');

    // 02:30 again, now in winter time: the target is free, and still nothing runs.
    const job = await tick('2026-10-25T01:30:00Z');
    await waitFor(async () => (await job.getState()) === 'completed', { message: 'the second tick, taken' });
    expect(await drillRequestsOf(h)).toHaveLength(1);
    const audit = (await h.app.services.store.readAudit(200)).find((e) => e.type === 'drill_not_started');
    expect(audit?.detail).toBe("drill ledger-weekly: 2026-10-25 02:30:00 (Europe/Berlin) came twice as the clocks went back; the drill's run for it was the first at 2026-10-25T00:30:00.000Z, this scheduled run was skipped.");

    // The next night's 02:30 is another time: it runs.
    const next = await runOf('2026-10-26T01:30:00Z');
    expect(next.id).not.toBe(first.id);
    h.atlas.advanceJob((await waitForState(h, next.id, 'running')).atlasJobId!, 'completed');
    await waitForState(h, next.id, 'completed');
  });

  it('a run taken long after its time says so in its thread', async () => {
    const dueAt = new Date(Date.now() - 2 * 3600_000).toISOString();
    const req = await runOf(dueAt);
    expect(req.drill?.late).toEqual({ dueAt, ms: expect.any(Number) });
    const cardTs = (await waitFor(async () => (await h.app.services.store.get(req.id))?.cardTs, { message: 'its card' }))!;
    const started = await waitFor(() => h.slack.thread(DRILLS, cardTs).find((m) => m.text.includes(':fire_drill:')), { message: 'its first message' });
    expect(started.text).toMatch(/It was due <!date\^\d+\^[^>]*> and starts 2 h late: no replica of the bot was running at its time\./);
    // A run on its time says nothing of it: drills.test.ts checks that.
  });
});
