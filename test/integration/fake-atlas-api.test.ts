// Proves the fake Atlas serves the API like Atlas where our client depends on it: pagination, wrong-type
// errors, restore-job validation and progression, injected faults. Shared setup: fake-atlas-world.ts.
import { describe, expect, it } from 'vitest';
import { startFakeAtlas } from '../fakes/fake-atlas.js';
import { validateSchema } from '../helpers/openapi-contract.js';
import { waitFor } from '../helpers/wait-for.js';
import { digestHeader, G, G2, useFakeAtlas, V2023, V2024 } from './fake-atlas-world.js';

describe('fake Atlas', () => {
  const world = useFakeAtlas();
  const { call, nonce, start, snaps, jobs, dedicatedBody } = world;

  describe('snapshots', () => {
    it('pages newest first with links and totalCount', async () => {
      const all = world.fake.snapshots(G, 'orders').map((s) => s['id']);
      const createdAt = world.fake.snapshots(G, 'orders').map((s) => s['createdAt'] as string);
      expect([...createdAt].sort().reverse()).toEqual(createdAt);
      const p2 = await call('GET', `${snaps()}?pageNum=2&itemsPerPage=3`);
      expect(p2.status).toBe(200);
      expect((p2.body!['results'] as { id: string }[]).map((s) => s.id)).toEqual(all.slice(3, 6));
      expect(p2.body!['totalCount']).toBe(7);
      const rels = (p2.body!['links'] as { rel: string; href: string }[]).map((l) => [l.rel, new URL(l.href).search]);
      expect(rels).toEqual([
        ['self', '?pageNum=2&itemsPerPage=3'],
        ['previous', '?pageNum=1&itemsPerPage=3'],
        ['next', '?pageNum=3&itemsPerPage=3'],
      ]);
      const p3 = await call('GET', `${snaps()}?pageNum=3&itemsPerPage=3&includeCount=false`);
      expect((p3.body!['results'] as unknown[]).length).toBe(1);
      expect(p3.body!['totalCount']).toBeUndefined();
      expect((p3.body!['links'] as { rel: string }[]).map((l) => l.rel)).toEqual(['self', 'previous']);
      const dflt = await call('GET', snaps());
      expect((dflt.body!['results'] as unknown[]).length).toBe(7);
    });

    it('refuses itemsPerPage above 500 and a bad pageNum', async () => {
      expect((await call('GET', `${snaps()}?itemsPerPage=501`)).body).toMatchObject({ error: 400, errorCode: 'VALIDATION_ERROR' });
      expect((await call('GET', `${snaps()}?pageNum=0`)).status).toBe(400);
      expect((await call('GET', `${snaps()}?itemsPerPage=500`)).status).toBe(200);
    });

    it('gets one snapshot and 404s an unknown one', async () => {
      const id = world.fake.addSnapshot(G, 'orders', { status: 'inProgress' }).id;
      const r = await call('GET', `${snaps()}/${id}`);
      expect(r.body).toMatchObject({ id, status: 'inProgress', type: 'replicaSet' });
      expect((await call('GET', `${snaps()}/${'0'.repeat(24)}`)).body).toMatchObject({ error: 404, errorCode: 'SNAPSHOT_NOT_FOUND' });
    });

    it('answers the wrong-type error codes', async () => {
      const cases: [string, number, string][] = [
        [snaps('orders', 'flexClusters'), 400, 'CANNOT_USE_NON_FLEX_CLUSTER_IN_FLEX_API'],
        [snaps('orders-flex', 'clusters'), 400, 'CANNOT_USE_FLEX_CLUSTER_IN_CLUSTER_API'],
        [snaps('legacy', 'clusters'), 400, 'CANNOT_USE_SERVERLESS_INSTANCE_IN_CLUSTER_API'],
        [snaps('orders', 'serverless'), 400, 'CANNOT_USE_CLUSTER_IN_SERVERLESS_INSTANCE_API'],
        [snaps('orders-flex', 'serverless'), 404, 'SERVERLESS_INSTANCE_NOT_FOUND'],
        [snaps('nope', 'clusters'), 404, 'CLUSTER_NOT_FOUND'],
        [snaps('nope', 'flexClusters'), 404, 'CLUSTER_NOT_FOUND'],
        [snaps('orders', 'clusters', 'not-a-group'), 400, 'INVALID_GROUP_ID'],
      ];
      for (const [path, status, errorCode] of cases) {
        const accept = path.includes('flexClusters') ? V2024 : V2023;
        const r = await call('GET', path, { accept });
        expect({ path, status: r.status, errorCode: r.body?.['errorCode'] }).toEqual({ path, status, errorCode });
      }
    });
  });

  describe('restore jobs', () => {
    it('validates the POST body', async () => {
      const snap = world.fake.snapshots(G, 'orders')[0]!['id'] as string;
      const missing = await call('POST', jobs(), { body: { snapshotId: snap } });
      expect(missing.body).toMatchObject({ error: 400, errorCode: 'MISSING_ATTRIBUTE' });
      expect(validateSchema('ApiError', missing.body)).toEqual([]);
      expect((await call('POST', jobs(), { body: { ...dedicatedBody(snap), deliveryType: 'download' } })).body).toMatchObject({ errorCode: 'INVALID_ATTRIBUTE' });
      expect((await call('POST', jobs(), { body: dedicatedBody('f'.repeat(24)) })).body).toMatchObject({ error: 404, errorCode: 'SNAPSHOT_NOT_FOUND' });
      const queued = world.fake.addSnapshot(G, 'orders', { status: 'queued' }).id;
      expect((await call('POST', jobs(), { body: dedicatedBody(queued) })).body).toMatchObject({ error: 400, errorCode: 'SNAPSHOT_NOT_COMPLETE' });
      expect((await call('POST', jobs(), { body: dedicatedBody(snap, 'ghost') })).body).toMatchObject({ error: 404, errorCode: 'CLUSTER_NOT_FOUND' });
      expect((await call('POST', jobs(), { body: dedicatedBody(snap, 'staging-flex') })).body).toMatchObject({ error: 400, errorCode: 'INVALID_ATTRIBUTE' });
      const bad = await fetch(`${world.fake.url}${jobs()}`, { method: 'POST', body: 'not json', headers: { 'Content-Type': V2023, Accept: V2023, Authorization: digestHeader('POST', jobs(), { nonce: world.currentNonce, nc: ++world.ncCounter }) } });
      expect(await bad.json()).toMatchObject({ error: 400, errorCode: 'INVALID_JSON' });
      expect(world.fake.restoreJobs(G, 'orders')).toEqual([]);
    });

    it('refuses a second restore into a busy target (409) until the first ends', async () => {
      const snap = world.fake.snapshots(G, 'orders')[0]!['id'] as string;
      const first = await call('POST', jobs(), { body: dedicatedBody(snap) });
      expect(first.status).toBe(200);
      const second = await call('POST', jobs(), { body: dedicatedBody(snap) });
      expect(second.body).toMatchObject({ error: 409, errorCode: 'ATLAS_CLUSTER_RESTORE_IN_PROGRESS' });
      world.fake.advanceJob(first.body!['id'] as string, 'completed');
      expect((await call('POST', jobs(), { body: dedicatedBody(snap) })).status).toBe(200);
    });

    it('moves a dedicated job one step per GET and records the POST', async () => {
      const snap = world.fake.snapshots(G, 'orders')[1]!['id'] as string;
      const created = await call('POST', jobs(), { body: dedicatedBody(snap) });
      expect(created.status).toBe(200);
      const id = created.body!['id'] as string;
      expect(id).toMatch(/^[a-f0-9]{24}$/);
      expect(created.body).toMatchObject({ snapshotId: snap, targetClusterName: 'staging', targetGroupId: G2, deliveryType: 'automated', failed: false, cancelled: false, expired: false });
      expect(created.body!['finishedAt']).toBeUndefined();
      const post = world.fake.requests.find((r) => r.method === 'POST' && r.status === 200)!;
      expect(post).toMatchObject({ path: jobs(), authorized: true, body: dedicatedBody(snap) });
      expect(post.headers['content-type']).toBe(V2023);
      const g1 = await call('GET', `${jobs()}/${id}`);
      expect(g1.body!['finishedAt']).toBeUndefined(); // running: Atlas shows no difference from pending
      const g2 = await call('GET', `${jobs()}/${id}`);
      expect(g2.body).toMatchObject({ failed: false, cancelled: false });
      expect(g2.body!['finishedAt']).toEqual(expect.any(String));
      const list = await call('GET', jobs());
      expect((list.body!['results'] as { id: string }[]).map((j) => j.id)).toEqual([id]);
      expect((await call('GET', `${jobs('staging', 'clusters', 'v2', G2)}/${id}`)).body).toMatchObject({ error: 404, errorCode: 'RESTORE_JOB_NOT_FOUND' });
    });

    it('moves a flex job after stepsPerState GETs', async () => {
      await start({ stepsPerState: 2 });
      const snap = world.fake.snapshots(G, 'orders-flex')[0]!['id'] as string;
      const created = await call('POST', jobs('orders-flex', 'flexClusters'), { accept: V2024, body: { snapshotId: snap, targetDeploymentItemName: 'staging-flex', targetProjectId: G2 } });
      expect(created.body).toMatchObject({ status: 'PENDING', snapshotId: snap, targetDeploymentItemName: 'staging-flex', targetProjectId: G2, projectId: G, instanceName: 'orders-flex' });
      const seen: string[] = [];
      for (let i = 0; i < 5; i++) seen.push((await call('GET', `${jobs('orders-flex', 'flexClusters')}/${created.body!['id'] as string}`, { accept: V2024 })).body!['status'] as string);
      expect(seen).toEqual(['PENDING', 'RUNNING', 'RUNNING', 'COMPLETED', 'COMPLETED']);
    });

    it('with stepsPerState 0 only advanceJob moves jobs; every terminal state is shown', async () => {
      await start({ stepsPerState: 0 });
      const flexSnap = world.fake.snapshots(G, 'orders-flex')[0]!['id'] as string;
      const flexJob = world.fake.seedRestoreJob({ groupId: G, name: 'orders-flex' }, { snapshotId: flexSnap, targetGroupId: G, targetClusterName: 'orders-flex' }).id;
      const flexPath = `${jobs('orders-flex', 'flexClusters')}/${flexJob}`;
      for (let i = 0; i < 3; i++) expect((await call('GET', flexPath, { accept: V2024 })).body!['status']).toBe('PENDING');
      world.fake.advanceJob(flexJob, 'failed', 'disk full');
      expect((await call('GET', flexPath, { accept: V2024 })).body!['status']).toBe('FAILED');
      expect(() => world.fake.advanceJob(flexJob, 'cancelled')).toThrow(/FAKE_ATLAS_BAD_TRANSITION/);
      expect(() => world.fake.advanceJob('0'.repeat(24), 'completed')).toThrow(/FAKE_ATLAS_NO_JOB/);

      const sSnap = world.fake.snapshots(G, 'legacy')[0]!['id'] as string;
      const expect1 = async (to: 'cancelled' | 'expired' | 'failed', flag: string) => {
        const id = world.fake.seedRestoreJob({ groupId: G, name: 'legacy' }, { snapshotId: sSnap, targetGroupId: G, targetClusterName: 'legacy' }).id;
        world.fake.advanceJob(id, to);
        const r = await call('GET', `${jobs('legacy', 'serverless', 'v1.0')}/${id}`, { accept: 'application/json' });
        expect(r.body).toMatchObject({ [flag]: true, createdAt: expect.any(String) });
      };
      await expect1('cancelled', 'cancelled');
      await expect1('expired', 'expired');
      await expect1('failed', 'failed');
    });

    it('cancels a dedicated download job with DELETE (204), refuses an automated one, and DELETE elsewhere', async () => {
      const snap = world.fake.snapshots(G, 'orders')[0]!['id'] as string;
      const automated = world.fake.seedRestoreJob({ groupId: G, name: 'orders' }, { snapshotId: snap, targetGroupId: G2, targetClusterName: 'staging' }).id;
      const refused = await call('DELETE', `${jobs()}/${automated}`);
      expect(refused).toMatchObject({ status: 400, body: { error: 400, errorCode: 'CANNOT_CANCEL_AUTOMATED_RESTORE' } });
      expect(world.fake.restoreJobs(G, 'orders')[0]).toMatchObject({ id: automated, cancelled: false });
      const id = world.fake.seedRestoreJob({ groupId: G, name: 'orders' }, { snapshotId: snap, targetGroupId: G2, targetClusterName: 'staging', deliveryType: 'download' }).id;
      const del = await call('DELETE', `${jobs()}/${id}`);
      expect(del.status).toBe(204);
      expect(del.body).toBeUndefined();
      expect(world.fake.restoreJobs(G, 'orders').find((j) => j.id === id)).toMatchObject({ deliveryType: 'download', cancelled: true });
      expect((await call('DELETE', `${jobs()}/${id}`)).body).toMatchObject({ error: 400, errorCode: 'CANNOT_CANCEL_FINISHED_RESTORE_JOB' });
      const sSnap = world.fake.snapshots(G, 'legacy')[0]!['id'] as string;
      const sid = world.fake.seedRestoreJob({ groupId: G, name: 'legacy' }, { snapshotId: sSnap, targetGroupId: G, targetClusterName: 'legacy' }).id;
      expect((await call('DELETE', `${jobs('legacy', 'serverless')}/${sid}`)).status).toBe(405);
    });

    it('lists seeded jobs newest first', async () => {
      const snap = world.fake.snapshots(G, 'orders')[0]!['id'] as string;
      const old = world.fake.seedRestoreJob({ groupId: G, name: 'orders' }, { snapshotId: snap, targetGroupId: G2, targetClusterName: 'staging', createdAt: '2026-02-01T00:00:00Z' }).id;
      const recent = world.fake.seedRestoreJob({ groupId: G, name: 'orders' }, { snapshotId: snap, targetGroupId: G2, targetClusterName: 'staging', createdAt: '2026-02-02T00:00:00Z' }).id;
      const list = await call('GET', jobs());
      expect((list.body!['results'] as { id: string }[]).map((j) => j.id)).toEqual([recent, old]);
      expect(() => world.fake.seedRestoreJob({ groupId: G, name: 'orders' }, { snapshotId: 'f'.repeat(24), targetGroupId: G2, targetClusterName: 'staging' })).toThrow(/FAKE_ATLAS_NO_SNAPSHOT/);
    });
  });

  describe('faults', () => {
    it('answers an injected 500 `count` times, then normally', async () => {
      world.fake.inject({ kind: 'status', status: 500, count: 2 });
      expect((await call('GET', snaps())).body).toMatchObject({ error: 500, errorCode: 'UNEXPECTED_ERROR' });
      expect((await call('GET', snaps())).status).toBe(500);
      expect((await call('GET', snaps())).status).toBe(200);
    });

    it('answers 429 with Retry-After, only for matching requests', async () => {
      world.fake.inject({ kind: 'status', status: 429, retryAfterSeconds: 7, method: 'POST', pathIncludes: '/restoreJobs' });
      expect((await call('GET', jobs())).status).toBe(200);
      const snap = world.fake.snapshots(G, 'orders')[0]!['id'] as string;
      const limited = await call('POST', jobs(), { body: dedicatedBody(snap) });
      expect(limited.status).toBe(429);
      expect(limited.res.headers.get('retry-after')).toBe('7');
      expect(limited.body).toMatchObject({ errorCode: 'RATE_LIMITED' });
      expect(world.fake.restoreJobs(G, 'orders')).toEqual([]);
    });

    it('hangs only authenticated requests, and close() ends a hung request', async () => {
      world.fake.inject({ kind: 'hang' });
      world.currentNonce = await nonce(); // the unauthenticated challenge is not affected by the fault
      const pending = call('GET', snaps()).catch((e: unknown) => e);
      await waitFor(() => world.fake.requests.find((r) => r.authorized && r.status === 0), { message: 'the hung request to arrive' });
      await world.fake.close();
      expect(await pending).toBeInstanceOf(Error);
      world.fake = await startFakeAtlas(); // afterEach closes it
    });

    it('hang: the AbortSignal ends the wait', async () => {
      world.currentNonce = await nonce();
      world.fake.inject({ kind: 'hang', pathIncludes: '/snapshots' });
      const controller = new AbortController();
      const res = fetch(`${world.fake.url}${snaps()}`, { signal: controller.signal, headers: { Accept: V2023, Authorization: digestHeader('GET', snaps(), { nonce: world.currentNonce, nc: 1 }) } });
      await waitFor(() => world.fake.requests.find((r) => r.authorized), { message: 'the hung request to arrive' });
      controller.abort();
      await expect(res).rejects.toMatchObject({ name: 'AbortError' });
    });

    it('reset destroys the socket', async () => {
      world.fake.inject({ kind: 'reset' });
      await expect(call('GET', snaps())).rejects.toThrow(/fetch failed/);
      expect((await call('GET', snaps())).status).toBe(200);
    });

    it('reset() forgets requests, stats and faults but keeps data', async () => {
      world.fake.inject({ kind: 'status', status: 503 });
      await nonce();
      world.fake.reset();
      expect(world.fake.requests).toEqual([]);
      expect(world.fake.stats()).toEqual({ challenges: 0, authorized: 0, rejected: 0, tokenRequests: 0 });
      expect((await call('GET', snaps())).status).toBe(200);
      expect(world.fake.snapshots(G, 'orders')).toHaveLength(7);
    });

    it('refuses a status fault without a status', () => {
      expect(() => world.fake.inject({ kind: 'status' })).toThrow(/FAKE_ATLAS_BAD_FAULT/);
    });
  });

  describe('setup errors', () => {
    it('says what was wrong', () => {
      expect(() => world.fake.addCluster({ groupId: 'abc', name: 'x', type: 'flex' })).toThrow(/FAKE_ATLAS_BAD_GROUP_ID/);
      expect(() => world.fake.addCluster({ groupId: G, name: 'orders', type: 'flex' })).toThrow(/FAKE_ATLAS_DUPLICATE_CLUSTER/);
      expect(() => world.fake.addSnapshot(G, 'ghost')).toThrow(/FAKE_ATLAS_NO_CLUSTER/);
      expect(() => world.fake.addSnapshot(G, 'orders', { status: 'weird' })).toThrow(/FAKE_ATLAS_BAD_SNAPSHOT_STATUS/);
      expect(() => world.fake.addSnapshot(G, 'orders', { createdAt: 'yesterday' })).toThrow(/FAKE_ATLAS_BAD_DATE/);
    });
  });
});

describe('waitFor', () => {
  it('resolves with the first truthy value', async () => {
    let n = 0;
    await expect(waitFor(() => (++n >= 3 ? n : 0), { intervalMs: 1 })).resolves.toBe(3);
  });

  it('times out with the message and the last probe error', async () => {
    await expect(
      waitFor(() => {
        throw new Error('not yet');
      }, { timeoutMs: 30, intervalMs: 5, message: 'the thing' }),
    ).rejects.toThrow(/waitFor timed out after 30 ms waiting for the thing; last probe threw: not yet/);
  });
});
