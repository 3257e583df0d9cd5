// What people do to the workspace while a restore runs for hours (its card deleted, its channel archived, the
// requester deactivated, the app's token revoked), answered by the fake Slack as real Slack answers: the restore goes
// on in Atlas untouched, and its outcome still reaches the people who asked for it and approved it, exactly once.
import { describe, expect, it } from 'vitest';
import { FAST_TRACKER } from '../fakes/config-for-fakes.js';
import { messageToText } from '../fakes/fake-slack.js';
import { waitFor } from '../helpers/wait-for.js';
import { APPROVER, CHANNEL, REQUESTER, logLines, requestRestore, useHarness, waitForState, type Harness } from './conversation-harness.js';

async function running(h: Harness, source: string, snapshotIndex = 0): Promise<{ id: string; atlasJobId: string; cardTs: string }> {
  const req = await requestRestore(h, { source, snapshotIndex });
  await h.click(APPROVER, 'restore_approve', req.id);
  const run = await waitForState(h, req.id, 'running');
  await h.waitForThread(req.id, /Restore submitted to Atlas/);
  return { id: req.id, atlasJobId: run.atlasJobId!, cardTs: req.cardTs! };
}

const dmsAbout = (h: Harness, user: string, id: string, pattern: RegExp) => h.slack.messages(user).filter((m) => m.text.includes(id) && pattern.test(messageToText(m)));
const abandoned = async (h: Harness) => Number(/^atlas_restore_final_notifications_abandoned_total (\d+)$/m.exec(await h.app.metrics.text())?.[1] ?? 0);

