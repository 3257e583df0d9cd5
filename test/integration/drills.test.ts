// Restore drills (DESIGN.md §2, §6) through the real app, real BullMQ and the fake Atlas: a drill runs once across
// two replicas when its scheduler fires, and on command (approvers of its target only); its card has no buttons;
// its final message gives the restore time and the snapshot age, measured on a controlled clock, against its
// previous runs; a drill that can't start says so in its channel, and `drills` and the App Home show that as its last
// result (an unconfirmed POST as of unknown outcome, until its job turns up); `drills` lists them; the metrics show
// them, also after more failed runs than the history keeps, and for a drill that never succeeded.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDrillHistory } from '../../src/restore/drill-history.js';
import type { RestoreRequest } from '../../src/restore/types.js';
import { FAST_TRACKER } from '../fakes/config-for-fakes.js';
import { tzOffsetSeconds } from '../fakes/fake-slack-workspace.js';
import { waitFor } from '../helpers/wait-for.js';
import { DRILL_POLICY, DRILLS } from './drill-policy.js';
import { homeText, openHome } from './home-helpers.js';
import { APPROVER, commandAnswer, GROUP_ID, OUTSIDER, REQUESTER, startHarness, waitForState, type Harness } from './conversation-harness.js';

const POLICY = DRILL_POLICY;

let clock = Date.now();
let h: Harness;
beforeAll(async () => {
  // The fake Atlas's clock is the test's: a job finishes when the test says, at the time it says.
  h = await startHarness({ policyYaml: POLICY, atlasOptions: { now: () => clock } });
});
afterAll(async () => {
  await h?.close();
});

const drillRequests = async (): Promise<RestoreRequest[]> => (await h.app.services.store.listRecent(100)).filter((r) => r.drill?.name === 'ledger-weekly');
const drillMessages = () => h.slack.messages(DRILLS);

const answer = (user: string, text: string): Promise<string> => commandAnswer(h, user, text);

/** Lets the drill's restore job run for `minutes` of Atlas time from its POST, then completes it. */
async function completeAfter(req: RestoreRequest, minutes: number): Promise<RestoreRequest> {
  const running = await waitForState(h, req.id, 'running');
  // Atlas's times have whole seconds: the next whole second after the POST, plus the minutes. From the POST, where the
  // restore time counts from (restore-started-at.ts), not from its answer (submittedAt, a little later): a second
  // boundary between the two would make the restore time a second longer (1201 s, not 1200).
  clock = Math.ceil(Date.parse(running.postStartedAt!) / 1000) * 1000 + minutes * 60_000;
  h.atlas.advanceJob(running.atlasJobId!, 'completed');
  return waitForState(h, req.id, 'completed');
}

