// A drill whose time came while no replica was up (a deploy, a Redis or host outage at the drill's hour): when the bot
// is back, that tick's job is still in the queue, and it must run then, late, rather than be thrown away by the
// start-up's sync of the schedules (which would leave the drill silently skipped until its next time, a week later).
// Real app, real BullMQ on Redis, the fake Atlas; the cron is the drill's own kind (a pattern in a time zone), fixed
// to fire once, a few seconds after the test starts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RestoreRequest } from '../../src/restore/types.js';
import { FAST_TRACKER } from '../fakes/config-for-fakes.js';
import { waitFor } from '../helpers/wait-for.js';
import { drillRequestsOf, DRILL_POLICY } from './drill-policy.js';
import { GROUP_ID, startHarness, type Harness } from './conversation-harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ policyYaml: DRILL_POLICY });
});
afterAll(async () => {
  await h?.close();
});

const drillRequests = (): Promise<RestoreRequest[]> => drillRequestsOf(h);

/** A cron (seconds first) that fires once a year: at `at`, in UTC. */
function onceAt(at: Date): { pattern: string; tz: string } {
  return { pattern: `${at.getUTCSeconds()} ${at.getUTCMinutes()} ${at.getUTCHours()} ${at.getUTCDate()} ${at.getUTCMonth() + 1} *`, tz: 'UTC' };
}

describe('a drill whose time came while the bot was down', () => {
  it('runs when the bot is back, instead of waiting for its next time', async () => {
    h.atlas.addSnapshot(GROUP_ID, 'ledger', { createdAt: new Date(Date.now() - 30 * 60_000).toISOString() });
    const due = new Date(Math.ceil(Date.now() / 1000) * 1000 + 4000);
    const options = { tracker: { ...FAST_TRACKER, drillRepeat: () => onceAt(due) } };
    await h.restart(options);
    expect(await h.app.services.listDrills()).toEqual([expect.objectContaining({ name: 'ledger-weekly', nextRunAt: due.toISOString() })]);
    // Every replica is down when the drill's time comes.
    await h.app.stop();
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, due.getTime() - Date.now()) + 1000));
    expect(h.postsToAtlas()).toBe(0);

    await h.restart(options);
    const [req] = await waitFor(async () => {
      const found = await drillRequests();
      return found.length > 0 ? found : undefined;
    }, { timeoutMs: 10_000, message: 'the missed drill, run late' });
    expect(req!.drill?.trigger).toBe('schedule');
    // And it stays on its schedule: the next run is its next time, a year on.
    const next = Date.parse((await h.app.services.listDrills())[0]!.nextRunAt!);
    expect(next).toBeGreaterThan(due.getTime() + 300 * 24 * 3600_000);
  }, 30_000);
});
