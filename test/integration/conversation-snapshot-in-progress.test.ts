// A dedicated cluster with a snapshot being taken, through the real Bolt app and the fake Atlas. Atlas gives
// such a snapshot no createdAt until it completes (fake-atlas-reality.ts: snapshotTimeAtCompletion); the modal
// must still fill in, offer only the completed snapshots, say how many are running, and refuse a running one.
import { describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait-for.js';
import { GROUP_ID, isFilledModal, REQUESTER, snapshotIdOf, useHarness, type Harness } from './conversation-harness.js';

const h = useHarness();

interface ModalBlock { block_id?: string; element?: { options?: { value: string }[] } }

async function openModal(harness: Harness, text: string) {
  const viewsBefore = harness.slack.views().length;
  await harness.command(REQUESTER, text);
  return waitFor(() => harness.slack.views().slice(viewsBefore).reverse().find((v) => v.callback_id === 'atlas_restore_modal' && isFilledModal(v)), {
    message: 'filled modal',
  });
}

describe('the modal for a dedicated cluster with a snapshot in progress', () => {
  it('fills in with the completed snapshots, counts the running one, and refuses it inline', async () => {
    const completed = [0, 1, 2].map((i) => snapshotIdOf(h, 'ledger', i));
    const running = h.atlas.addSnapshot(GROUP_ID, 'ledger', { status: 'inProgress', onDemand: true }).id;
    expect(h.atlas.snapshots(GROUP_ID, 'ledger').find((s) => s['id'] === running)).not.toHaveProperty('createdAt');

    const modal = await openModal(h, 'shop/ledger');
    const text = JSON.stringify(modal.blocks);
    expect(text).not.toMatch(/couldn't be loaded/);
    const select = (modal.blocks as ModalBlock[]).find((b) => b.block_id?.startsWith('restore_snapshot'));
    expect(select?.block_id).toBe('restore_snapshot:shop/ledger');
    expect(select?.element?.options?.map((o) => o.value)).toEqual(completed);
    expect(text).toContain('1 snapshot in progress, not restorable yet.');

    const submitted = await h.submitModal(modal, REQUESTER, { snapshotId: running, confirmation: 'ledger' });
    const body = submitted.json as { response_action: string; errors: Record<string, string> };
    expect(body.response_action).toBe('errors');
    expect(body.errors['restore_snapshot:shop/ledger']).toBe('This snapshot is inProgress; only completed snapshots can be restored.');

    // The completed ones are still restorable: the request is created with the snapshot's time.
    const before = new Set((await h.app.services.store.listRecent(100)).map((r) => r.id));
    expect((await h.submitModal(modal, REQUESTER, { snapshotId: completed[0], confirmation: 'ledger' })).json ?? null).toBeNull();
    const req = await waitFor(async () => (await h.app.services.store.listRecent(100)).find((r) => !before.has(r.id) && r.cardTs), { message: 'posted request' });
    expect(req.snapshot).toEqual({ id: completed[0], createdAt: h.atlas.snapshots(GROUP_ID, 'ledger').find((s) => s['id'] === completed[0])!['createdAt'] });
  });

  it('a command naming the running snapshot opens the modal saying why it is not selected', async () => {
    const running = h.atlas.addSnapshot(GROUP_ID, 'staging', { status: 'queued' }).id;
    const modal = await openModal(h, `shop/staging ${running}`);
    const text = JSON.stringify(modal.blocks);
    expect(text).toContain(`Snapshot \`${running}\` is queued: only completed snapshots can be restored.`);
    const select = (modal.blocks as ModalBlock[]).find((b) => b.block_id?.startsWith('restore_snapshot'));
    expect(select?.element?.options?.map((o) => o.value)).not.toContain(running);
  });
});
