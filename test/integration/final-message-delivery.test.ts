// A request's final message must reach its thread (DESIGN.md §1: the final message says how it ended): a Slack
// failure at that moment is tried again by the settle step, and the message arrives once. The retries follow a policy
// the tests shorten (settleRetry); only a long horizon ends them, and then loudly (an error log and a metric).
import { describe, expect, it } from 'vitest';
import { FAST_TRACKER } from '../fakes/config-for-fakes.js';
import { waitFor } from '../helpers/wait-for.js';
import { APPROVER, CHANNEL, REQUESTER, logLines, requestRestore, useHarness, waitForState, type Harness } from './conversation-harness.js';

/** A restore of `source` followed until it runs, and the number of thread messages by then. */
async function running(h: Harness, source: string, snapshotIndex: number): Promise<{ id: string; atlasJobId: string; posted: number }> {
  const req = await requestRestore(h, { source, snapshotIndex });
  await h.click(APPROVER, 'restore_approve', req.id);
  const run = await waitForState(h, req.id, 'running');
  await h.waitForThread(req.id, /Restore submitted to Atlas/);
  return { id: req.id, atlasJobId: run.atlasJobId!, posted: h.threadTexts(req.id).length };
}

describe('the final message', () => {
  const h = useHarness({ overrides: { tracker: { ...FAST_TRACKER, settleRetry: { firstDelayMs: 10, maxDelayMs: 40, horizonMs: 10 * 60_000 } } } });

  it('Slack refuses it twice when the restore ends: it is posted again, once, and the card says completed', async () => {
    const req = await running(h, 'ledger', 0);
    h.slack.failNext('chat.postMessage', 'internal_error', 2);
    h.atlas.advanceJob(req.atlasJobId, 'completed');
    await waitForState(h, req.id, 'completed');
    await h.waitForThread(req.id, /Restore completed/, 15_000);
    expect(h.threadTexts(req.id).filter((t) => /Restore completed/.test(t))).toHaveLength(1);
    expect(h.threadTexts(req.id).length - req.posted).toBe(1); // nothing else was posted (or lost) meanwhile
    // The card may come after the thread message: a refresh still rendering an earlier state renders this one next.
    await waitFor(() => /Restore completed/.test(JSON.stringify(h.rootCard(req.id)?.blocks)), { message: 'the card says completed' });
  });

  it('Slack refuses it 25 times: it keeps being tried at the policy’s pace, and arrives once', async () => {
    const req = await running(h, 'orders', 0);
    h.slack.failNext('chat.postMessage', 'internal_error', 25);
    h.atlas.advanceJob(req.atlasJobId, 'completed');
    await waitForState(h, req.id, 'completed');
    await h.waitForThread(req.id, /Restore completed/, 15_000);
    const refused = h.slack.calls.filter((c) => c.method === 'chat.postMessage' && c.error === 'internal_error').length;
    expect(refused).toBeGreaterThanOrEqual(25);
    expect(h.threadTexts(req.id).filter((t) => /Restore completed/.test(t))).toHaveLength(1);
    expect(h.threadTexts(req.id).length - req.posted).toBe(1);
  });

  it('Slack refuses the card\'s last update: it is tried again, and the card says completed', async () => {
    const req = await running(h, 'orders', 1);
    await waitFor(() => JSON.stringify(h.rootCard(req.id)?.blocks).includes(req.atlasJobId), { message: 'the card shows the running job' });
    h.slack.failNext('chat.update', 'internal_error', 1);
    h.atlas.advanceJob(req.atlasJobId, 'completed');
    await h.waitForThread(req.id, /Restore completed/, 15_000);
    const refused = await h.slack.waitForCall('chat.update', (c) => c.error === 'internal_error');
    expect(refused.args.ts).toBe(h.rootCard(req.id)?.ts);
    await waitFor(() => /Restore completed/.test(JSON.stringify(h.rootCard(req.id)?.blocks)), { timeoutMs: 10_000, message: 'the card says completed, after the retry' });
  });

  it('its channel is gone when the restore ends (the bot removed): the requester gets it by DM, once', async () => {
    const req = await running(h, 'staging', 0);
    h.slack.notInChannel(CHANNEL);
    try {
      h.atlas.advanceJob(req.atlasJobId, 'completed');
      await waitForState(h, req.id, 'completed');
      const dm = await waitFor(() => h.slack.messages(REQUESTER).find((m) => m.text.includes(req.id) && /Restore completed/.test(m.text)), { timeoutMs: 15_000, message: 'the DM' });
      expect(dm.text).toContain(`\`/atlas-restore status ${req.id}\``);
      expect(dm.text).toContain('not_in_channel');
      await waitFor(async () => (await h.app.metrics.text()).includes('atlas_restore_final_notifications_abandoned_total 0'), { message: 'nothing abandoned' });
      expect(h.slack.messages(REQUESTER).filter((m) => m.text.includes(req.id) && /Restore completed/.test(m.text))).toHaveLength(1);
    } finally {
      h.slack.workspace.notInChannelIds.delete(CHANNEL);
    }
  });

  it('a restore is counted in the metrics once, however often Slack refused its final message', async () => {
    const completed = async () => Number(/^atlas_restore_restores_finished_total\{state="completed"\} (\d+)$/m.exec(await h.app.metrics.text())?.[1] ?? 0);
    const durations = async () => Number(/^atlas_restore_restore_duration_seconds_count\{cluster_type="dedicated",state="completed"\} (\d+)$/m.exec(await h.app.metrics.text())?.[1] ?? 0);
    const [before, timedBefore] = [await completed(), await durations()];
    const req = await running(h, 'ledger', 2);
    h.slack.failNext('chat.postMessage', 'internal_error', 10);
    h.atlas.advanceJob(req.atlasJobId, 'completed');
    await h.waitForThread(req.id, /Restore completed/, 15_000);
    expect(await completed()).toBe(before + 1);
    expect(await durations()).toBe(timedBefore + 1);
  });
});

describe('a final message Slack refuses past the retry horizon', () => {
  const h = useHarness({ overrides: { tracker: { ...FAST_TRACKER, settleRetry: { firstDelayMs: 10, maxDelayMs: 40, horizonMs: 500 } } } });

  it('is given up on loudly: an error in the log, a metric; the restore is still recorded as completed', async () => {
    const req = await running(h, 'ledger', 1);
    h.slack.failNext('chat.postMessage', 'internal_error', 100_000); // Slack never takes it again in this world
    h.atlas.advanceJob(req.atlasJobId, 'completed');
    await waitForState(h, req.id, 'completed');
    const gaveUp = await waitFor(() => logLines.find((l) => l.includes(req.id) && l.includes('giving up on the final notification')), { timeoutMs: 10_000, message: 'the give-up in the log' });
    expect(JSON.parse(gaveUp)).toMatchObject({ level: 50, requestId: req.id });
    expect(await h.app.metrics.text()).toMatch(/^atlas_restore_final_notifications_abandoned_total 1$/m);
    // Every refusal was logged as it happened, and nothing was posted in the thread.
    expect(logLines.filter((l) => l.includes(req.id) && l.includes('final notification failed; retrying')).length).toBeGreaterThan(1);
    expect(h.threadTexts(req.id).length).toBe(req.posted);
  });
});