describe('the workspace changes under a running restore', () => {
  const h = useHarness({ overrides: { tracker: { ...FAST_TRACKER, settleRetry: { firstDelayMs: 10, maxDelayMs: 40, horizonMs: 10 * 60_000 } } } });

  it('its card is deleted: the outcome is posted once in the channel itself, saying why it is not in the thread', async () => {
    const req = await running(h, 'ledger');
    h.slack.deleteMessage(CHANNEL, req.cardTs); // it has replies: a tombstone that refuses new ones
    h.atlas.advanceJob(req.atlasJobId, 'completed');
    await waitForState(h, req.id, 'completed');
    const posted = await waitFor(() => h.slack.messages(CHANNEL).find((m) => !m.thread_ts && m.text.includes(req.id) && /Restore completed/.test(messageToText(m))), { timeoutMs: 15_000, message: 'the outcome in the channel' });
    expect(messageToText(posted)).toMatch(/card .*was deleted/);
    expect(messageToText(posted)).toContain(`<@${REQUESTER}>`);
    // Once, and not retried meanwhile: nothing more is owed.
    await waitFor(async () => logLines.some((l) => l.includes(req.id) && l.includes('stopped following the restore')), { message: 'the job done' });
    expect(h.slack.messages(CHANNEL).filter((m) => m.text.includes(req.id) && /Restore completed/.test(messageToText(m)))).toHaveLength(1);
    expect(await abandoned(h)).toBe(0);
  });

  it('the app\'s token is revoked (uninstalled): the restore is still followed to its end, the log says what to do once, the messenger\'s token health says so, and once the token works the outcome arrives once', async () => {
    const req = await running(h, 'ledger', 2);
    h.slack.revokeToken('token_revoked');
    try {
      h.atlas.advanceJob(req.atlasJobId, 'completed');
      await waitForState(h, req.id, 'completed'); // Atlas is followed whatever Slack says
      await waitFor(() => logLines.filter((l) => l.includes(req.id) && l.includes('final notification failed; retrying')).length >= 3, { timeoutMs: 10_000, message: 'the final message retried' });
      const said = logLines.filter((l) => l.includes('Slack refuses the bot token (token_revoked)'));
      expect(said).toHaveLength(1);
      expect(JSON.parse(said[0]!)).toMatchObject({ level: 50 });
      expect(h.app.services.messenger.tokenHealth()).toEqual({ ok: false, reason: 'Slack refuses the bot token (token_revoked)' });
      expect(await h.app.metrics.text()).toMatch(/^atlas_restore_slack_token_refused 1$/m);
    } finally {
      h.slack.restoreToken();
    }
    await h.waitForThread(req.id, /Restore completed/, 15_000);
    expect(h.threadTexts(req.id).filter((t) => /Restore completed/.test(t))).toHaveLength(1);
    expect(h.app.services.messenger.tokenHealth()).toEqual({ ok: true });
    expect(await h.app.metrics.text()).toMatch(/^atlas_restore_slack_token_refused 0$/m);
    expect(await abandoned(h)).toBe(0);
  });

  it('four restores end at once and Slack lets the channel take one message a second (429, Retry-After): each outcome arrives once', async () => {
    const reqs = [];
    for (const source of ['ledger', 'orders', 'staging', 'legacy']) reqs.push(await running(h, source, 1));
    h.slack.limitChannelPosts(1);
    try {
      for (const req of reqs) h.atlas.advanceJob(req.atlasJobId, 'completed');
      for (const req of reqs) await h.waitForThread(req.id, /Restore completed/, 20_000);
      expect(h.slack.calls.some((c) => c.method === 'chat.postMessage' && c.status === 429)).toBe(true);
      for (const req of reqs) {
        await waitFor(async () => logLines.some((l) => l.includes(req.id) && l.includes('stopped following the restore')), { message: 'the job done' });
        expect(h.threadTexts(req.id).filter((t) => /Restore completed/.test(t))).toHaveLength(1);
      }
      expect(await abandoned(h)).toBe(0);
    } finally {
      h.slack.limitChannelPosts(undefined);
    }
  }, 40_000);

  it('Slack refuses the final message\'s blocks (invalid_blocks, a long Atlas reason): the same words arrive once in the thread as plain text', async () => {
    const req = await running(h, 'legacy');
    const withBlocks = (a: Record<string, unknown>) => a.thread_ts === req.cardTs && Array.isArray(a.blocks) && a.blocks.length > 0;
    h.slack.failNext('chat.postMessage', 'invalid_blocks', 100_000, withBlocks); // whatever the bot tries, those blocks won't pass
    try {
      h.atlas.advanceJob(req.atlasJobId, 'completed');
      await waitForState(h, req.id, 'completed');
      const text = await h.waitForThread(req.id, /Restore completed/, 15_000);
      expect(text).toContain(req.atlasJobId);
      await waitFor(async () => logLines.some((l) => l.includes(req.id) && l.includes('stopped following the restore')), { message: 'the job done' });
      expect(h.threadTexts(req.id).filter((t) => /Restore completed/.test(t))).toHaveLength(1);
    } finally {
      h.slack.clearFailures('chat.postMessage');
    }
  });

  it('its channel is archived: the requester and the approver each get the outcome by DM, once; the card is left alone', async () => {
    const req = await running(h, 'staging');
    h.slack.setChannel(CHANNEL, { is_archived: true });
    try {
      h.atlas.advanceJob(req.atlasJobId, 'failed');
      await waitForState(h, req.id, 'failed');
      for (const user of [REQUESTER, APPROVER]) {
        const dm = await waitFor(() => dmsAbout(h, user, req.id, /Restore failed/)[0], { timeoutMs: 15_000, message: `the DM to ${user}` });
        expect(messageToText(dm)).toContain('is_archived');
        expect(messageToText(dm)).toContain(`/atlas-restore status ${req.id}`);
      }
      await waitFor(async () => logLines.some((l) => l.includes(req.id) && l.includes('stopped following the restore')), { message: 'the job done' });
      for (const user of [REQUESTER, APPROVER]) expect(dmsAbout(h, user, req.id, /Restore failed/)).toHaveLength(1);
      expect(await abandoned(h)).toBe(0);
    } finally {
      h.slack.setChannel(CHANNEL, { is_archived: false });
    }
  });

  it('its channel is archived and the requester deactivated: the approver still hears of it (a DM to a deactivated user is taken and read by no one)', async () => {
    const req = await running(h, 'orders');
    h.slack.setChannel(CHANNEL, { is_archived: true });
    h.slack.setUser(REQUESTER, { deleted: true, tz: 'Europe/Paris' });
    try {
      h.atlas.advanceJob(req.atlasJobId, 'completed');
      await waitForState(h, req.id, 'completed');
      await waitFor(() => dmsAbout(h, APPROVER, req.id, /Restore completed/)[0], { timeoutMs: 15_000, message: 'the DM to the approver' });
    } finally {
      h.slack.setChannel(CHANNEL, { is_archived: false });
      h.slack.setUser(REQUESTER, { deleted: false, tz: 'Europe/Paris' });
    }
  });
});

describe('a final message no way is left for', () => {
  const h = useHarness({ overrides: { tracker: { ...FAST_TRACKER, settleRetry: { firstDelayMs: 10, maxDelayMs: 40, horizonMs: 10 * 60_000 } } } });

  it('the channel archived and the app\'s DMs refused (messages_tab_disabled): given up at once, loudly, not retried for a day', async () => {
    const req = await running(h, 'ledger', 1);
    h.slack.setChannel(CHANNEL, { is_archived: true });
    h.slack.failNext('chat.postMessage', 'messages_tab_disabled', 100_000, (a) => a.channel === REQUESTER || a.channel === APPROVER);
    try {
      h.atlas.advanceJob(req.atlasJobId, 'completed');
      await waitForState(h, req.id, 'completed');
      const gaveUp = await waitFor(() => logLines.find((l) => l.includes(req.id) && l.includes('giving up on the final notification')), { timeoutMs: 10_000, message: 'the give-up in the log' });
      expect(JSON.parse(gaveUp)).toMatchObject({ level: 50, requestId: req.id });
      expect(gaveUp).toContain('messages_tab_disabled');
      expect(await abandoned(h)).toBe(1);
      // Tried once, not every few milliseconds until the horizon.
      expect(logLines.filter((l) => l.includes(req.id) && l.includes('final notification failed; retrying'))).toHaveLength(0);
    } finally {
      h.slack.setChannel(CHANNEL, { is_archived: false });
      h.slack.clearFailures('chat.postMessage');
    }
  });
});