describe('a drill on its schedule', () => {
  it('runs once with two replicas up, as a card without buttons in its channel, and says its figures', async () => {
    // The newest completed snapshot of the source is 47 min old when the drill starts.
    clock = Date.now();
    h.atlas.addSnapshot(GROUP_ID, 'ledger', { createdAt: new Date(clock - 47 * 60_000).toISOString() });
    // Both replicas register the same scheduler, firing once in a second (its cron is covered below).
    const fireOnce = { tracker: { minDelayMs: 50, maxDelayMs: 200, worker: { drainDelay: 1 }, drillRepeat: () => ({ every: 1000, limit: 1 }) } };
    await h.restart(fireOnce);
    const replica = await h.startReplica(fireOnce);
    const [req] = await waitFor(async () => {
      const found = await drillRequests();
      return found.length > 0 ? found : undefined;
    }, { timeoutMs: 10_000, message: 'the drill request' });
    expect(req!.state).not.toBe('pending_approval');
    expect(req!.requester).toBe('drill:ledger-weekly');
    const card = await waitFor(() => drillMessages().find((m) => !m.thread_ts && m.text.includes(req!.id)), { message: 'the drill card' });
    expect(JSON.stringify(card.blocks)).toContain('Restore drill ledger-weekly');
    expect(JSON.stringify(card.blocks)).not.toContain('"type":"actions"');
    // A run on its time says nothing of being late (drills-clocks-back.test.ts has one that is).
    expect(req!.drill?.late).toBeUndefined();
    // The scheduler's run was told by its BullMQ id, planned time included: its local time is claimed (one run per time).
    expect(await h.redis.keys(`${h.prefix}once:drill-tick:ledger-weekly:Europe/Berlin:*`)).toHaveLength(1);
    const started = await waitFor(() => h.slack.thread(DRILLS, card.ts).find((m) => m.text.includes(':fire_drill:')), { message: 'its first message' });
    expect(started.text).not.toContain('It was due');

    const done = await completeAfter(req!, 14);
    const final = await waitFor(() => h.slack.thread(DRILLS, card.ts).find((m) => m.text.includes('Drill ledger-weekly: restore completed')), { message: 'the final message' });
    const text = JSON.stringify(final.blocks);
    expect(text).toContain('*Restore time:* 14 min');
    expect(text).toContain('*Snapshot age at the start:* 47 min');
    expect(text).toContain('none yet');
    expect(Date.parse(done.finishedAt!) - Date.parse(done.postStartedAt!)).toBeGreaterThanOrEqual(14 * 60_000);
    expect(Date.parse(done.finishedAt!) - Date.parse(done.postStartedAt!)).toBeLessThan(14 * 60_000 + 1000);
    // Still exactly one run, whatever both replicas did.
    expect(await drillRequests()).toHaveLength(1);
    expect(h.postsToAtlas()).toBe(1);
    await replica.stop(); // the next tests' options must not meet a worker built with this test's

  });

  it('registers its cron with the time zone: the next run is the next Monday 03:00 in Berlin', async () => {
    // Rebuilt without the test's repeat: the policy's own schedule.
    const before = Date.now();
    await h.restart();
    // As people see it: the App Home's and `drills`' summary of the drill.
    const nextRunAt = await waitFor(async () => (await h.app.services.listDrills()).find((d) => d.name === 'ledger-weekly')?.nextRunAt, { message: 'the cron scheduler' });
    const scheduled = Date.parse(nextRunAt);
    const at = new Date(scheduled);
    const berlin = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(at);
    expect(berlin).toBe('Mon 03:00');
    // The first Monday 03:00 after the app registered the cron, some time between `before` and `after`: a Monday 03:00
    // may pass in between, so not necessarily after `after`. At most a week of Berlin's clock later: 7 × 24 h, an hour
    // more (less) when the clocks go back (forward) in between.
    const after = Date.now();
    const clocksChangeMs = (tzOffsetSeconds('Europe/Berlin', new Date(after)) - tzOffsetSeconds('Europe/Berlin', at)) * 1000;
    expect(scheduled).toBeGreaterThan(before);
    expect(scheduled - after).toBeLessThanOrEqual(7 * 24 * 3600_000 + clocksChangeMs);
  });
});

