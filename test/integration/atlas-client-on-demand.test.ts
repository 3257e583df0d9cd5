// On-demand (safety) snapshots through the real client against the fake Atlas: the POST and its real answer (queued,
// no createdAt), one at a time per cluster (400 UNFINISHED_ON_DEMAND_SNAPSHOT, transient), polling with getSnapshot,
// dedicated only, and the never-retried create under faults.
import { describe, expect, it } from 'vitest';
import { GROUP, NOW_MS, atlasError, useBackupClientWorld } from './backup-client-world.js';

const orders = { groupId: GROUP, clusterName: 'orders', type: 'dedicated' as const };
const spare = { groupId: GROUP, clusterName: 'spare', type: 'dedicated' as const };
const request = { description: 'atlas-restore RR-7K3P2Q: before restoring into orders', retentionInDays: 2 };

const w = useBackupClientWorld((fake) => {
  fake.addCluster({ groupId: GROUP, name: 'orders', type: 'dedicated' });
  fake.addCluster({ groupId: GROUP, name: 'spare', type: 'dedicated' });
  fake.addCluster({ groupId: GROUP, name: 'fx', type: 'flex' });
  fake.addCluster({ groupId: GROUP, name: 'sl', type: 'serverless' });
});

describe('taking an on-demand snapshot', () => {
  it('posts description and retention once; the answer is queued, on demand, without createdAt', async () => {
    const snap = await w.client.takeOnDemandSnapshot(orders, request);
    expect(snap).toMatchObject({ status: 'queued', description: request.description, frequencyType: 'ondemand', snapshotType: 'onDemand', createdAt: undefined });
    expect(snap.expiresAt).toBe(new Date(NOW_MS + 2 * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z'));
    const posts = w.fake.requests.filter((r) => r.authorized && r.method === 'POST');
    expect(posts).toHaveLength(1);
    expect(posts[0]).toMatchObject({ path: `/api/atlas/v2/groups/${GROUP}/clusters/orders/backup/snapshots`, status: 200, body: request });
    expect(posts[0]!.headers['content-type']).toBe('application/vnd.atlas.2023-01-01+json');

    // One at a time per cluster: the second is refused, transient (wait, don't fail), and not retried.
    const busy = await atlasError(w.client.takeOnDemandSnapshot(orders, request));
    expect(busy).toMatchObject({ status: 400, errorCode: 'UNFINISHED_ON_DEMAND_SNAPSHOT', transient: true });
    expect(busy.hint).toMatch(/still being taken: wait until it has finished/);
    expect(w.apiRequests('POST')).toBe(2);
    expect(w.sleeps).toEqual([]);

    // Another cluster is not blocked.
    const other = await w.client.takeOnDemandSnapshot(spare, request);
    w.fake.advanceOnDemandSnapshot(other.id, 'completed');

    // Completed, it has its createdAt and the existing getSnapshot reads it; then the next one may be taken.
    w.fake.advanceOnDemandSnapshot(snap.id, 'inProgress');
    w.fake.advanceOnDemandSnapshot(snap.id, 'completed');
    const done = await w.client.getSnapshot(orders, snap.id);
    // Dated when Atlas took it, never in the second it was asked for (REALITY.onDemandTakenAfterRequest).
    expect(done).toMatchObject({ id: snap.id, status: 'completed', createdAt: new Date(NOW_MS + 86_000).toISOString().replace(/\.\d{3}Z$/, 'Z'), snapshotType: 'onDemand', description: request.description });
    expect((await w.client.listSnapshots(orders)).map((s) => s.id)).toContain(snap.id);
    const next = await w.client.takeOnDemandSnapshot(orders, request);
    w.fake.advanceOnDemandSnapshot(next.id, 'failed');
  });

  it('refuses bad input before any request', async () => {
    for (const bad of [{ ...request, retentionInDays: 0 }, { ...request, retentionInDays: 1.5 }, { ...request, description: ' ' }]) {
      const error = await atlasError(w.client.takeOnDemandSnapshot(orders, bad));
      expect(error).toMatchObject({ errorCode: 'ATLAS_INVALID_ARGUMENT' });
      expect(error.hint).toMatch(/safetySnapshot\.retentionInDays/);
    }
    expect(w.fake.requests).toHaveLength(0);
  });

  it.each([
    ['a Flex cluster', { groupId: GROUP, clusterName: 'fx', type: 'flex' as const }],
    ['a serverless instance', { groupId: GROUP, clusterName: 'sl', type: 'serverless' as const }],
  ])('%s has none: ATLAS_NOT_SUPPORTED_FOR_TYPE without calling Atlas', async (_label, cluster) => {
    const error = await atlasError(w.client.takeOnDemandSnapshot(cluster, request));
    expect(error).toMatchObject({ errorCode: 'ATLAS_NOT_SUPPORTED_FOR_TYPE', transient: false });
    expect(error.hint).toMatch(/have no on-demand snapshots, so no safety snapshot can be taken/);
    expect(w.fake.requests).toHaveLength(0);
  });

  it('a Flex cluster left to detection is detected, then refused without a POST', async () => {
    await expect(w.client.takeOnDemandSnapshot({ groupId: GROUP, clusterName: 'fx' }, request)).rejects.toMatchObject({ errorCode: 'ATLAS_NOT_SUPPORTED_FOR_TYPE' });
    expect(w.apiRequests('GET')).toBe(1); // the detection probe
    expect(w.fake.requests.some((r) => r.method === 'POST')).toBe(false);
  });
});

describe('faults on the create', () => {
  it.each([
    ['a 503', { kind: 'status' as const, status: 503 }],
    ['a reset connection', { kind: 'reset' as const }],
  ])('%s: exactly one POST, outcome unknown, with a hint about the snapshot', async (_label, fault) => {
    w.fake.inject({ ...fault, method: 'POST' });
    const error = await atlasError(w.client.takeOnDemandSnapshot(spare, request));
    expect(error).toMatchObject({ errorCode: 'ATLAS_CREATE_OUTCOME_UNKNOWN', transient: true });
    expect(error.detail).toMatch(/the on-demand snapshot may or may not exist/);
    expect(error.hint).toMatch(/did not confirm the on-demand snapshot: look at the cluster's snapshots/);
    expect(w.apiRequests('POST')).toBe(1);
    expect(w.sleeps).toEqual([]);
  });

  it('a 2xx it cannot read is outcome unknown, not a refusal: the snapshot is being taken', async () => {
    w.fake.inject({ kind: 'empty2xx', method: 'POST' });
    const error = await atlasError(w.client.takeOnDemandSnapshot(spare, request));
    expect(error).toMatchObject({ errorCode: 'ATLAS_CREATE_OUTCOME_UNKNOWN', transient: true });
    expect(error.hint).toMatch(/did not confirm the on-demand snapshot/);
    expect(w.apiRequests('POST')).toBe(1);
  });

  it('a hang: exactly one POST, outcome unknown', async () => {
    const quick = w.quickClient();
    w.fake.inject({ kind: 'hang', method: 'POST' });
    await expect(quick.takeOnDemandSnapshot(spare, request)).rejects.toMatchObject({ errorCode: 'ATLAS_CREATE_OUTCOME_UNKNOWN' });
    expect(w.apiRequests('POST')).toBe(1);
  });

  it('a 429 is not retried and keeps its code: nothing was created', async () => {
    w.fake.inject({ kind: 'status', status: 429, retryAfterSeconds: 2, method: 'POST' });
    await expect(w.client.takeOnDemandSnapshot(spare, request)).rejects.toMatchObject({ errorCode: 'RATE_LIMITED', retryAfterMs: 2000, transient: true });
    expect(w.apiRequests('POST')).toBe(1);
  });
});
