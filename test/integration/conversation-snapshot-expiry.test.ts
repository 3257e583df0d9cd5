// A snapshot Atlas deletes (its expiresAt) before the request could be approved and sent: refused on the form, like a
// point in time about to leave the restore window, instead of a request that ends "not submitted" after the
// approvers' work. The oldest snapshot of a daily schedule is always the next one to go.
import { describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait-for.js';
import { GROUP_ID, REQUESTER, isFilledModal, useHarness, type Harness } from './conversation-harness.js';

const DAY_MS = 24 * 3600_000;
const MINUTE_MS = 60_000;
const errorsOf = (json: unknown) => (json as { errors?: Record<string, string> } | undefined)?.errors ?? {};
const requestIds = async (h: Harness) => new Set((await h.app.services.store.listRecent(100)).map((r) => r.id));

/** A completed snapshot of ledger that Atlas deletes `inMs` from now (the fake keeps dedicated snapshots 7 days). */
function snapshotExpiringIn(h: Harness, inMs: number): string {
  return h.atlas.addSnapshot(GROUP_ID, 'ledger', { createdAt: new Date(Date.now() - 7 * DAY_MS + inMs).toISOString() }).id;
}

async function modalFor(h: Harness, snapshotId: string) {
  const viewsBefore = h.slack.views().length;
  await h.command(REQUESTER, `shop/ledger ${snapshotId}`);
  return waitFor(() => h.slack.views().slice(viewsBefore).reverse().find((v) => v.callback_id === 'atlas_restore_modal' && isFilledModal(v) && JSON.stringify(v.blocks).includes(snapshotId)), {
    message: 'the modal with the snapshot selected',
  });
}

describe('a snapshot that expires before the request could be sent', () => {
  const h = useHarness();

  it('is refused on the form, saying when it goes and why that is too soon; nothing is requested', async () => {
    const id = snapshotExpiringIn(h, 10 * MINUTE_MS);
    const before = await requestIds(h);
    const modal = await modalFor(h, id);
    const res = await h.submitModal(modal, REQUESTER, { snapshotId: id, confirmation: 'ledger', reason: 'the oldest one has the rows' });
    const error = errorsOf(res.json)['restore_snapshot:shop/ledger'];
    expect(error).toMatch(/expires .* \(Atlas deletes it then\)/);
    expect(error).toContain('the approval may take up to 30 min');
    expect(error).toMatch(/newer snapshot/);
    expect(await requestIds(h)).toEqual(before);
  });

  it('one that outlives the approval window and the sending is accepted', async () => {
    const id = snapshotExpiringIn(h, 2 * 60 * MINUTE_MS);
    const modal = await modalFor(h, id);
    const res = await h.submitModal(modal, REQUESTER, { snapshotId: id, confirmation: 'ledger', reason: 'the oldest one has the rows' });
    expect(res.json ?? null).toBeNull();
    const req = await waitFor(async () => (await h.app.services.store.listRecent(100)).find((r) => r.snapshot.id === id && r.cardTs), { message: 'the request' });
    expect(req.state).toBe('pending_approval');
  });
});
