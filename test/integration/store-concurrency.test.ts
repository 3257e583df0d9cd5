// Real concurrency against real Redis: several ioredis connections (as several replicas would have)
// racing on the same request or target. Exactly one winner each time.
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRestoreStore, type RestoreStore } from '../../src/restore/store.js';
import type { ClusterRef } from '../../src/restore/types.js';
import { waitFor } from '../helpers/wait-for.js';
import { connect, deleteKeys, makeRequest, randomPrefix } from './store-fixtures.js';

const prefix = randomPrefix('store-concurrency');
let clients: Redis[];
let stores: RestoreStore[];
let store: RestoreStore;

/** The i-th call goes through the i-th connection, round robin. */
function storeFor(i: number): RestoreStore {
  return stores[i % stores.length]!;
}

beforeAll(() => {
  clients = [connect(), connect(), connect()];
  stores = clients.map((redis) => createRestoreStore({ redis, prefix }));
  store = stores[0]!;
});

afterAll(async () => {
  await deleteKeys(clients[0]!, prefix);
  await Promise.all(clients.map((c) => c.quit()));
});

describe('transition under contention', () => {
  it('50 concurrent transitions from the same state: exactly one ok', async () => {
    const req = makeRequest({ state: 'approved' });
    await store.create(req);
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        storeFor(i).transition(req.id, ['approved'], 'submitting', { submittingAt: `2026-01-01T00:00:${String(i).padStart(2, '0')}.000Z` }),
      ),
    );
    const winners = results.filter((r) => r.ok);
    expect(winners).toHaveLength(1);
    // Losers see the winner's write, not the state they expected.
    for (const r of results.filter((x) => !x.ok)) {
      expect(r.request?.state).toBe('submitting');
      expect(r.request?.submittingAt).toBe(winners[0]!.request.submittingAt);
    }
    expect((await store.get(req.id))?.submittingAt).toBe(winners[0]!.request.submittingAt);
  });

  it('reject and cancel racing: one wins, and only its patch is stored', async () => {
    const req = makeRequest();
    await store.create(req);
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        i % 2 === 0
          ? storeFor(i).transition(req.id, ['pending_approval'], 'rejected', { rejectedBy: `U${i}` })
          : storeFor(i).transition(req.id, ['pending_approval'], 'cancelled', { cancelledBy: `U${i}` }),
      ),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    const final = await store.get(req.id);
    expect(final?.rejectedBy === undefined).not.toBe(final?.cancelledBy === undefined);
  });
});

describe('addApproval', () => {
  it('at or after the expiry the store refuses the approval itself, even while the request still reads pending', async () => {
    const req = makeRequest({ approvalsRequired: 1, approvalExpiresAt: new Date(Date.now() - 1).toISOString() });
    await store.create(req);
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => store.addApproval(req.id, `U0LATE${i}`, new Date().toISOString())));
    expect(results.map((r) => r.outcome)).toEqual(Array(10).fill('expired'));
    const after = await store.get(req.id);
    expect(after).toMatchObject({ state: 'pending_approval', approvals: [] });
  });

  it('claimField: of 20 concurrent claims exactly one wins, and none once the state moved on', async () => {
    const req = makeRequest({ state: 'submitting' });
    await store.create(req);
    const claims = await Promise.all(Array.from({ length: 20 }, (_, i) => store.claimField(req.id, ['submitting'], 'postStartedAt', `2026-01-01T00:00:${String(i).padStart(2, '0')}.000Z`)));
    expect(claims.filter((c) => c.ok)).toHaveLength(1);
    await store.update(req.id, ['submitting'], { postStartedAt: undefined });
    await store.transition(req.id, ['submitting'], 'failed', {});
    expect((await store.claimField(req.id, ['submitting'], 'postStartedAt', '2026-01-01T00:01:00.000Z')).ok).toBe(false);
  });

  it('claimField: only the winner writes the fields that go with the claim, in the same script', async () => {
    const req = makeRequest({ state: 'submitting' });
    await store.create(req);
    const claims = await Promise.all(
      Array.from({ length: 20 }, (_, i) => store.claimField(req.id, ['submitting'], 'postStartedAt', `2026-01-01T00:00:${String(i).padStart(2, '0')}.000Z`, { priorJobIds: [`job-${i}`] })),
    );
    const winner = claims.findIndex((c) => c.ok);
    expect(claims.filter((c) => c.ok)).toHaveLength(1);
    expect(claims[winner]!.request?.priorJobIds).toEqual([`job-${winner}`]);
    expect((await store.get(req.id))?.priorJobIds).toEqual([`job-${winner}`]);
    await expect(store.claimField(req.id, ['submitting'], 'safetySnapshotClaimedAt', 'x', { priorJobIds: undefined })).rejects.toMatchObject({ code: 'STORE_INVALID_ARGUMENT' });
  });

  it('required=1: the first approval completes; a second click is already_approved', async () => {
    const req = makeRequest({ approvalsRequired: 1 });
    await store.create(req);
    const first = await store.addApproval(req.id, 'U0APPROVER1', '2026-01-01T00:01:00.000Z');
    expect(first).toMatchObject({ outcome: 'added', complete: true });
    expect(first.request).toMatchObject({ state: 'approved', approvals: [{ user: 'U0APPROVER1', at: '2026-01-01T00:01:00.000Z' }] });
    expect(await store.addApproval(req.id, 'U0APPROVER1', '2026-01-01T00:01:01.000Z')).toMatchObject({ outcome: 'already_approved', complete: false });
    expect(await store.addApproval(req.id, 'U0APPROVER2', '2026-01-01T00:01:02.000Z')).toMatchObject({ outcome: 'not_pending', complete: false });
    expect(await store.addApproval('RR-ABSENT', 'U0APPROVER1', '2026-01-01T00:01:00.000Z')).toEqual({ outcome: 'not_found', request: null, complete: false });
    expect((await store.get(req.id))?.approvals).toHaveLength(1);
  });

  it('required=2: counts distinct approvers; a repeat does not count; the second distinct one completes', async () => {
    const req = makeRequest({ approvalsRequired: 2 });
    await store.create(req);
    const a = await store.addApproval(req.id, 'U0A', '2026-01-01T00:02:00.000Z');
    expect(a).toMatchObject({ outcome: 'added', complete: false });
    expect(a.request?.state).toBe('pending_approval');
    const again = await store.addApproval(req.id, 'U0A', '2026-01-01T00:02:01.000Z');
    expect(again).toMatchObject({ outcome: 'already_approved', complete: false });
    expect(again.request?.state).toBe('pending_approval');
    const b = await store.addApproval(req.id, 'U0B', '2026-01-01T00:02:02.000Z');
    expect(b).toMatchObject({ outcome: 'added', complete: true });
    expect(b.request?.state).toBe('approved');
    expect(b.request?.approvals.map((x) => x.user)).toEqual(['U0A', 'U0B']);
  });

  it('20 concurrent approvals by the same user: exactly one added', async () => {
    const req = makeRequest({ approvalsRequired: 2 });
    await store.create(req);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => storeFor(i).addApproval(req.id, 'U0SAME', '2026-01-01T00:03:00.000Z')),
    );
    expect(results.filter((r) => r.outcome === 'added')).toHaveLength(1);
    expect(results.filter((r) => r.outcome === 'already_approved')).toHaveLength(19);
    expect(results.some((r) => r.complete)).toBe(false);
    expect((await store.get(req.id))?.approvals).toHaveLength(1);
  });

  it('20 concurrent approvals by different users with required=2: exactly one complete', async () => {
    const req = makeRequest({ approvalsRequired: 2 });
    await store.create(req);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => storeFor(i).addApproval(req.id, `U0USER${i}`, '2026-01-01T00:04:00.000Z')),
    );
    expect(results.filter((r) => r.complete)).toHaveLength(1);
    expect(results.filter((r) => r.outcome === 'added')).toHaveLength(2);
    expect(results.filter((r) => r.outcome === 'not_pending')).toHaveLength(18);
    const stored = await store.get(req.id);
    expect(stored?.state).toBe('approved');
    expect(new Set(stored?.approvals.map((x) => x.user)).size).toBe(2);
  });

  it('rejects a bad approval time with a clear message', async () => {
    await expect(store.addApproval('RR-X', 'U1', 'soon')).rejects.toThrow(/ISO 8601/);
  });
});

