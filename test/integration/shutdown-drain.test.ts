// SIGTERM (app.stop) lets Slack handlers that were already acked finish before Redis is closed: a modal being
// filled while Atlas answers slowly still gets its snapshots (and their Redis cache entry), not an error.
import { describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait-for.js';
import { REQUESTER, isFilledModal, startHarness } from './conversation-harness.js';

describe('shutdown', () => {
  it('waits for an acked handler to finish its Redis writes before closing Redis', async () => {
    const h = await startHarness();
    try {
      h.atlas.inject({ kind: 'slow', delayMs: 700, method: 'GET', pathIncludes: '/clusters/ledger/backup/snapshots' });
      const views = h.slack.views().length;
      const { status } = await h.command(REQUESTER, 'shop/ledger');
      expect(status).toBe(200); // acked; the modal is filled after Atlas answers
      await waitFor(() => h.atlas.requests.some((r) => r.path.endsWith('/clusters/ledger/backup/snapshots') && r.authorized), { message: 'the listing reached Atlas' });
      const stopped = h.app.stop();
      const modal = await waitFor(() => h.slack.views().slice(views).reverse().find((v) => v.callback_id === 'atlas_restore_modal' && isFilledModal(v)), { message: 'the filled modal' });
      await stopped;
      expect(JSON.stringify(modal.blocks)).toContain('restore_snapshot');
      expect(JSON.stringify(modal.blocks)).not.toMatch(/could not be asked|try again/i);
      expect(await h.redis.exists(`${h.prefix}modal:${modal.id}`)).toBe(1);
    } finally {
      await h.close();
    }
  });
});
