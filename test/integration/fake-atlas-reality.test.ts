// The fake Atlas answers as Atlas really does where that differs from the spec: one test per entry of
// fake-atlas-reality.ts (an entry without a test here fails the last one). Shared setup: fake-atlas-world.ts.
import { describe, expect, it } from 'vitest';
import { createAtlasClient } from '../../src/atlas/client.js';
import { DigestSession } from '../../src/atlas/digest-session.js';
import { toRestoreJob } from '../../src/atlas/normalize-responses.js';
import { REALITY, type RealityKey } from '../fakes/fake-atlas-reality.js';
import { challengeParams, G, G2, useFakeAtlas, V2023, V2024 } from './fake-atlas-world.js';

const tested = new Set<RealityKey>();
function reality(key: RealityKey, title: string, fn: () => Promise<void>): void {
  tested.add(key);
  it(`${key}: ${title}`, fn);
}

describe('the fake Atlas, as Atlas really answers', () => {
  const world = useFakeAtlas();
  const { call, snaps, jobs, dedicatedBody } = world;
  const fake = () => world.fake;
  const newestOrders = () => fake().snapshots(G, 'orders')[0]!;

  reality('snapshotTimeAtCompletion', 'a dedicated snapshot shows createdAt (and a size) only once completed', async () => {
    const completed = newestOrders()['id'] as string;
    const queued = fake().addSnapshot(G, 'orders', { status: 'queued' }).id;
    const running = fake().addSnapshot(G, 'orders', { status: 'inProgress' }).id;
    for (const id of [queued, running]) {
      const r = await call('GET', `${snaps()}/${id}`);
      expect(r.body).toMatchObject({ id, storageSizeBytes: 0 });
      expect(r.body).not.toHaveProperty('createdAt');
      expect(r.body).not.toHaveProperty('cloudProvider');
    }
    // mongodVersion comes once the snapshot is in progress (recorded: _1 has none, _2 has it).
    expect((await call('GET', `${snaps()}/${queued}`)).body).not.toHaveProperty('mongodVersion');
    expect((await call('GET', `${snaps()}/${running}`)).body).toHaveProperty('mongodVersion');
    expect((await call('GET', `${snaps()}/${completed}`)).body).toMatchObject({ cloudProvider: 'AWS', mongodVersion: expect.any(String) });
    const list = (await call('GET', snaps())).body!['results'] as Record<string, unknown>[];
    expect(list.filter((s) => !('createdAt' in s)).map((s) => s['id'])).toEqual(expect.arrayContaining([queued, running]));
    expect((await call('GET', `${snaps()}/${completed}`)).body).toMatchObject({ status: 'completed', createdAt: expect.any(String) });
  });

  reality('onDemandFrequency', 'an on-demand snapshot says frequencyType "ondemand"', async () => {
    const scheduled = newestOrders()['id'] as string;
    const id = fake().addSnapshot(G, 'orders', { onDemand: true }).id;
    expect((await call('GET', `${snaps()}/${id}`)).body).toMatchObject({ frequencyType: 'ondemand', snapshotType: 'onDemand', createdAt: expect.any(String) });
    expect((await call('GET', `${snaps()}/${scheduled}`)).body).toMatchObject({ frequencyType: 'daily', snapshotType: 'scheduled' });
  });

  reality('jobWithoutCreatedAt', 'a dedicated job has no createdAt; its timestamp is the snapshot\'s time', async () => {
    const snap = newestOrders();
    const created = await call('POST', jobs(), { body: dedicatedBody(snap['id'] as string) });
    expect(created.body).not.toHaveProperty('createdAt');
    expect(created.body!['timestamp']).toBe(snap['createdAt']);
  });

  reality('desiredTimestampNulls', 'a dedicated job carries desiredTimestamp with null fields', async () => {
    const created = await call('POST', jobs(), { body: dedicatedBody(newestOrders()['id'] as string) });
    expect(created.body!['desiredTimestamp']).toEqual({ increment: null, time: null, date: null });
  });

  reality('failedFlexJobFinishes', 'a FAILED Flex job has a restoreFinishedDate and no reason', async () => {
    await world.start({ stepsPerState: 0 });
    const snap = fake().snapshots(G, 'orders-flex')[0]!['id'] as string;
    const id = fake().seedRestoreJob({ groupId: G, name: 'orders-flex' }, { snapshotId: snap, targetGroupId: G, targetClusterName: 'orders-flex' }).id;
    fake().advanceJob(id, 'failed', 'disk full');
    const r = await call('GET', `${jobs('orders-flex', 'flexClusters')}/${id}`, { accept: V2024 });
    expect(r.body).toMatchObject({ status: 'FAILED', restoreFinishedDate: expect.any(String) });
    expect(JSON.stringify(r.body)).not.toContain('disk full');
  });

  reality('downloadJobNeverFinishes', 'a download job gets a URL when done, never finishedAt', async () => {
    await world.start({ stepsPerState: 0 });
    const id = fake().seedRestoreJob({ groupId: G, name: 'orders' }, { snapshotId: newestOrders()['id'] as string, targetGroupId: G2, targetClusterName: 'staging', deliveryType: 'download' }).id;
    const before = (await call('GET', `${jobs()}/${id}`)).body!;
    expect(before).toMatchObject({ deliveryType: 'download', deliveryUrl: [] });
    expect(before).not.toHaveProperty('targetClusterName');
    fake().advanceJob(id, 'completed');
    const after = (await call('GET', `${jobs()}/${id}`)).body!;
    expect(after['deliveryUrl']).toEqual([expect.stringMatching(/^https:\/\/.*\.tar\.gz$/)]);
    expect(after).toMatchObject({ expiresAt: expect.any(String), cancelled: false, failed: false });
    expect(after).not.toHaveProperty('finishedAt');
  });

  reality('listOrder', 'a Flex snapshot list comes oldest first; dedicated snapshots and restore jobs newest first', async () => {
    const flex = (await call('GET', snaps('orders-flex', 'flexClusters'), { accept: V2024 })).body!['results'] as { startTime: string }[];
    const starts = flex.map((s) => s.startTime);
    expect(starts.length).toBeGreaterThan(1);
    expect([...starts].sort()).toEqual(starts);
    const dedicated = ((await call('GET', snaps())).body!['results'] as { createdAt: string }[]).map((s) => s.createdAt);
    expect([...dedicated].sort().reverse()).toEqual(dedicated);
    const snap = newestOrders()['id'] as string;
    const seed = (createdAt: string) => fake().seedRestoreJob({ groupId: G, name: 'orders' }, { snapshotId: snap, targetGroupId: G2, targetClusterName: 'staging', createdAt }).id;
    const older = seed('2026-02-01T00:00:00Z');
    const newer = seed('2026-02-02T00:00:00Z');
    expect(((await call('GET', jobs())).body!['results'] as { id: string }[]).map((j) => j.id)).toEqual([newer, older]);
  });

  reality('createAnswers200', 'POST of a restore job answers 200', async () => {
    expect((await call('POST', jobs(), { body: dedicatedBody(newestOrders()['id'] as string) })).status).toBe(200);
  });

  reality('digestChallengeBody', 'a Digest 401, challenge or refusal, says UNEXPECTED_ERROR without parameters', async () => {
    const recorded = { error: 401, reason: 'Unauthorized', detail: 'You are not authorized for this resource.', errorCode: 'UNEXPECTED_ERROR' };
    const challenge = await fetch(`${fake().url}${snaps()}`);
    expect(challenge.status).toBe(401);
    expect(await challenge.json()).toEqual(recorded);
    const refused = await call('GET', snaps(), { sign: { password: 'wrong' } });
    expect(refused.status).toBe(401);
    expect(refused.body).toEqual(recorded);
  });

  reality('errorHeaders', 'errors are application/json with X-Error-Code; the 401 challenge has none', async () => {
    const wrongType = await call('GET', snaps('orders-flex', 'clusters'));
    expect(wrongType.status).toBe(400);
    expect(wrongType.res.headers.get('content-type')).toBe('application/json');
    expect(wrongType.res.headers.get('x-error-code')).toBe('CANNOT_USE_FLEX_CLUSTER_IN_CLUSTER_API');
    fake().inject({ kind: 'status', status: 503 });
    expect((await call('GET', snaps())).res.headers.get('x-error-code')).toBe('SERVICE_UNAVAILABLE');
    const challenge = await fetch(`${fake().url}${snaps()}`);
    expect(challenge.status).toBe(401);
    expect(challenge.headers.get('x-error-code')).toBeNull();
  });

  reality('parametersAreStrings', 'ApiError.parameters name the cluster (and the group when it is not found)', async () => {
    expect((await call('GET', snaps('orders', 'flexClusters'), { accept: V2024 })).body).toMatchObject({
      errorCode: 'CANNOT_USE_NON_FLEX_CLUSTER_IN_FLEX_API', detail: 'Cannot use non-flex cluster orders in the flex API.', parameters: ['orders'],
    });
    expect((await call('GET', snaps('ghost'))).body).toMatchObject({ errorCode: 'CLUSTER_NOT_FOUND', parameters: ['ghost', G] });
  });

  reality('rateLimitHeaders', 'Ratelimit-Limit 1200 and a Remaining that counts down per family and window', async () => {
    const remaining = async (path: string, accept?: string) => {
      const r = await call('GET', path, accept ? { accept } : {});
      expect(r.res.headers.get('ratelimit-limit')).toBe('1200');
      return r.res.headers.get('ratelimit-remaining');
    };
    expect([await remaining(snaps()), await remaining(snaps()), await remaining(`${snaps()}/${'0'.repeat(24)}`)]).toEqual(['1199', '1198', '1197']);
    expect(await remaining(jobs())).toBe('1199'); // another family
    expect(await remaining(snaps('orders-flex', 'flexClusters'), V2024)).toBe('1199');
    // A dedicated cluster's description has a family and a limit of its own (recorded: 10000).
    const described = await call('GET', `/api/atlas/v2/groups/${G}/clusters/orders`, { accept: 'application/vnd.atlas.2024-08-05+json' });
    expect([described.status, described.res.headers.get('ratelimit-limit'), described.res.headers.get('ratelimit-remaining')]).toEqual([200, '10000', '9999']);
    fake().inject({ kind: 'status', status: 429, retryAfterSeconds: 1 });
    expect(await remaining(snaps())).toBe('0');
    world.clock += 60_000; // a new window
    expect(await remaining(snaps())).toBe('1199');
    const v1 = await call('GET', jobs('legacy', 'serverless', 'v1.0'), { accept: 'application/json' });
    expect(v1.status).toBe(200);
    expect(v1.res.headers.get('ratelimit-remaining')).toBeNull();
  });

  reality('versionedMediaTypeCharset', 'versioned answers say ;charset=utf-8, a 204 included; errors and v1.0 say application/json', async () => {
    await world.start({ stepsPerState: 0 });
    const type = (r: { res: Response }) => r.res.headers.get('content-type');
    expect(type(await call('GET', snaps()))).toBe(`${V2023};charset=utf-8`);
    expect(type(await call('GET', snaps('orders-flex', 'flexClusters'), { accept: V2024 }))).toBe(`${V2024};charset=utf-8`);
    expect(type(await call('GET', snaps('orders-flex', 'clusters')))).toBe('application/json');
    expect(type(await call('GET', jobs('legacy', 'serverless', 'v1.0'), { accept: 'application/json' }))).toBe('application/json');
    const id = fake().seedRestoreJob({ groupId: G, name: 'orders' }, { snapshotId: newestOrders()['id'] as string, targetGroupId: G2, targetClusterName: 'staging', deliveryType: 'download' }).id;
    const cancelled = await call('DELETE', `${jobs()}/${id}`);
    expect([cancelled.status, type(cancelled), cancelled.body]).toEqual([204, `${V2023};charset=utf-8`, undefined]);
  });

  reality('flexItemShape', 'Flex snapshots and jobs have no links; scheduled before they start; a job expires after 6 hours', async () => {
    await world.start({ stepsPerState: 0 });
    const flexSnaps = (await call('GET', snaps('orders-flex', 'flexClusters'), { accept: V2024 })).body!['results'] as Record<string, string>[];
    expect(flexSnaps.length).toBeGreaterThan(0);
    for (const s of flexSnaps) {
      expect(s).not.toHaveProperty('links');
      expect(Date.parse(s['scheduledTime']!)).toBeLessThan(Date.parse(s['startTime']!));
      expect(Date.parse(s['expiration']!) - Date.parse(s['scheduledTime']!)).toBe(8 * 86_400_000);
    }
    const failed = fake().addSnapshot(G, 'orders-flex', { status: 'failed' }).id;
    expect((await call('GET', `${snaps('orders-flex', 'flexClusters')}/${failed}`, { accept: V2024 })).body).toMatchObject({ status: 'FAILED', finishTime: expect.any(String) });
    const id = fake().seedRestoreJob({ groupId: G, name: 'orders-flex' }, { snapshotId: flexSnaps[0]!['id']!, targetGroupId: G, targetClusterName: 'orders-flex' }).id;
    const job = (await call('GET', `${jobs('orders-flex', 'flexClusters')}/${id}`, { accept: V2024 })).body as Record<string, string>;
    expect(job).not.toHaveProperty('links');
    expect(Date.parse(job['expirationDate']!) - Date.parse(job['restoreScheduledDate']!)).toBe(6 * 3_600_000);
    const described = (await call('GET', `/api/atlas/v2/groups/${G}/flexClusters/orders-flex`, { accept: V2024 })).body!;
    expect(described).toMatchObject({ name: 'orders-flex', stateName: 'IDLE' });
    expect(described).not.toHaveProperty('links');
  });

  reality('dedicatedJobDeploymentItem', 'a dedicated job names a targetDeploymentItemName that is not the target cluster', async () => {
    const created = (await call('POST', jobs(), { body: dedicatedBody(newestOrders()['id'] as string) })).body!;
    expect(created).toMatchObject({ targetClusterName: 'staging', targetDeploymentItemName: expect.stringMatching(/^atlas-[0-9a-z]{6}$/) });
    const id = fake().seedRestoreJob({ groupId: G, name: 'orders' }, { snapshotId: newestOrders()['id'] as string, targetGroupId: G2, targetClusterName: 'staging', deliveryType: 'download' }).id;
    expect((await call('GET', `${jobs()}/${id}`)).body).not.toHaveProperty('targetDeploymentItemName');
  });

  reality('digestNonce', 'nonces are standard base64 (+ and / occur), and our Digest signer copes with them', async () => {
    let header = '';
    for (let i = 0; i < 64 && !/[+/]/.test(challengeParams(header)['nonce'] ?? ''); i++) {
      header = (await fetch(`${fake().url}${snaps()}`)).headers.get('www-authenticate') ?? '';
    }
    const nonce = challengeParams(header)['nonce']!;
    expect(nonce).toMatch(/^[A-Za-z0-9+/]{32}$/);
    expect(nonce).toMatch(/[+/]/);
    const session = new DigestSession(fake().publicKey, fake().privateKey);
    expect(session.acceptChallenge(header)).toBe(true);
    const auth = session.authorize('GET', snaps())!;
    expect(auth.nonce).toBe(nonce);
    const r = await fetch(`${fake().url}${snaps()}`, { headers: { Authorization: auth.header, Accept: V2023 } });
    expect(r.status).toBe(200);
  });

  reality('cancelledJobAlsoFailed', 'a cancelled job says failed too, with finishedAt; the client still calls it cancelled', async () => {
    await world.start({ stepsPerState: 0 });
    const id = fake().seedRestoreJob({ groupId: G, name: 'orders' }, { snapshotId: newestOrders()['id'] as string, targetGroupId: G2, targetClusterName: 'staging', deliveryType: 'download' }).id;
    expect((await call('DELETE', `${jobs()}/${id}`)).status).toBe(204);
    const body = (await call('GET', `${jobs()}/${id}`)).body!;
    expect(body).toMatchObject({ cancelled: true, failed: true, expired: false, finishedAt: expect.any(String) });
    expect(toRestoreJob('dedicated', body, 'GET').state).toBe('cancelled');
  });

  reality('unknownProject', 'an unknown project is GROUP_NOT_FOUND, and ends type detection at the first probe', async () => {
    const unknown = 'a'.repeat(24);
    for (const path of [snaps('orders', 'flexClusters', unknown), snaps('orders', 'clusters', unknown), `/api/atlas/v2/groups/${unknown}/clusters/orders`]) {
      const accept = path.includes('flexClusters') ? V2024 : path.endsWith('/orders') ? 'application/vnd.atlas.2024-08-05+json' : V2023;
      const r = await call('GET', path, { accept });
      expect([r.status, r.body], path).toEqual([404, { error: 404, reason: 'Not Found', errorCode: 'GROUP_NOT_FOUND', detail: `No group with ID ${unknown} exists.`, parameters: [unknown] }]);
    }
    expect((await call('GET', snaps('ghost'))).body).toMatchObject({ errorCode: 'CLUSTER_NOT_FOUND' }); // a known project
    const client = createAtlasClient({ baseUrl: fake().url, auth: { kind: 'digest', publicKey: fake().publicKey, privateKey: fake().privateKey }, retryPolicy: { maxAttempts: 1 } });
    fake().reset();
    await expect(client.listSnapshots({ groupId: unknown, clusterName: 'orders' })).rejects.toMatchObject({ status: 404, errorCode: 'GROUP_NOT_FOUND' });
    expect(fake().requests.filter((r) => r.authorized).map((r) => r.path)).toEqual([snaps('orders', 'flexClusters', unknown)]);
  });

  reality('flexJobQueued', 'a Flex job goes PENDING, QUEUED, RUNNING; the client reads QUEUED as pending', async () => {
    await world.start({ stepsPerState: 0 });
    const snapshotId = fake().snapshots(G, 'orders-flex')[0]!['id'] as string;
    const id = fake().seedRestoreJob({ groupId: G, name: 'orders-flex' }, { snapshotId, targetGroupId: G, targetClusterName: 'orders-flex' }).id;
    const status = async () => (await call('GET', `${jobs('orders-flex', 'flexClusters')}/${id}`, { accept: V2024 })).body!;
    expect((await status())['status']).toBe('PENDING');
    fake().advanceJob(id, 'queued');
    const queued = await status();
    expect(queued['status']).toBe('QUEUED');
    expect(toRestoreJob('flex', queued, 'GET job').state).toBe('pending');
    fake().advanceJob(id, 'running');
    expect((await status())['status']).toBe('RUNNING');
  });

  reality('flexSnapshotStartTime', 'a Flex snapshot has a startTime only once it began', async () => {
    const one = async (id: string) => (await call('GET', `${snaps('orders-flex', 'flexClusters')}/${id}`, { accept: V2024 })).body!;
    for (const status of ['pending', 'queued'] as const) {
      const snap = await one(fake().addSnapshot(G, 'orders-flex', { status }).id);
      expect(snap).toMatchObject({ status: status.toUpperCase(), scheduledTime: expect.any(String) });
      expect(snap).not.toHaveProperty('startTime');
    }
    expect(await one(fake().addSnapshot(G, 'orders-flex', { status: 'inProgress' }).id)).toMatchObject({ status: 'RUNNING', startTime: expect.any(String) });
  });

  reality('onDemandTakenAfterRequest', 'an on-demand snapshot completed at once is still dated 86 s after its request', async () => {
    const posted = await call('POST', snaps(), { body: { description: 'safety', retentionInDays: 1 } });
    const id = posted.body!['id'] as string;
    expect(Number.parseInt(id.slice(0, 8), 16) * 1000).toBe(world.clock);
    fake().advanceOnDemandSnapshot(id, 'completed');
    expect((await call('GET', `${snaps()}/${id}`)).body).toMatchObject({ status: 'completed', createdAt: new Date(world.clock + 86_000).toISOString().replace('.000Z', 'Z') });
  });

  reality('automatedRestoreCannotBeCancelled', 'DELETE of an automated job answers 400 CANNOT_CANCEL_AUTOMATED_RESTORE', async () => {
    const created = await call('POST', jobs(), { body: dedicatedBody(newestOrders()['id'] as string) });
    const refused = await call('DELETE', `${jobs()}/${created.body!['id'] as string}`);
    expect(refused).toMatchObject({ status: 400, body: { errorCode: 'CANNOT_CANCEL_AUTOMATED_RESTORE' } });
    expect(refused.res.headers.get('x-error-code')).toBe('CANNOT_CANCEL_AUTOMATED_RESTORE');
  });
});

it('every difference in fake-atlas-reality.ts has its test above', () => {
  expect([...tested].sort()).toEqual(Object.keys(REALITY).sort());
});