describe('target lock', () => {
  const target: ClusterRef = { project: 'shop', groupId: '5e2211c17a3e5a48f5497de3', cluster: 'orders-lock' };

  it('one holder under contention; others learn who and since when; idempotent for the holder', async () => {
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => storeFor(i).acquireTargetLock(target, `RR-LOCK${String(i).padStart(2, '0')}`, 60)),
    );
    const winners = results.map((r, i) => ({ r, id: `RR-LOCK${String(i).padStart(2, '0')}` })).filter((x) => x.r.ok);
    expect(winners).toHaveLength(1);
    const holder = winners[0]!.id;
    for (const r of results) {
      if (!r.ok) {
        expect(r.holder).toBe(holder);
        expect(Date.parse(r.since)).not.toBeNaN();
      }
    }
    expect(await store.acquireTargetLock(target, holder, 60)).toEqual({ ok: true });
    // A different cluster in the same project is a different target.
    expect(await store.acquireTargetLock({ ...target, cluster: 'orders-other' }, 'RR-OTHER1', 60)).toEqual({ ok: true });
    await store.releaseTargetLock({ ...target, cluster: 'orders-other' }, 'RR-OTHER1');

    // Only the holder refreshes or releases.
    expect(await store.refreshTargetLock(target, 'RR-NOTME0', 60)).toBe(false);
    await store.releaseTargetLock(target, 'RR-NOTME0');
    expect(await store.acquireTargetLock(target, 'RR-NOTME0', 60)).toMatchObject({ ok: false, holder });
    expect(await store.refreshTargetLock(target, holder, 60)).toBe(true);
    await store.releaseTargetLock(target, holder);
    expect(await store.acquireTargetLock(target, 'RR-NEXT00', 60)).toEqual({ ok: true });
    await store.releaseTargetLock(target, 'RR-NEXT00');
  });

  it('expires after its TTL so a crashed holder does not block the target forever', async () => {
    const shortTarget = { ...target, cluster: 'orders-ttl' };
    // 2 s, not 1: the second acquire must still find it held, however long a loaded machine takes between the two.
    expect(await store.acquireTargetLock(shortTarget, 'RR-CRASH0', 2)).toEqual({ ok: true });
    expect(await storeFor(1).acquireTargetLock(shortTarget, 'RR-WAIT00', 1)).toMatchObject({ ok: false, holder: 'RR-CRASH0' });
    await waitFor(async () => (await storeFor(1).acquireTargetLock(shortTarget, 'RR-WAIT00', 60)).ok, { message: 'the 2-second lock to expire' });
    expect(await store.refreshTargetLock(shortTarget, 'RR-CRASH0', 60)).toBe(false);
    await store.releaseTargetLock(shortTarget, 'RR-WAIT00');
  });

  it('rejects a bad ttl', async () => {
    await expect(store.acquireTargetLock(target, 'RR-X', 0)).rejects.toThrow(/ttlSeconds/);
  });
});
