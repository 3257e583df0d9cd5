// The whole app against the fake Atlas when Atlas answers a Flex restore job status the spec doesn't list
// (`CANCELLED`): one such job among the source's past ones doesn't stop a restore from it, and the job the bot
// follows, if Atlas says such a thing of it, is followed on (target kept locked), never reported as unreachable.
import { describe, expect, it } from 'vitest';
import { recordedFlexRestoreJobs } from '../fakes/fake-atlas-recorded-jobs.js';
import { waitFor } from '../helpers/wait-for.js';
import { APPROVER, GROUP_ID, requestRestore, useHarness, waitForState } from './conversation-harness.js';

const h = useHarness();
const UNREACHABLE = /can't be reached/;

async function approvedRunning(): Promise<{ id: string; jobId: string }> {
  const req = await requestRestore(h, { source: 'orders' });
  const posts = h.postsToAtlas();
  await h.click(APPROVER, 'restore_approve', req.id);
  const running = await waitForState(h, req.id, 'running');
  expect(h.postsToAtlas() - posts).toBe(1);
  return { id: req.id, jobId: running.atlasJobId! };
}

describe('a Flex restore job status outside the spec', () => {
  it('in the source’s past jobs (a recorded page, one CANCELLED) does not stop a restore from it', async () => {
    h.atlas.addRecordedRestoreJobs({ groupId: GROUP_ID, name: 'orders' }, recordedFlexRestoreJobs({ index: 5, fields: { status: 'CANCELLED' } }));
    const { id, jobId } = await approvedRunning();
    h.atlas.advanceJob(jobId, 'completed');
    await h.waitForThread(id, /Restore completed/);
    expect(h.threadTexts(id).some((t) => /refused/i.test(t))).toBe(false);
  });

  it('of the job the bot follows keeps it followed and the target locked, and never says Atlas is unreachable', async () => {
    const { id, jobId } = await approvedRunning();
    h.atlas.advanceJob(jobId, 'running');
    await waitFor(async () => (await h.request(id))?.lastJobState === 'running', { message: 'running recorded' });
    h.atlas.answerJobWith(jobId, { status: 'CANCELLED' });
    const unknown = await waitFor(async () => {
      const r = await h.request(id);
      return r?.lastJobState === 'unknown' ? r : undefined;
    }, { message: 'the unknown status recorded' });
    expect(unknown.state).toBe('running');
    expect(unknown.lastAtlasStatus).toBe('CANCELLED');
    // The card doesn't say the restore runs while the thread says Atlas's state is not one the bot knows.
    const card = await waitFor(() => {
      const text = JSON.stringify(h.rootCard(id)?.blocks ?? []);
      return text.includes('State unknown') ? text : undefined;
    }, { message: 'the card says the state is unknown' });
    expect(card).toContain("Atlas reports `CANCELLED`, a state I don't recognise; check the restore in the Atlas UI.");
    expect(card).not.toContain('Restore running');
    expect(await h.redis.exists(`${h.prefix}lock:${GROUP_ID}:orders`)).toBe(1);
    // Another word Atlas has for it reaches the card too (the thread isn't told twice).
    h.atlas.answerJobWith(jobId, { status: 'PAUSED' });
    await waitFor(() => JSON.stringify(h.rootCard(id)?.blocks ?? []).includes("Atlas reports `PAUSED`"), { message: "the card shows Atlas's new word" });
    h.atlas.answerJobWith(jobId, undefined);
    h.atlas.advanceJob(jobId, 'completed');
    await h.waitForThread(id, /Restore completed/);
    const thread = h.threadTexts(id);
    expect(thread.filter((t) => UNREACHABLE.test(t))).toEqual([]);
    expect(thread.filter((t) => /is running/.test(t))).toHaveLength(1);
    // The silence isn't taken for progress: the thread heard once what Atlas said.
    expect(thread.filter((t) => /Atlas reports restore job .* as `CANCELLED`, a state I don't recognise\. I keep following it, and .* stays locked until Atlas reports a state I know/.test(t))).toHaveLength(1);
  });
});
