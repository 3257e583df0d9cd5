// `only …` or `at …` while Atlas can't say what the source supports: the form can only offer a whole-cluster
// restore from a snapshot, and it says what it left out instead of dropping it silently.
import { describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait-for.js';
import { REQUESTER, useHarness } from './conversation-harness.js';

describe('a pre-filled request Atlas could not check', () => {
  const h = useHarness();

  it('says the namespaces were not offered, and how to retry', async () => {
    h.atlas.inject({ kind: 'status', status: 400, errorCode: 'UNEXPECTED_ERROR', count: 50, method: 'GET', pathIncludes: '/clusters/ledger' });
    const viewsBefore = h.slack.views().length;
    const cmd = await h.command(REQUESTER, 'shop/ledger only sales.orders');
    expect(cmd.json ?? null).toBeNull();
    const modal = await waitFor(() => h.slack.views().slice(viewsBefore).find((v) => JSON.stringify(v.blocks).includes('could not be offered')), { message: 'the notice' });
    expect(JSON.stringify(modal.blocks)).toContain("Atlas didn't say what `shop/ledger` can restore, so the namespaces you gave could not be offered: choose the source again to retry.");
    h.atlas.reset();
  });
});
