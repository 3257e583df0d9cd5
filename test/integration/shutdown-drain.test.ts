// SIGTERM (app.stop) lets Slack handlers that were already acked finish before Redis is closed: a modal being
// filled while Atlas answers slowly still gets its snapshots (and their Redis cache entry), not an error.
import { describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { createRestoreStore } from '../../src/restore/store.js';
import { FAST_OVERRIDES } from '../fakes/config-for-fakes.js';
import { TRACKER_QUEUE, expiryJobId } from '../../src/restore/tracker.js';
import { waitFor } from '../helpers/wait-for.js';
import { REQUESTER, expireApprovalSoon, isFilledModal, requestRestore, startHarness } from './conversation-harness.js';

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

  // The tracker's worker stops taking jobs when shutdown starts, not after the drain: a job that falls due meanwhile is
  // left to another replica (or this one's restart), and the in-progress polls' bound runs alongside the drain's.
  it('takes no new tracker job while acked handlers drain; the job stays queued for another replica', async () => {
    // The handler's Atlas call is held past the client's usual 2 s here: a timeout and its retry would end the drain early.
    const h = await startHarness({ overrides: { atlas: { ...FAST_OVERRIDES.atlas, timeoutMs: 15_000 } } });
    try {
      const request = await requestRestore(h, { source: 'orders' });
      let answer!: () => void;
      h.atlas.inject({ kind: 'slow', until: new Promise<void>((resolve) => (answer = resolve)), method: 'GET', pathIncludes: '/clusters/ledger/backup/snapshots' });
      const { status } = await h.command(REQUESTER, 'shop/ledger');
      expect(status).toBe(200);
      await waitFor(() => h.atlas.requests.some((r) => r.path.endsWith('/clusters/ledger/backup/snapshots') && r.authorized), { message: 'the listing reached Atlas' });
      const stopped = h.app.stop();
      // Falls due while the handler above still waits for Atlas: a running worker would expire the request. Atlas
      // answers a second after the job is due, however long making it due took (a fixed delay from the call would let
      // a slow machine end the drain first, and the test pass whatever the worker does).
      try {
        await expireApprovalSoon(h, request.id, 0);
      } finally {
        setTimeout(answer, 1000);
      }
      await stopped;
      // The app's connections are closed now: read with the harness's own.
      expect((await createRestoreStore({ redis: h.redis, prefix: h.prefix }).get(request.id))?.state).toBe('pending_approval');
      const queue = new Queue(TRACKER_QUEUE, { connection: h.redis.duplicate(), prefix: `${h.prefix}bull` });
      try {
        expect(await (await queue.getJob(expiryJobId(request.id)))?.getState()).toMatch(/^(waiting|delayed|prioritized)$/);
      } finally {
        await queue.close();
      }
    } finally {
      await h.close();
    }
  });
});
