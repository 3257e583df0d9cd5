// A request nobody could approve: the target's approvers, less the requester (who may not approve their own request),
// are fewer than the approvals it needs. Refused on the form with why, rather than posted, pinged to no one, and
// left to expire "not enough approvals".
import { describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait-for.js';
import { APPROVER, REQUESTER, isFilledModal, policyWith, startHarness, type Harness } from './conversation-harness.js';

const errorsOf = (json: unknown) => (json as { errors?: Record<string, string> } | undefined)?.errors ?? {};

async function submitOrders(h: Harness): Promise<{ json: unknown; before: number }> {
  const before = (await h.app.services.store.listRecent(100)).length;
  const viewsBefore = h.slack.views().length;
  await h.command(REQUESTER, 'shop/orders');
  const modal = await waitFor(() => h.slack.views().slice(viewsBefore).reverse().find((v) => v.callback_id === 'atlas_restore_modal' && isFilledModal(v)), { message: 'the modal' });
  const res = await h.submitModal(modal, REQUESTER, { confirmation: 'orders', reason: 'a test' });
  return { json: res.json, before };
}

async function withPolicy<T>(yaml: string, run: (h: Harness) => Promise<T>): Promise<T> {
  const h = await startHarness({ policyYaml: yaml });
  try {
    return await run(h);
  } finally {
    await h.close();
  }
}

describe('a request nobody but its requester could approve', () => {
  it('the requester is the only approver: refused on the form, saying why; nothing is requested', async () => {
    await withPolicy(policyWith({ approvers: [REQUESTER] }), async (h) => {
      const { json, before } = await submitOrders(h);
      const error = errorsOf(json)['restore_target:shop/orders'];
      expect(error).toContain('shop/orders needs 1 approval, but nobody else is among its approvers');
      expect(error).toMatch(/can't approve your own request/);
      expect((await h.app.services.store.listRecent(100)).length).toBe(before);
    });
  });

  it('two approvals needed and only one other approver: refused the same way', async () => {
    await withPolicy(policyWith({ approvers: [REQUESTER, APPROVER], required: 2 }), async (h) => {
      const { json } = await submitOrders(h);
      expect(errorsOf(json)['restore_target:shop/orders']).toContain('shop/orders needs 2 approvals, but only 1 other person is among its approvers');
    });
  });

  it('where the policy lets requesters approve their own requests, it is accepted', async () => {
    await withPolicy(policyWith({ approvers: [REQUESTER] }).replace('allowSelfApproval: false', 'allowSelfApproval: true'), async (h) => {
      const { json } = await submitOrders(h);
      expect(json ?? null).toBeNull();
    });
  });
});
