// Every answer of the fake's collection restore, point-in-time, on-demand snapshot and cluster description routes
// validates against the official Atlas OpenAPI subset, with the documented exceptions of fake-atlas-reality.ts (e.g.
// on-demand snapshots say `frequencyType: "ondemand"`, which the spec's enum lacks: recordings win, DESIGN §1).
import DigestClient from 'digest-fetch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeAtlas, type FakeAtlas } from '../fakes/fake-atlas.js';
import { REALITY_SPEC_PATCHES } from '../fakes/fake-atlas-reality.js';
import { validateRequestBody, validateResponseBody, validateSchema } from '../helpers/openapi-contract.js';

const G = '5e2211c17a3e5a48f5497de3';
const V2023 = 'application/vnd.atlas.2023-01-01+json';
const V2024_08 = 'application/vnd.atlas.2024-08-05+json';
const V2024_11 = 'application/vnd.atlas.2024-11-13+json';
const V2025 = 'application/vnd.atlas.2025-03-12+json';
const DD = `/api/atlas/v2/groups/${G}/clusters/dd`;
const NOW_MS = Date.parse('2026-12-02T12:00:00Z');
const NOW_S = NOW_MS / 1000;

let fake: FakeAtlas;
let client: DigestClient;

beforeAll(async () => {
  fake = await startFakeAtlas({ now: () => NOW_MS }); // one step per GET
  client = new DigestClient(fake.publicKey, fake.privateKey);
  fake.addCluster({ groupId: G, name: 'dd', type: 'dedicated', pitEnabled: true, restoreWindowDays: 3, namespaces: ['sales.orders', 'sales.customers', 'crm.users'] });
  fake.addCluster({ groupId: G, name: 'dd-target', type: 'dedicated', snapshots: 0, namespaces: ['sales.orders'] });
  fake.addCluster({ groupId: G, name: 'fx', type: 'flex' });
  fake.addCluster({ groupId: G, name: 'sl', type: 'serverless' });
});
afterAll(async () => {
  await fake.close();
});

