// A drill's tick that comes while the drill's own previous run is still restoring (a restore of hours, a schedule
// shorter than that, or `/atlas-restore drill` just before its time): no second restore goes into the scratch target,
// and the skipped tick is no alarm either. The drill is running: its channel is not told it "did not run", and
// `drills` and the App Home go on showing a run in progress, not a run that did not happen. The skip is audited.
// Another restore holding the target is still loud (drills.test.ts). Real app, real BullMQ on Redis, the fake Atlas.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RestoreRequest } from '../../src/restore/types.js';
import { FAST_TRACKER } from '../fakes/config-for-fakes.js';
import { waitFor } from '../helpers/wait-for.js';
import { DRILL_POLICY, DRILLS } from './drill-policy.js';
import { homeText, openHome } from './home-helpers.js';
import { APPROVER, GROUP_ID, REQUESTER, startHarness, waitForState, type Harness } from './conversation-harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ policyYaml: DRILL_POLICY });
});
afterAll(async () => {
  await h?.close();
});

const drillRequests = async (): Promise<RestoreRequest[]> => (await h.app.services.store.listRecent(100)).filter((r) => r.drill?.name === 'ledger-weekly');

async function answer(user: string, text: string): Promise<string> {
  const { responseUrlId } = await h.command(user, text);
  const call = await h.slack.waitForCall('response_url', (c) => c.args.id === responseUrlId);
  return String(call.args.text);
}

describe("a drill's tick while its previous run is still restoring", () => {
  it('starts no second restore, and does not say the drill did not run', async () => {
    h.atlas.addSnapshot(GROUP_ID, 'ledger', { createdAt: new Date(Date.now() - 30 * 60_000).toISOString() });
    expect(await answer(APPROVER, 'drill ledger-weekly')).toMatch(/is starting/);
    const first = await waitFor(async () => (await drillRequests())[0], { message: 'the first run' });
    const running = await waitForState(h, first.id, 'running');
    const messages = h.slack.messages(DRILLS).length;
    const auditBefore = (await h.app.services.store.readAudit(500)).length;

    // Its scheduler fires (once, in a second) on both replicas while that restore goes on.
    const tick = { tracker: { ...FAST_TRACKER, drillRepeat: () => ({ every: 1000, limit: 1 }) } };
    await h.restart(tick);
    const replica = await h.startReplica(tick);
    try {
      const skipped = await waitFor(async () => (await h.app.services.store.readAudit(500)).slice(auditBefore).find((e) => e.type === 'drill_not_started'), { timeoutMs: 10_000, message: 'the tick, audited' });
      expect(skipped.detail).toContain(first.id);
      expect(skipped.detail).toMatch(/still running/);
      // A moment for a (wrong) loud message to arrive.
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(h.slack.messages(DRILLS).slice(messages).filter((m) => m.text.includes('did not run'))).toEqual([]);
      expect(await drillRequests()).toHaveLength(1);
      expect(h.postsToAtlas()).toBe(1);
      expect((await h.app.services.store.get(first.id))?.atlasJobId).toBe(running.atlasJobId);

      const listing = await answer(REQUESTER, 'drills');
      expect(listing).toContain('`ledger-weekly`');
      expect(listing).not.toContain('did not run');
      expect(homeText(await openHome(h, APPROVER))).not.toContain('did not run');
    } finally {
      await replica.stop();
    }
  }, 30_000);
});
