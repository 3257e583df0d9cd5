// The Atlas client against the fake Atlas (real HTTP, real Digest): each cluster type end to end, detection,
// and every request body checked against the official OpenAPI subset.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAtlasClient, type InstrumentedAtlasClient } from '../../src/atlas/client.js';
import type { AtlasApiError } from '../../src/atlas/errors.js';
import type { ClusterType } from '../../src/atlas/types.js';
import { startFakeAtlas, type FakeAtlas } from '../fakes/fake-atlas.js';
import { validateRequestBody } from '../helpers/openapi-contract.js';

const GROUP = '5e2211c17a3e5a48f5497de3';
const OTHER_GROUP = '6f3322d28b4f6b59a65a8ef4';
const TYPES: ClusterType[] = ['serverless', 'flex', 'dedicated'];
const PREFIX: Record<ClusterType, string> = {
  serverless: `/api/atlas/v1.0/groups/${GROUP}/serverless/`,
  flex: `/api/atlas/v2/groups/${GROUP}/flexClusters/`,
  dedicated: `/api/atlas/v2/groups/${GROUP}/clusters/`,
};
const MEDIA: Record<ClusterType, string> = {
  serverless: 'application/json',
  flex: 'application/vnd.atlas.2024-11-13+json',
  dedicated: 'application/vnd.atlas.2023-01-01+json',
};

let fake: FakeAtlas;
let client: InstrumentedAtlasClient;