describe('a drill on command', () => {
  it('only approvers of its target may run it; it compares with the previous run', async () => {
    expect(await answer(REQUESTER, 'drill ledger-weekly')).toMatch(/Only approvers of `shop\/staging`/);
    // Someone outside the policy gets the policy's refusal, with nothing of its drills; others see the ones they may run.
    expect(await answer(OUTSIDER, 'drill ledger-weekly')).toMatch(/not named in the restore policy/);
    expect(await answer(OUTSIDER, 'drill nope')).not.toMatch(/ledger-weekly|staging/);
    expect(await answer(REQUESTER, 'drill nope')).toBe('There is no drill `nope` in the restore policy.');
    expect(await answer(APPROVER, 'drill nope')).toMatch(/no drill `nope` in the restore policy\. Drills you can run: `ledger-weekly`/);
    const before = (await drillRequests()).length;
    expect(await answer(APPROVER, 'drill ledger-weekly')).toMatch(/is starting/);
    const req = await waitFor(async () => (await drillRequests()).find((r, i, all) => all.length > before && r.drill?.trigger === 'command'), { message: 'the second run' });
    expect(req.drill?.by).toBe(APPROVER);
    await completeAfter(req, 20);
    const card = await waitFor(() => drillMessages().find((m) => !m.thread_ts && m.text.includes(req.id)), { message: 'its card' });
    const final = await waitFor(() => h.slack.thread(DRILLS, card.ts).find((m) => m.text.includes('Drill ledger-weekly: restore completed')), { message: 'its final message' });
    expect(JSON.stringify(final.blocks)).toMatch(/\*Previous runs\* \(newest first\): 14 min \(snapshot 47 min old\); 43 % slower than their average/);

    const listing = await answer(REQUESTER, 'drills');
    expect(listing).toContain('`ledger-weekly`');
    expect(listing).toMatch(/restore time 20 min, snapshot age \d+/);
    const metrics = await (await fetch(`${h.url}/metrics`)).text();
    expect(metrics).toMatch(/atlas_restore_drill_last_success_timestamp_seconds\{drill="ledger-weekly"\} \d+/);
    expect(metrics).toMatch(/atlas_restore_drill_duration_seconds\{drill="ledger-weekly"\} 1200/);
  });

  it("Atlas down past the drill's window: it does not run, and says so in its channel", async () => {
    await h.restart({ tracker: { minDelayMs: 50, maxDelayMs: 200, worker: { drainDelay: 1 }, drillStartWindowMs: 1500 } });
    h.atlas.inject({ kind: 'status', status: 503, count: 1000, method: 'GET', pathIncludes: '/clusters/ledger/backup/snapshots' });
    try {
      const messages = drillMessages().length;
      const before = (await drillRequests()).length;
      expect(await answer(APPROVER, 'drill ledger-weekly')).toMatch(/is starting/);
      const loud = await waitFor(() => drillMessages().slice(messages).find((m) => m.text.includes('did not run')), { timeoutMs: 10_000, message: 'the loud message' });
      expect(loud.text).toMatch(/Atlas could not list the snapshots of `shop\/ledger`/);
      expect(loud.text).not.toMatch(/\/api\/atlas/);
      expect(await drillRequests()).toHaveLength(before);
    } finally {
      h.atlas.reset();
    }
  });

  it('a drill into a target that is being restored does not start, and says so in its channel', async () => {
    const lock = await h.app.services.store.acquireTargetLock({ project: 'shop', groupId: GROUP_ID, cluster: 'staging' }, 'RR-BUSY01', 600);
    expect(lock.ok).toBe(true);
    try {
      const before = (await drillRequests()).length;
      const messages = drillMessages().length;
      expect(await answer(APPROVER, 'drill ledger-weekly')).toMatch(/is starting/);
      const loud = await waitFor(() => drillMessages().slice(messages).find((m) => m.text.includes('did not run')), { message: 'the loud message' });
      expect(loud.text).toContain('<!here>');
      expect(loud.text).toContain('RR-BUSY01');
      expect(await drillRequests()).toHaveLength(before);
      const audit = await h.app.services.store.readAudit(200);
      expect(audit.some((e) => e.type === 'drill_not_started' && /RR-BUSY01/.test(e.detail ?? ''))).toBe(true);
      // Its result is this run's, not the success of the one before: in `drills` and in the App Home alike.
      const listing = await answer(REQUESTER, 'drills');
      expect(listing).toMatch(/last: \*did not run\* .*: `shop\/staging` has a restore in progress \(RR-BUSY01, since /);
      expect(listing).not.toContain('restore time 20 min');
      const home = homeText(await openHome(h, APPROVER));
      expect(home).toMatch(/Last run: \*did not run\* .*RR-BUSY01/);
      expect(home).not.toContain('restore time 20 min');
    } finally {
      await h.app.services.store.releaseTargetLock({ project: 'shop', groupId: GROUP_ID, cluster: 'staging' }, 'RR-BUSY01');
    }
  });
  it('Slack refuses its card: the card is posted again, and the restore waits for it, so its thread is one', async () => {
    const before = (await drillRequests()).length;
    const callsBefore = h.slack.calls.length;
    h.slack.failNext('chat.postMessage', 'internal_error', 1);
    expect(await answer(APPROVER, 'drill ledger-weekly')).toMatch(/is starting/);
    const req = await waitFor(async () => (await drillRequests()).find((r, i, all) => all.length > before && i === 0 && r.cardTs), { message: 'the run, with its card' });
    const cards = h.slack.calls.slice(callsBefore).filter((c) => c.method === 'chat.postMessage' && c.args.channel === DRILLS && !c.args.thread_ts);
    expect(cards.map((c) => c.ok)).toEqual([false, true]);
    const running = await waitForState(h, req.id, 'running');
    await completeAfter(running, 20);
    await waitFor(() => h.slack.thread(DRILLS, req.cardTs!).some((m) => m.text.includes('Drill ledger-weekly: restore completed')), { message: 'its final message, in its thread' });
    // Nothing of this run landed outside its thread.
    expect(drillMessages().filter((m) => !m.thread_ts && m.ts !== req.cardTs && m.text.includes(req.id))).toEqual([]);
  });

  it('its card is posted when Slack takes it, even if a reconcile started its restore meanwhile', async () => {
    // A replica reconciling all the time: the approved request's restore job starts while the card waits for Slack.
    const replica = await h.startReplica({ tracker: { minDelayMs: 50, maxDelayMs: 200, worker: { drainDelay: 1 }, reconcileEveryMs: 20 } });
    try {
      const before = (await drillRequests()).length;
      h.slack.failNext('chat.postMessage', 'internal_error', 3);
      expect(await answer(APPROVER, 'drill ledger-weekly')).toMatch(/is starting/);
      const req = await waitFor(async () => (await drillRequests()).find((r, i, all) => all.length > before && i === 0 && r.cardTs), { timeoutMs: 15_000, message: 'the run, with its card' });
      await completeAfter(req, 20);
      await waitFor(() => h.slack.thread(DRILLS, req.cardTs!).some((m) => m.text.includes('Drill ledger-weekly: restore completed')), { message: 'its final message, in its thread' });
    } finally {
      await replica.stop();
    }
  });

  it('Slack does not take its "did not run": the message is tried again until it arrives, and said once', async () => {
    const lock = await h.app.services.store.acquireTargetLock({ project: 'shop', groupId: GROUP_ID, cluster: 'staging' }, 'RR-BUSY02', 600);
    expect(lock.ok).toBe(true);
    try {
      const messages = drillMessages().length;
      const callsBefore = h.slack.calls.length;
      h.slack.failNext('chat.postMessage', 'internal_error', 2);
      expect(await answer(APPROVER, 'drill ledger-weekly')).toMatch(/is starting/);
      const loud = await waitFor(() => drillMessages().slice(messages).find((m) => m.text.includes('did not run')), { timeoutMs: 15_000, message: 'the loud message, at last' });
      expect(loud.text).toContain('RR-BUSY02');
      const posts = h.slack.calls.slice(callsBefore).filter((c) => c.method === 'chat.postMessage' && c.args.channel === DRILLS);
      expect(posts.map((c) => c.ok)).toEqual([false, false, true]);
      // Recorded once as the drill's result, audited once.
      const audit = (await h.app.services.store.readAudit(200)).filter((e) => e.type === 'drill_not_started' && /RR-BUSY02/.test(e.detail ?? ''));
      expect(audit).toHaveLength(1);
      const runs = await createDrillHistory(h.redis, `${h.prefix}bull:drills:`).recent('ledger-weekly', 50);
      expect(runs.filter((r) => /RR-BUSY02/.test(r.reason ?? ''))).toHaveLength(1);
    } finally {
      await h.app.services.store.releaseTargetLock({ project: 'shop', groupId: GROUP_ID, cluster: 'staging' }, 'RR-BUSY02');
    }
  });

  it('a run that did not start and is still trying to say so does not hold back the next run on command', async () => {
    const target = { project: 'shop', groupId: GROUP_ID, cluster: 'staging' };
    expect((await h.app.services.store.acquireTargetLock(target, 'RR-BUSY03', 600)).ok).toBe(true);
    h.slack.notInChannel(DRILLS); // the bot was removed from the drill's channel: "did not run" can't be posted
    const callsBefore = h.slack.calls.length;
    try {
      expect(await answer(APPROVER, 'drill ledger-weekly')).toMatch(/is starting/);
      await waitFor(() => h.slack.calls.slice(callsBefore).some((c) => c.method === 'chat.postMessage' && c.args.channel === DRILLS && c.error === 'not_in_channel'), { message: 'the "did not run", refused' });
    } finally {
      await h.app.services.store.releaseTargetLock(target, 'RR-BUSY03');
      h.slack.workspace.notInChannelIds.delete(DRILLS);
    }
    const before = (await drillRequests()).length;
    expect(await answer(APPROVER, 'drill ledger-weekly')).toMatch(/is starting/);
    const req = await waitFor(async () => (await drillRequests()).find((r, i, all) => all.length > before && i === 0 && r.cardTs), { message: 'the next run' });
    await completeAfter(req, 20);
  });

  it('Atlas refuses its restore: the refusal is shown in the channel too, not only in the thread', async () => {
    const before = (await drillRequests()).length;
    h.atlas.inject({ kind: 'status', status: 409, errorCode: 'ATLAS_CLUSTER_RESTORE_IN_PROGRESS', method: 'POST', pathIncludes: '/restoreJobs' });
    try {
      expect(await answer(APPROVER, 'drill ledger-weekly')).toMatch(/is starting/);
      const req = await waitFor(async () => (await drillRequests()).find((r, i, all) => all.length > before && i === 0), { message: 'the run' });
      await waitForState(h, req.id, 'failed');
      const refusal = await waitFor(() => h.slack.thread(DRILLS, req.cardTs!).find((m) => m.text.includes('Atlas refused the restore')), { message: 'the refusal' });
      expect(refusal.subtype).toBe('thread_broadcast');
      expect(refusal.text).toContain('ATLAS_CLUSTER_RESTORE_IN_PROGRESS');
      // What was said before it stays in the thread.
      expect(h.slack.thread(DRILLS, req.cardTs!).filter((m) => m.subtype === 'thread_broadcast')).toEqual([refusal]);
    } finally {
      h.atlas.reset();
    }
  });
});

describe('drill metrics', () => {
  const scrape = async (): Promise<string> => (await fetch(`${h.url}/metrics`)).text();
  const gauge = (text: string, name: string, drill: string): number | undefined => {
    const match = new RegExp(`^atlas_restore_drill_${name}\\{drill="${drill}"\\} (\\S+)$`, 'm').exec(text);
    return match ? Number(match[1]) : undefined;
  };

  it('keep the last success through more failed runs than the history holds', async () => {
    const runs = await drillRequests();
    const done = runs.filter((r) => r.state === 'completed').sort((a, b) => Date.parse(b.finishedAt!) - Date.parse(a.finishedAt!))[0]!;
    const firstSubmitted = Math.min(...runs.filter((r) => r.submittedAt).map((r) => Date.parse(r.submittedAt!)));
    // 21 failed runs, recorded as the tracker records them: the history's 20 hold no success any more.
    const history = createDrillHistory(h.redis, `${h.prefix}bull:drills:`);
    for (let i = 0; i < 21; i++) {
      const at = new Date(Date.parse(done.finishedAt!) + (i + 1) * 7 * 24 * 3600_000).toISOString();
      await history.record('ledger-weekly', { requestId: `RR-FAILED${i}`, state: 'failed', submittedAt: at, finishedAt: at });
    }
    const kept = await history.recent('ledger-weekly', 50);
    expect(kept).toHaveLength(20);
    expect(kept.every((run) => run.state === 'failed')).toBe(true);

    const metrics = await scrape();
    expect(gauge(metrics, 'last_success_timestamp_seconds', 'ledger-weekly')).toBe(Date.parse(done.finishedAt!) / 1000);
    // Measured from the POST (restore-started-at.ts).
    const restoreSeconds = (Date.parse(done.finishedAt!) - Date.parse(done.postStartedAt!)) / 1000;
    expect(Math.floor(restoreSeconds)).toBe(20 * 60);
    expect(gauge(metrics, 'duration_seconds', 'ledger-weekly')).toBe(restoreSeconds);
    // Scheduled when the first app started, before its first run.
    expect(gauge(metrics, 'first_scheduled_timestamp_seconds', 'ledger-weekly')).toBeLessThanOrEqual(firstSubmitted / 1000);
  });

  it('show a drill that never succeeded by when it was first scheduled, and no success', async () => {
    const before = Date.now();
    h.setPolicy(POLICY.replace('drills:\n', `drills:
  - name: orders-yearly
    source: shop/orders
    target: shop/staging
    schedule: "0 4 1 1 *"
    timeZone: UTC
    channel: ${DRILLS}
`));
    try {
      await h.restart();
      const metrics = await scrape();
      const firstScheduled = gauge(metrics, 'first_scheduled_timestamp_seconds', 'orders-yearly');
      expect(firstScheduled).toBeGreaterThanOrEqual(Math.floor(before / 1000));
      expect(firstScheduled).toBeLessThanOrEqual(Date.now() / 1000);
      expect(gauge(metrics, 'last_success_timestamp_seconds', 'orders-yearly')).toBeUndefined();
      expect(gauge(metrics, 'duration_seconds', 'orders-yearly')).toBeUndefined();
      // A restart keeps the other drill's success; a second start doesn't move the first schedule.
      expect(gauge(metrics, 'last_success_timestamp_seconds', 'ledger-weekly')).toBeDefined();
      await h.restart();
      expect(gauge(await scrape(), 'first_scheduled_timestamp_seconds', 'orders-yearly')).toBe(firstScheduled);
    } finally {
      h.setPolicy(POLICY);
    }
  });
});

describe('a drill whose POST went unanswered', () => {
  it('shows as of unknown outcome until its job turns up; then that job\'s end replaces it: one run, one line', async () => {
    await h.restart({ tracker: { ...FAST_TRACKER, findWindowMs: 300, lateAdoptWindowMs: 10 * 60_000 } });
    clock = Date.now();
    // The POST's answer is lost (a 500) and Atlas made nothing (yet): the search finds no job in its window.
    h.atlas.inject({ kind: 'status', status: 500, errorCode: 'UNEXPECTED_ERROR', method: 'POST', pathIncludes: '/clusters/ledger/backup/restoreJobs' });
    const before = new Set((await drillRequests()).map((r) => r.id));
    expect(await answer(APPROVER, 'drill ledger-weekly')).toMatch(/is starting/);
    const req = await waitFor(async () => (await drillRequests()).find((r) => !before.has(r.id)), { message: 'the run' });
    // The history as the app keeps it (its tracker's key prefix).
    const history = createDrillHistory(h.redis, `${h.prefix}bull:drills:`);
    const lastRun = async () => (await history.recent('ledger-weekly', 1))[0];
    // Recorded running first (its start), then as what its end was.
    await waitFor(async () => ((await lastRun())?.state === 'unconfirmed' ? true : undefined), { timeoutMs: 10_000, message: 'the unconfirmed run recorded' });
    expect(await lastRun()).toMatchObject({ requestId: req.id, state: 'unconfirmed', reason: expect.stringMatching(/Atlas did not confirm the restore job/) });
    expect(await answer(REQUESTER, 'drills')).toMatch(new RegExp(`last: \\*outcome unknown\\* .*\\(${req.id}\\): Atlas did not confirm the restore job`));

    const job = h.atlas.seedRestoreJob({ groupId: GROUP_ID, name: 'ledger' }, { snapshotId: req.snapshot.id, targetGroupId: GROUP_ID, targetClusterName: 'staging' });
    const running = await waitForState(h, req.id, 'running', 10_000);
    expect(running.atlasJobId).toBe(job.id);
    // Atlas's times have whole seconds: 25 min after the POST, rounded up.
    clock = Math.ceil(Date.parse(running.postStartedAt!) / 1000) * 1000 + 25 * 60_000;
    h.atlas.advanceJob(job.id, 'completed');
    const done = await waitForState(h, req.id, 'completed');
    await waitFor(async () => ((await lastRun())?.state === 'completed' ? true : undefined), { message: 'the completed run recorded' });
    const runs = await history.recent('ledger-weekly', 20);
    expect(runs.filter((r) => r.requestId === req.id).map((r) => r.state)).toEqual(['completed']);
    // Its restore time counts from the POST, not from when the late search found the job.
    expect(Date.parse(done.submittedAt!)).toBeGreaterThan(Date.parse(done.postStartedAt!));
    expect(runs[0]!.restoreMs).toBe(Date.parse(done.finishedAt!) - Date.parse(done.postStartedAt!));
  });
});
