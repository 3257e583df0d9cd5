// A cluster taken out of the restore policy while a request for it waits: nobody can approve it any more, and the
// buttons say that (and that it ends by itself), not "you're not an approver" to its approvers.
import { describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait-for.js';
import { APPROVER, policyWith, REQUESTER, requestRestore, useHarness, withPolicy, type Harness } from './conversation-harness.js';

/** The harness's policy with only `orders` and `ledger` left. */
const WITHOUT_STAGING_AND_LEGACY = policyWith({ onlyClusters: ['orders', 'ledger'], approvers: [APPROVER] });

const lastEphemeral = (h: Harness, user: string, before: number) =>
  waitFor(() => h.slack.ephemerals(user).slice(before).at(-1)?.text, { message: `an ephemeral answer to ${user}` });

describe('a cluster of a pending request leaves the policy', () => {
  const h = useHarness();

  it('its target: Approve, Reject and Cancel each say the cluster left the policy and that the request ends by itself', async () => {
    const req = await requestRestore(h, { source: 'orders', target: 'staging' });
    await withPolicy(h, WITHOUT_STAGING_AND_LEGACY, async () => {
      for (const [user, action] of [[APPROVER, 'restore_approve'], [APPROVER, 'restore_reject'], [REQUESTER, 'restore_cancel']] as const) {
        const before = h.slack.ephemerals(user).length;
        await h.click(user, action, req.id);
        const text = await lastEphemeral(h, user, before);
        expect(text, action).toContain('`shop/staging` is no longer in the restore policy');
        expect(text, action).toMatch(/ends by itself when its approval window closes/);
        expect(text, action).not.toMatch(/not an approver|not allowed/);
      }
      expect((await h.request(req.id))!.state).toBe('pending_approval');
    });
  });

  it('its source: Approve is refused at the click, not recorded and then "not submitted"', async () => {
    const req = await requestRestore(h, { source: 'legacy', target: 'ledger' });
    await withPolicy(h, WITHOUT_STAGING_AND_LEGACY, async () => {
      const before = h.slack.ephemerals(APPROVER).length;
      await h.click(APPROVER, 'restore_approve', req.id);
      expect(await lastEphemeral(h, APPROVER, before)).toContain('`shop/legacy` is no longer in the restore policy');
      const stored = (await h.request(req.id))!;
      expect(stored.state).toBe('pending_approval');
      expect(stored.approvals).toEqual([]);
      expect(h.postsToAtlas()).toBe(0);
    });
  });

  it('its source only: an approver of the target still rejects it, freeing the target at once', async () => {
    // The target is still the policy's, and so are its approvers: a Reject is the one way to free it before the
    // approval window ends (a pending request holds its target). Refused, the target stayed held all that time.
    const req = await requestRestore(h, { source: 'legacy', target: 'orders' });
    await withPolicy(h, WITHOUT_STAGING_AND_LEGACY, async () => {
      await h.click(APPROVER, 'restore_reject', req.id);
      await waitFor(async () => ((await h.request(req.id))?.state === 'rejected' ? true : undefined), { message: 'the request rejected' });
      expect(h.postsToAtlas()).toBe(0);
      expect(await h.app.services.store.acquireTargetLock(req.target, 'RR-NEXT01', 60)).toEqual({ ok: true });
      await h.app.services.store.releaseTargetLock(req.target, 'RR-NEXT01');
    });
  });
});
