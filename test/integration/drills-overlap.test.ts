// A drill's tick that comes while the drill's own previous run is still restoring (a restore of hours, a schedule
// shorter than that, or `/atlas-restore drill` just before its time): no second restore goes into the scratch target,
// and the skipped tick is no alarm either. The drill is running: its channel is not told it "did not run", and
// `drills` and the App Home go on showing a run in progress, not a run that did not happen. The skip is audited.
// Another restore holding the target is still loud (drills.test.ts). Real app, real BullMQ on Redis, the fake Atlas.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RestoreRequest } from '../../src/restore/types.js';
import { FAST_TRACKER } from '../fakes/config-for-fakes.js';
import { waitFor } from '../helpers/wait-for.js';
import { drillRequestsOf, DRILL_POLICY, DRILLS } from './drill-policy.js';
import { homeText, openHome } from './home-helpers.js';
import { APPROVER, commandAnswer, GROUP_ID, REQUESTER, startHarness, waitForState, type Harness } from './conversation-harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ policyYaml: DRILL_POLICY });
});
afterAll(async () => {
  await h?.close();
});

const drillRequests = (): Promise<RestoreRequest[]> => drillRequestsOf(h);

const answer = (user: string, text: string): Promise<string> => commandAnswer(h, user, text);

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
      // The run in progress is the drill's last word, not the run before it (a slow restore is news for an RTO).
      expect(listing).toMatch(new RegExp(`last: \\*running\\* since .*\\(${first.id}\\)`));
      const home = homeText(await openHome(h, APPROVER));
      expect(home).not.toContain('did not run');
      expect(home).toMatch(new RegExp(`Last run: \\*running\\* since .*\\(${first.id}\\)`));
    } finally {
      await replica.stop();
    }
  }, 30_000);

  it('the same when its other run has the target but has not stored its request yet (a command and a tick at once)', async () => {
    const store = h.app.services.store;
    const [previous] = await drillRequests();
    h.atlas.advanceJob(previous!.atlasJobId!, 'completed');
    // Its next poll may be a delayed job that the remaining worker finds only at the end of a long block (seen: 8.5 s
    // overdue after the replica above stopped, as if the stopped worker had taken the wake-up marker).
    await waitForState(h, previous!.id, 'completed', 20_000);
    const target = { project: 'shop', groupId: GROUP_ID, cluster: 'staging' };
    // The other run, between its two steps: it holds the target, its request is stored a moment later.
    const sibling = store.newRequestId();
    // Once the previous run has let the target go (just after its end is stored).
    await waitFor(async () => (await store.acquireTargetLock(target, sibling, 600)).ok || undefined, { message: 'the target free' });
    const messages = h.slack.messages(DRILLS).length;
    const auditBefore = (await store.readAudit(500)).length;
    try {
      // The previous command's job may still be finishing: once it has, this run is taken.
      await waitFor(async () => (await h.app.services.tracker.runDrillNow('ledger-weekly', APPROVER)) || undefined, { timeoutMs: 10_000, message: 'a run on command' });
      await new Promise((resolve) => setTimeout(resolve, 300));
      const at = new Date().toISOString();
      await store.create({ ...previous!, id: sibling, state: 'approved', atlasJobId: undefined, cardTs: undefined, finishedAt: undefined, submittedAt: undefined, postStartedAt: undefined, createdAt: at, updatedAt: at, drill: { name: 'ledger-weekly', trigger: 'schedule' } });
      const skipped = await waitFor(async () => (await store.readAudit(500)).slice(auditBefore).find((e) => e.type === 'drill_not_started'), { timeoutMs: 10_000, message: 'the run, audited' });
      expect(skipped.detail).toContain(sibling);
      expect(skipped.detail).toMatch(/still running/);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(h.slack.messages(DRILLS).slice(messages).filter((m) => m.text.includes('did not run'))).toEqual([]);
      expect((await drillRequests()).map((r) => r.id).sort()).toEqual([previous!.id, sibling].sort());
    } finally {
      await store.update(sibling, ['approved'], { state: 'cancelled', finishedAt: new Date().toISOString() }).catch(() => undefined);
      await store.releaseTargetLock(target, sibling);
    }
  }, 30_000);
});
