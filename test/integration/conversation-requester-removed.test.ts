// The requester taken off the policy's requesters after requesting: the re-check before the POST ends the request,
// nothing sent, and the thread, which its approvers read too, says so of the requester. It said "You're not allowed to
// request restores…", the policy's answer to someone running the command, which approvers took as meant for them.
import { describe, expect, it } from 'vitest';
import { APPROVER, APPROVER_2, policyWith, requestRestore, useHarness, waitForState, withPolicy } from './conversation-harness.js';

describe('a requester removed from the policy before the approval', () => {
  const h = useHarness();

  it('ends the request unsent, and the thread speaks of the requester, not to "you"', async () => {
    const req = await requestRestore(h, { source: 'ledger', snapshotIndex: 0 });
    const posts = h.postsToAtlas();
    // Clicked while the policy lists someone else as requester; the re-check before the POST reads it then.
    await withPolicy(h, policyWith({ requesters: [APPROVER_2] }), async () => {
      await h.click(APPROVER, 'restore_approve', req.id);
      await waitForState(h, req.id, 'failed');
    });

    const ended = await waitForState(h, req.id, 'failed');
    expect(ended.atlasJobId).toBeUndefined();
    expect(h.postsToAtlas()).toBe(posts);
    const said = await h.waitForThread(req.id, /was not submitted/);
    expect(said).toMatch(/the requester is no longer among the policy's requesters of restores from `shop\/ledger`/);
    expect(said).not.toMatch(/You're|add you/);
  });
});
