// The policy asks for more approvals while a request waits for them (DESIGN.md §5: the stored request is re-validated
// against the current policy before the POST): the request needs the new count, not the one it was made with.
import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../src/policy/load-policy.js';
import { waitFor } from '../helpers/wait-for.js';
import { APPROVER, APPROVER_2, REQUESTER, policyWith, requestRestore, useHarness, waitForState } from './conversation-harness.js';

const THIRD = 'U0APPROVE3';
const policyRequiring = (required: number) => policyWith({ approvers: [APPROVER, APPROVER_2, THIRD], requesters: [REQUESTER], required });

describe('a raised approval count', () => {
  const h = useHarness({ policyYaml: policyRequiring(2) });

  it('applies to a pending request: two approvals no longer submit it, a third does, once', async () => {
    const req = await requestRestore(h, { source: 'ledger', snapshotIndex: 0 });
    expect(req.approvalsRequired).toBe(2);
    const posts = h.postsToAtlas();
    await h.click(APPROVER, 'restore_approve', req.id);
    await waitFor(async () => (await h.request(req.id))?.approvals.length === 1, { message: 'first approval' });
    h.app.services.policy = parsePolicy(policyRequiring(3), 'test-policy.yaml'); // the file changed and was reloaded
    await h.click(APPROVER_2, 'restore_approve', req.id);

    const back = await waitFor(async () => {
      const r = await h.request(req.id);
      return r?.state === 'pending_approval' && r.approvalsRequired === 3 ? r : undefined;
    }, { message: 'the request waits for a third approval' });
    expect(back.approvals.map((a) => a.user)).toEqual([APPROVER, APPROVER_2]);
    const text = await h.waitForThread(req.id, /needs 1 more approval/);
    expect(text).toMatch(/policy now asks for 3 approvals/);
    expect(h.postsToAtlas()).toBe(posts);

    await h.click(THIRD, 'restore_approve', req.id);
    const running = await waitForState(h, req.id, 'running');
    expect(h.postsToAtlas() - posts).toBe(1);
    h.atlas.advanceJob(running.atlasJobId!, 'completed');
    await waitForState(h, req.id, 'completed');
  });
});
