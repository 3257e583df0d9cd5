// The last approval is recorded, but Redis refuses the restore job that carries it on (BullMQ's keys, here taken from
// the bot's Redis user while its request keys stay). The approver must not be told to try again: the approval counts,
// and a second click only hears "already approved". They hear that it is recorded and goes on by itself; the
// reconciler starts the job once Redis takes it, and the restore is sent once.
import { describe, expect, it } from 'vitest';
import { FAST_TRACKER } from '../fakes/config-for-fakes.js';
import { waitFor } from '../helpers/wait-for.js';
import { useHarnessAsAclUser } from './acl-harness.js';
import { APPROVER, GROUP_ID, requestRestore, waitForState } from './conversation-harness.js';

const { h, acl } = useHarnessAsAclUser('test-approval-job', { overrides: { tracker: { ...FAST_TRACKER, reconcileEveryMs: 500 } } });

describe('the last approval recorded, its restore job refused by Redis', () => {
  it('tells the approver it is recorded and goes on by itself, and the restore is sent once Redis takes the job', async () => {
    const req = await requestRestore(h, { source: 'ledger', snapshotIndex: 0 });
    const jobs = h.atlas.restoreJobs(GROUP_ID, 'ledger').length;
    // Every key under the prefix but BullMQ's (`<prefix>bull:…`).
    await acl.setRules('resetkeys', `~${h.prefix}[^b]*`);
    try {
      await h.click(APPROVER, 'restore_approve', req.id);
      const told = await waitFor(() => h.ephemeralTexts(APPROVER).find((t) => t.includes(req.id)), { message: 'the approver told' });
      expect(told).toMatch(/recorded and completes it[^]*nothing to click again/);
      expect(told).not.toMatch(/try again/i);
      expect((await h.request(req.id))?.approvals.map((a) => a.user)).toEqual([APPROVER]);
    } finally {
      await acl.setRules('resetkeys', '~*');
    }
    await waitForState(h, req.id, 'running', 15_000);
    expect(h.atlas.restoreJobs(GROUP_ID, 'ledger').length - jobs).toBe(1);
  }, 30_000);
});