beforeAll(async () => {
  fake = await startFakeAtlas({ stepsPerState: 0 });
  for (const type of TYPES) {
    fake.addCluster({ groupId: GROUP, name: `src-${type}`, type, snapshots: 5 });
    fake.addCluster({ groupId: GROUP, name: `dst-${type}`, type, snapshots: 1 });
    fake.addCluster({ groupId: GROUP, name: `auto-${type}`, type, snapshots: 2 });
  }
  fake.addCluster({ groupId: OTHER_GROUP, name: 'target-elsewhere', type: 'dedicated', snapshots: 0 });
  client = createAtlasClient({
    baseUrl: fake.url,
    auth: { kind: 'digest', publicKey: fake.publicKey, privateKey: fake.privateKey },
    pageSize: 2,
    retryPolicy: { sleep: async () => {} },
  });
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => fake.reset());
// Every request the client sent in a test (bodies and bodiless GET/DELETE alike) must fit the official contract.
afterEach(() => {
  const problems = fake.requests
    .filter((r) => r.path.startsWith('/api/atlas/'))
    .flatMap((r) => validateRequestBody(r.method, r.path, r.headers['content-type'] ?? r.headers.accept ?? '', r.body).map((p) => `${r.method} ${r.path}: ${p}`));
  expect(problems).toEqual([]);
});

describe.each(TYPES)('%s clusters', (type) => {
  const source = { groupId: GROUP, clusterName: `src-${type}`, type };

  it('lists snapshots across pages, newest first, and gets one', async () => {
    const snapshots = await client.listSnapshots(source);
    const raw = fake.snapshots(GROUP, `src-${type}`);
    expect(snapshots.map((s) => s.id)).toEqual(raw.map((s) => s.id)); // fake serves newest first
    expect(snapshots).toHaveLength(5);
    const times = snapshots.map((s) => Date.parse(s.createdAt ?? ''));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(snapshots.every((s) => s.status === 'completed')).toBe(true);

    const pages = fake.requests.filter((r) => r.authorized && r.path === `${PREFIX[type]}src-${type}/backup/snapshots`);
    expect(pages.map((r) => r.query.pageNum)).toEqual(['1', '2', '3']);
    expect(pages.every((r) => r.query.itemsPerPage === '2' && r.headers.accept === MEDIA[type])).toBe(true);

    const one = await client.getSnapshot(source, snapshots[1]!.id);
    expect(one).toMatchObject({ id: snapshots[1]!.id, createdAt: snapshots[1]!.createdAt, status: 'completed' });
  });

  it('creates, gets and lists restore jobs with a body that matches the OpenAPI contract', async () => {
    const [snapshot] = await client.listSnapshots(source);
    const job = await client.createRestoreJob({ source, snapshotId: snapshot!.id, target: { groupId: GROUP, clusterName: `dst-${type}` } });
    expect(job).toMatchObject({ snapshotId: snapshot!.id, targetGroupId: GROUP, targetClusterName: `dst-${type}` });
    expect(job.state).toBe(type === 'flex' ? 'pending' : 'running');

    const post = fake.requests.find((r) => r.method === 'POST' && r.authorized)!;
    expect(post.path).toBe(`${PREFIX[type]}src-${type}/backup/restoreJobs`);
    expect(post.headers['content-type']).toBe(MEDIA[type]);
    expect(post.headers.accept).toBe(MEDIA[type]);
    expect(post.body).toEqual(
      type === 'flex'
        ? { snapshotId: snapshot!.id, targetDeploymentItemName: `dst-${type}`, targetProjectId: GROUP }
        : { snapshotId: snapshot!.id, deliveryType: 'automated', targetClusterName: `dst-${type}`, targetGroupId: GROUP },
    );
    expect(validateRequestBody('POST', post.path, post.headers['content-type']!, post.body)).toEqual([]);

    fake.advanceJob(job.id, 'running');
    expect((await client.getRestoreJob(source, job.id)).state).toBe('running');
    fake.advanceJob(job.id, 'completed');
    const done = await client.getRestoreJob(source, job.id);
    expect(done.state).toBe('completed');
    expect(done.finishedAt).toBeDefined();

    const listed = await client.listRestoreJobs(source);
    expect(listed.map((j) => j.id)).toContain(job.id);
  });

  it('lists restore jobs across pages', async () => {
    const snaps = fake.snapshots(GROUP, `src-${type}`);
    const seeded = [0, 1, 2].map((i) =>
      fake.seedRestoreJob({ groupId: GROUP, name: `src-${type}` }, { snapshotId: String(snaps[i]!.id), targetGroupId: GROUP, targetClusterName: `dst-${type}` }).id,
    );
    fake.reset();
    const jobs = await client.listRestoreJobs(source);
    expect(jobs.map((j) => j.id)).toEqual(expect.arrayContaining(seeded));
    expect(jobs.length).toBe(fake.restoreJobs(GROUP, `src-${type}`).length);
    expect(fake.requests.filter((r) => r.authorized).length).toBeGreaterThanOrEqual(2);
  });
});

describe('cluster type detection', () => {
  it.each(TYPES)('detects %s once, then remembers it', async (type) => {
    const cluster = { groupId: GROUP, clusterName: `auto-${type}` };
    const detector = createAtlasClient({ baseUrl: fake.url, auth: { kind: 'digest', publicKey: fake.publicKey, privateKey: fake.privateKey } });
    const results = await Promise.all(Array.from({ length: 10 }, () => detector.detectClusterType(cluster)));
    expect(new Set(results)).toEqual(new Set([type]));
    const probes = fake.requests.filter((r) => r.authorized).map((r) => r.path);
    const expectedOrder = { flex: ['flexClusters'], dedicated: ['flexClusters', 'clusters'], serverless: ['flexClusters', 'clusters', 'serverless'] }[type];
    expect(probes.map((p) => p.split('/')[6])).toEqual(expectedOrder);
    expect(fake.requests.filter((r) => r.authorized).every((r) => r.query.itemsPerPage === '1')).toBe(true);

    fake.reset();
    const snapshots = await detector.listSnapshots(cluster);
    expect(snapshots).toHaveLength(2);
    const authorized = fake.requests.filter((r) => r.authorized);
    expect(authorized).toHaveLength(1); // no probe: the answer was remembered
    expect(authorized[0]!.path.startsWith(PREFIX[type])).toBe(true);
  });

  it('reports an unknown name as ATLAS_CLUSTER_NOT_FOUND and a malformed one before any request', async () => {
    await expect(client.detectClusterType({ groupId: GROUP, clusterName: 'ghost' })).rejects.toMatchObject({ errorCode: 'ATLAS_CLUSTER_NOT_FOUND', status: 404 });
    fake.reset();
    await expect(client.listSnapshots({ groupId: GROUP, clusterName: 'a/b' })).rejects.toThrow(/clusterName must be a non-empty name .* got "a\/b"/);
    await expect(client.getSnapshot({ groupId: GROUP, clusterName: 'src-flex', type: 'flex' }, '')).rejects.toMatchObject({ errorCode: 'ATLAS_INVALID_ARGUMENT' });
    expect(fake.requests).toHaveLength(0);
  });

  it('surfaces a wrong explicit type as Atlas says it, with a hint about the policy file', async () => {
    const error = (await client.listSnapshots({ groupId: GROUP, clusterName: 'src-dedicated', type: 'flex' }).catch((e: unknown) => e)) as AtlasApiError;
    expect(error.errorCode).toBe('CANNOT_USE_NON_FLEX_CLUSTER_IN_FLEX_API');
    expect(error.hint).toMatch(/policy file/);
  });
});

describe('Atlas errors', () => {
  it('maps 404s and 409s with Atlas codes and actionable hints', async () => {
    const missing = (await client.getSnapshot({ groupId: GROUP, clusterName: 'src-dedicated', type: 'dedicated' }, '0123456789abcdef01234567').catch((e: unknown) => e)) as AtlasApiError;
    expect(missing).toMatchObject({ status: 404, errorCode: 'SNAPSHOT_NOT_FOUND', transient: false });
    expect(missing.hint).toMatch(/could not find/);

    const src = { groupId: GROUP, clusterName: 'src-dedicated', type: 'dedicated' as const };
    const [snap] = await client.listSnapshots(src);
    const target = { groupId: GROUP, clusterName: 'auto-dedicated' };
    const first = await client.createRestoreJob({ source: src, snapshotId: snap!.id, target });
    const busy = (await client.createRestoreJob({ source: src, snapshotId: snap!.id, target }).catch((e: unknown) => e)) as AtlasApiError;
    expect(busy).toMatchObject({ status: 409, errorCode: 'ATLAS_CLUSTER_RESTORE_IN_PROGRESS' });
    expect(busy.hint).toMatch(/already running/);
    fake.advanceJob(first.id, 'completed');
  });
});