interface Answer { status: number; contentType: string; body: Record<string, unknown> }
async function request(method: string, path: string, media: string, body?: unknown): Promise<Answer> {
  const headers: Record<string, string> = { Accept: media };
  if (body !== undefined) headers['Content-Type'] = media;
  const res = (await client.fetch(`${fake.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })) as Response;
  const text = await res.text();
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
}

/** Sends (checking a request body against the spec too), checks the status, validates the answer. */
async function served(method: string, path: string, media: string, status: number, body?: unknown): Promise<Record<string, unknown>> {
  if (body !== undefined && status < 300) expect(validateRequestBody(method, path, media, body), `request ${method} ${path}`).toEqual([]);
  const a = await request(method, path, media, body);
  expect(a.status, `${method} ${path}: ${JSON.stringify(a.body)}`).toBe(status);
  expect(validateResponseBody(method, path, a.status, a.contentType, a.body, REALITY_SPEC_PATCHES), `${method} ${path} → ${a.status}`).toEqual([]);
  return a.body;
}

/** An answer whose status the spec does not document for that operation: still an ApiError. */
async function apiError(method: string, path: string, media: string, status: number, errorCode: string): Promise<void> {
  const a = await request(method, path, media);
  expect(a.status, JSON.stringify(a.body)).toBe(status);
  expect(a.body['errorCode']).toBe(errorCode);
  expect(validateSchema('ApiError', a.body, REALITY_SPEC_PATCHES)).toEqual([]);
}

describe('cluster descriptions and the backup schedule', () => {
  it('describe each type at its endpoint', async () => {
    expect(await served('GET', DD, V2024_08, 200)).toMatchObject({ name: 'dd', pitEnabled: true, stateName: 'IDLE' });
    expect(await served('GET', `/api/atlas/v2/groups/${G}/flexClusters/fx`, V2024_11, 200)).toMatchObject({ name: 'fx', providerSettings: { providerName: 'FLEX' } });
    expect(await served('GET', `/api/atlas/v2/groups/${G}/serverless/sl`, V2023, 200)).toMatchObject({ name: 'sl' });
    await served('GET', `/api/atlas/v2/groups/${G}/flexClusters/dd`, V2024_11, 400);
    await served('GET', `/api/atlas/v2/groups/${G}/serverless/dd`, V2023, 400);
    await served('GET', `/api/atlas/v2/groups/${G}/clusters/ghost`, V2024_08, 404);
    // The spec documents no 400 for GET …/clusters/{name}; Atlas answers it for a Flex name (recordings).
    await apiError('GET', `/api/atlas/v2/groups/${G}/clusters/fx`, V2024_08, 400, 'CANNOT_USE_FLEX_CLUSTER_IN_CLUSTER_API');
    await apiError('GET', DD, V2023, 406, 'INVALID_VERSION_DATE');
  });

  it('the schedule, in both documented versions', async () => {
    expect(await served('GET', `${DD}/backup/schedule`, V2024_08, 200)).toMatchObject({ restoreWindowDays: 3, clusterName: 'dd' });
    await served('GET', `${DD}/backup/schedule`, V2023, 200);
    // No 400 is documented for the schedule either; the wrong-type answer is still an ApiError.
    await apiError('GET', `/api/atlas/v2/groups/${G}/clusters/fx/backup/schedule`, V2024_08, 400, 'CANNOT_USE_FLEX_CLUSTER_IN_CLUSTER_API');
  });
});

describe('point in time', () => {
  it('the snapshot of a time, and the documented refusals', async () => {
    const page = await served('GET', `${DD}/backup/snapshots?pointInTimeUtcSeconds=${NOW_S - 7200}`, V2023, 200);
    expect(page['results']).toHaveLength(1);
    expect((await served('GET', `${DD}/backup/snapshots?pointInTimeUtcSeconds=${NOW_S - 4 * 86_400}`, V2023, 400))['errorCode']).toBe('INVALID_PIT_RESTORE_TIME');
    fake.configureCluster(G, 'dd', { restoreWindowDays: 7 });
    const none = await served('GET', `${DD}/backup/snapshots?pointInTimeUtcSeconds=${NOW_S - 4 * 86_400}`, V2023, 404);
    expect(none['errorCode']).toBe('UNABLE_T0_FIND_SNAPSHOT_PRIOR_TO_PIT_RESTORE_OPTIME');
    fake.configureCluster(G, 'dd', { restoreWindowDays: 3 });
  });

  it('a pointInTime restore job: create, get through its states, list; it cannot be cancelled', async () => {
    const body = { deliveryType: 'pointInTime', pointInTimeUTCSeconds: NOW_S - 7200, targetClusterName: 'dd-target', targetGroupId: G };
    const created = await served('POST', `${DD}/backup/restoreJobs`, V2023, 200, body);
    expect(created).toMatchObject({ deliveryType: 'pointInTime', pointInTimeUTCSeconds: NOW_S - 7200 });
    const id = created['id'] as string;
    for (let i = 0; i < 3; i++) await served('GET', `${DD}/backup/restoreJobs/${id}`, V2023, 200);
    const list = await served('GET', `${DD}/backup/restoreJobs`, V2023, 200);
    expect((list['results'] as Record<string, unknown>[]).find((j) => j['id'] === id)).toMatchObject({ deliveryType: 'pointInTime', finishedAt: expect.any(String) });
    const running = await served('POST', `${DD}/backup/restoreJobs`, V2023, 200, body);
    expect((await served('DELETE', `${DD}/backup/restoreJobs/${running['id'] as string}`, V2023, 400))['errorCode']).toBe('CANNOT_CANCEL_AUTOMATED_RESTORE');
    fake.advanceJob(running['id'] as string, 'completed');
    expect((await served('POST', `${DD}/backup/restoreJobs`, V2023, 404, { ...body, pointInTimeUTCSeconds: NOW_S - 2.9 * 86_400 }))['errorCode']).toBe('UNABLE_T0_FIND_SNAPSHOT_PRIOR_TO_PIT_RESTORE_OPTIME');
  });
});

describe('on-demand snapshots', () => {
  /** The one known deviation: frequencyType "ondemand" is Atlas's reality, not the spec's enum. */
  function expectOnlyOndemandDeviation(method: string, path: string, a: Answer): void {
    expect(a.body['frequencyType']).toBe('ondemand');
    expect(validateResponseBody(method, path, a.status, a.contentType, a.body)).toEqual(['/frequencyType must be equal to one of the allowed values']);
    expect(validateResponseBody(method, path, a.status, a.contentType, { ...a.body, frequencyType: undefined })).toEqual([]);
  }

  it('queued → inProgress → completed, one GET per step; createdAt only when completed; one at a time', async () => {
    const body = { description: 'safety snapshot', retentionInDays: 1 };
    expect(validateRequestBody('POST', `${DD}/backup/snapshots`, V2023, body)).toEqual([]);
    const created = await request('POST', `${DD}/backup/snapshots`, V2023, body);
    expect(created.status).toBe(200);
    expectOnlyOndemandDeviation('POST', `${DD}/backup/snapshots`, created);
    expect(created.body).toMatchObject({ status: 'queued', snapshotType: 'onDemand', description: 'safety snapshot', storageSizeBytes: 0 });
    expect(created.body).not.toHaveProperty('createdAt');
    expect((await served('POST', `${DD}/backup/snapshots`, V2023, 400, body))['errorCode']).toBe('UNFINISHED_ON_DEMAND_SNAPSHOT');

    const path = `${DD}/backup/snapshots/${created.body['id'] as string}`;
    const statuses: unknown[] = [];
    for (let i = 0; i < 3; i++) {
      const a = await request('GET', path, V2023);
      expectOnlyOndemandDeviation('GET', path, a);
      statuses.push([a.body['status'], 'createdAt' in a.body]);
    }
    expect(statuses).toEqual([['inProgress', false], ['completed', true], ['completed', true]]);
    const list = await request('GET', `${DD}/backup/snapshots`, V2023);
    const listed = (list.body['results'] as Record<string, unknown>[]).map((s) => (s['frequencyType'] === 'ondemand' ? { ...s, frequencyType: undefined } : s));
    expect(validateResponseBody('GET', `${DD}/backup/snapshots`, 200, list.contentType, { ...list.body, results: listed })).toEqual([]);
    expect(listed.filter((s) => s['snapshotType'] === 'onDemand')).toHaveLength(1);
  });
});

describe('collection restore jobs', () => {
  const jobs = `${DD}/collectionRestoreJobs`;
  const snapshotId = () => String(fake.snapshots(G, 'dd').find((s) => s['status'] === 'completed')!['id']);

  it('create (201), then every state and every namespace answer validates', async () => {
    const body = { snapshotId: snapshotId(), targetClusterName: 'dd-target', targetGroupId: G, writeStrategy: 'CREATE_NEW', indexStrategy: 'ALL', collections: [{ sourceNamespace: 'sales.orders' }, { sourceNamespace: 'crm.users' }] };
    const created = await served('POST', jobs, V2025, 201, body);
    expect(created).toMatchObject({ state: 'INITIALIZING', restoredDocuments: 0 });
    const id = created['id'] as string;
    expect((await served('GET', `${jobs}/${id}/collections`, V2025, 200))['results']).toEqual([]);
    const states: unknown[] = [];
    for (let i = 0; i < 5; i++) {
      const job = await served('GET', `${jobs}/${id}`, V2025, 200);
      states.push(job['state']);
      for (const ns of (await served('GET', `${jobs}/${id}/collections`, V2025, 200))['results'] as Record<string, unknown>[]) {
        expect(validateSchema('ApiAtlasCollectionRestoreCollectionStateResponse', ns)).toEqual([]);
      }
    }
    expect(states).toEqual(['IN_PROGRESS', 'IN_PROGRESS', 'IN_PROGRESS', 'FINALIZING', 'SUCCESSFUL']);
    const one = await served('GET', `${jobs}/${id}/collections/sales.orders`, V2025, 200);
    expect(one).toMatchObject({ effectiveTargetNamespace: 'sales.orders_restored', state: 'SUCCESSFUL' });
    expect(((await served('GET', `${jobs}/${id}/collections?state=SUCCESSFUL&sourceNamespace=crm.users`, V2025, 200))['results'] as unknown[]).length).toBe(1);
    await served('GET', `${jobs}?pageNum=1&itemsPerPage=1`, V2025, 200);
  });

  it('a failed job and the error answers validate', async () => {
    const body = { pointInTimeUtcSeconds: NOW_S - 3600, targetClusterName: 'dd-target', targetGroupId: G, writeStrategy: 'OVERWRITE_EXISTING', indexStrategy: 'ALL_EXCEPT_TTL', databases: [{ sourceNamespace: 'sales' }] };
    const id = (await served('POST', jobs, V2025, 201, body))['id'] as string;
    expect((await served('POST', jobs, V2025, 409, body))['errorCode']).toBe('ATLAS_CLUSTER_RESTORE_IN_PROGRESS');
    fake.advanceCollectionJob(id, 'FAILED', { errorMessage: 'Restore failed: target unreachable.' });
    expect(await served('GET', `${jobs}/${id}`, V2025, 200)).toMatchObject({ state: 'FAILED', errorMessage: 'Restore failed: target unreachable.' });
    for (const job of fake.collectionRestoreJobs(G, 'dd')) expect(validateSchema('ApiAtlasCollectionRestoreJobResponse', job)).toEqual([]);
    for (const ns of fake.collectionRestoreNamespaces(id)) expect(validateSchema('ApiAtlasCollectionRestoreCollectionStateResponse', ns)).toEqual([]);

    expect((await served('POST', jobs, V2025, 400, {}))['errorCode']).toBe('MISSING_ATTRIBUTE');
    expect((await served('POST', jobs, V2025, 404, { ...body, pointInTimeUtcSeconds: undefined, snapshotId: 'f'.repeat(24) }))['errorCode']).toBe('SNAPSHOT_NOT_FOUND');
    await served('GET', `${jobs}/${'0'.repeat(24)}`, V2025, 404);
    await served('GET', `/api/atlas/v2/groups/${G}/clusters/fx/collectionRestoreJobs`, V2025, 400);
    await apiError('GET', jobs, V2023, 406, 'INVALID_VERSION_DATE');
  });
});
