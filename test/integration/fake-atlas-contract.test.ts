// Every kind of answer the fake serves validates against the official Atlas OpenAPI subset, so tests that
// pass against the fake are passing against Atlas's published shapes, not against our own guesses. Where the
// recordings prove the spec wrong, and only there, the check applies the patches of fake-atlas-reality.ts; the
// last describe checks that table against the recordings.
import DigestClient from 'digest-fetch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeAtlas } from '../fakes/fake-atlas.js';
import type { FakeAtlas } from '../fakes/fake-atlas.js';
import { NOT_REPRODUCED, REALITY, REALITY_SPEC_PATCHES, type RealityDifference } from '../fakes/fake-atlas-reality.js';
import { loadAtlasRecordings, type Recording } from '../helpers/atlas-recordings.js';
import { documentedResponseHeaders, validateRequestBody, validateResponseBody, validateSchema, type SpecPatch } from '../helpers/openapi-contract.js';

const G = '5e2211c17a3e5a48f5497de3';
const V2023 = 'application/vnd.atlas.2023-01-01+json';
const V2024 = 'application/vnd.atlas.2024-11-13+json';

interface Variant {
  label: string;
  version: 'v1.0' | 'v2';
  segment: string;
  media: string;
  source: string;
  target: string;
  createBody: (snapshotId: string) => Record<string, unknown>;
  terminal: ('failed' | 'cancelled' | 'expired')[];
}

const serverlessBody = (target: string) => (snapshotId: string) => ({ deliveryType: 'automated', snapshotId, targetClusterName: target, targetGroupId: G });
const VARIANTS: Variant[] = [
  { label: 'serverless v1.0', version: 'v1.0', segment: 'serverless', media: 'application/json', source: 'sl-one', target: 'sl-one-target', createBody: serverlessBody('sl-one-target'), terminal: ['failed', 'cancelled', 'expired'] },
  { label: 'serverless v2', version: 'v2', segment: 'serverless', media: V2023, source: 'sl-two', target: 'sl-two-target', createBody: serverlessBody('sl-two-target'), terminal: ['failed', 'cancelled', 'expired'] },
  { label: 'flex', version: 'v2', segment: 'flexClusters', media: V2024, source: 'fx', target: 'fx-target', createBody: (snapshotId) => ({ snapshotId, targetDeploymentItemName: 'fx-target', targetProjectId: G }), terminal: ['failed'] },
  { label: 'dedicated', version: 'v2', segment: 'clusters', media: V2023, source: 'dd', target: 'dd-target', createBody: (snapshotId) => ({ deliveryType: 'automated', snapshotId, targetClusterName: 'dd-target', targetGroupId: G }), terminal: ['failed', 'cancelled', 'expired'] },
];

let fake: FakeAtlas;
let client: DigestClient;

beforeAll(async () => {
  fake = await startFakeAtlas();
  client = new DigestClient(fake.publicKey, fake.privateKey);
  fake.addCluster({ groupId: G, name: 'sl-one', type: 'serverless' });
  fake.addCluster({ groupId: G, name: 'sl-one-target', type: 'serverless' });
  fake.addCluster({ groupId: G, name: 'sl-two', type: 'serverless' });
  fake.addCluster({ groupId: G, name: 'sl-two-target', type: 'serverless' });
  fake.addCluster({ groupId: G, name: 'fx', type: 'flex', snapshots: 4 });
  fake.addCluster({ groupId: G, name: 'fx-target', type: 'flex' });
  fake.addCluster({ groupId: G, name: 'dd', type: 'dedicated', snapshots: 4 });
  fake.addCluster({ groupId: G, name: 'dd-target', type: 'dedicated' });
  for (const name of ['sl-one', 'sl-two', 'fx', 'dd']) {
    fake.addSnapshot(G, name, { status: 'queued' });
    fake.addSnapshot(G, name, { status: 'inProgress' });
    fake.addSnapshot(G, name, { status: 'failed' });
  }
  fake.addSnapshot(G, 'dd', { status: 'inProgress', onDemand: true });
  fake.addSnapshot(G, 'dd', { onDemand: true });
});
const PATCHES = REALITY_SPEC_PATCHES;
afterAll(async () => {
  await fake.close();
});

interface Answer { status: number; contentType: string; headers: Headers; body: unknown }
async function request(method: string, path: string, media: string, body?: unknown): Promise<Answer> {
  const headers: Record<string, string> = { Accept: media };
  if (body !== undefined) headers['Content-Type'] = media;
  const res = (await client.fetch(`${fake.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })) as Response;
  const text = await res.text();
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', headers: res.headers, body: text ? (JSON.parse(text) as unknown) : undefined };
}

/** Sends, checks the status, and validates the answer against the operation's documented response. */
async function served(method: string, path: string, media: string, expectedStatus: number, body?: unknown): Promise<Record<string, unknown>> {
  const a = await request(method, path, media, body);
  expect(a.status, `${method} ${path}: ${JSON.stringify(a.body)}`).toBe(expectedStatus);
  expect(validateResponseBody(method, path, a.status, a.contentType, a.body, PATCHES), `${method} ${path} → ${a.status}`).toEqual([]);
  for (const name of documentedResponseHeaders(method, path, a.status)) {
    expect(a.headers.get(name), `${name} of ${method} ${path} → ${a.status}`).toMatch(/^\d+$/);
  }
  return (a.body ?? {}) as Record<string, unknown>;
}

describe.each(VARIANTS)('$label', (v) => {
  const base = `/api/atlas/${v.version}/groups/${G}/${v.segment}/${v.source}/backup`;
  const firstCompleted = () => fake.snapshots(G, v.source).find((s) => s['status'] === 'completed' || s['status'] === 'COMPLETED')!['id'] as string;

  it('snapshot list pages and single snapshots (every status) validate', async () => {
    const list = await served('GET', `${base}/snapshots`, v.media, 200);
    const results = list['results'] as Record<string, unknown>[];
    expect(results.length).toBeGreaterThanOrEqual(6);
    await served('GET', `${base}/snapshots?pageNum=2&itemsPerPage=2&includeCount=false`, v.media, 200);
    for (const s of results) await served('GET', `${base}/snapshots/${s['id'] as string}`, v.media, 200);
  });

  it('create, get (through each state) and list restore jobs validate', async () => {
    const body = v.createBody(firstCompleted());
    expect(validateRequestBody('POST', `${base}/restoreJobs`, v.media, body)).toEqual([]);
    const created = await served('POST', `${base}/restoreJobs`, v.media, 200, body);
    const id = created['id'] as string;
    for (let i = 0; i < 3; i++) await served('GET', `${base}/restoreJobs/${id}`, v.media, 200); // pending → running → completed
    for (const to of v.terminal) {
      const seeded = fake.seedRestoreJob({ groupId: G, name: v.source }, { snapshotId: firstCompleted(), targetGroupId: G, targetClusterName: v.target }).id;
      fake.advanceJob(seeded, to, 'injected failure');
      await served('GET', `${base}/restoreJobs/${seeded}`, v.media, 200);
    }
    const list = await served('GET', `${base}/restoreJobs`, v.media, 200);
    expect((list['results'] as unknown[]).length).toBe(1 + v.terminal.length);
  });

  it('error answers validate as the documented ApiError responses', async () => {
    const jobs = `${base}/restoreJobs`;
    const missing = await served('POST', jobs, v.media, 400, {});
    expect(missing['errorCode']).toBe('MISSING_ATTRIBUTE');
    await served('GET', `${base}/snapshots/${'0'.repeat(24)}`, v.media, 404);
    await served('GET', `${jobs}/${'0'.repeat(24)}`, v.media, 404);
    await served('POST', jobs, v.media, 404, v.createBody('f'.repeat(24)));
    const busy = fake.seedRestoreJob({ groupId: G, name: v.source }, { snapshotId: firstCompleted(), targetGroupId: G, targetClusterName: v.target }).id;
    expect((await served('POST', jobs, v.media, 409, v.createBody(firstCompleted())))['errorCode']).toBe('ATLAS_CLUSTER_RESTORE_IN_PROGRESS');
    fake.advanceJob(busy, 'completed');
    fake.inject({ kind: 'status', status: 429, retryAfterSeconds: 1 });
    await served('GET', `${base}/snapshots`, v.media, 429);
    fake.inject({ kind: 'status', status: 500 });
    await served('GET', jobs, v.media, 500);
    const unauth = await fetch(`${fake.url}${base}/snapshots`, { headers: { Accept: v.media } });
    expect(validateResponseBody('GET', `${base}/snapshots`, 401, unauth.headers.get('content-type') ?? '', await unauth.json(), PATCHES)).toEqual([]);
  });

  it('answers outside the documented statuses (406, 415) are still ApiError', async () => {
    if (v.version === 'v2') {
      const a = await request('GET', `${base}/snapshots`, 'application/json');
      expect(a.status).toBe(406);
      expect(validateSchema('ApiError', a.body, PATCHES)).toEqual([]);
    }
    const res = (await client.fetch(`${fake.url}${base}/restoreJobs`, {
      method: 'POST',
      headers: { Accept: v.media, 'Content-Type': 'text/plain' },
      body: JSON.stringify(v.createBody(firstCompleted())),
    })) as Response;
    expect(res.status).toBe(415);
    expect(validateSchema('ApiError', await res.json(), PATCHES)).toEqual([]);
  });
});

describe('wrong-type and dedicated-only answers', () => {
  it('wrong-type errors validate against the operation they were sent to', async () => {
    await served('GET', `/api/atlas/v2/groups/${G}/flexClusters/dd/backup/snapshots`, V2024, 400);
    await served('GET', `/api/atlas/v2/groups/${G}/clusters/fx/backup/snapshots`, V2023, 400);
    await served('GET', `/api/atlas/v2/groups/${G}/clusters/sl-two/backup/snapshots`, V2023, 400);
    // The spec documents no 400 for listing restore jobs, though Atlas answers the wrong-type 400 there too.
    const a = await request('GET', `/api/atlas/v2/groups/${G}/clusters/sl-two/backup/restoreJobs`, V2023);
    expect(a.status).toBe(400);
    expect(validateSchema('ApiError', a.body, PATCHES)).toEqual([]);
    await served('GET', `/api/atlas/v2/groups/${G}/serverless/fx/backup/snapshots`, V2023, 404);
  });

  it('DELETE of a dedicated download job answers 204 without a body; of an automated one, the documented 400', async () => {
    const snap = fake.snapshots(G, 'dd').find((s) => s['status'] === 'completed')!['id'] as string;
    const jobs = `/api/atlas/v2/groups/${G}/clusters/dd/backup/restoreJobs`;
    const download = fake.seedRestoreJob({ groupId: G, name: 'dd' }, { snapshotId: snap, targetGroupId: G, targetClusterName: 'dd-target', deliveryType: 'download' }).id;
    await served('DELETE', `${jobs}/${download}`, V2023, 204);
    await served('GET', `${jobs}/${download}`, V2023, 200);
    const automated = fake.seedRestoreJob({ groupId: G, name: 'dd' }, { snapshotId: snap, targetGroupId: G, targetClusterName: 'dd-target' }).id;
    expect((await served('DELETE', `${jobs}/${automated}`, V2023, 400))['errorCode']).toBe('CANNOT_CANCEL_AUTOMATED_RESTORE');
    fake.advanceJob(automated, 'completed');
  });

  it('the inspection helpers return the served shapes', () => {
    for (const s of fake.snapshots(G, 'dd')) expect(validateSchema('DiskBackupReplicaSet', s, PATCHES)).toEqual([]);
    for (const s of fake.snapshots(G, 'fx')) expect(validateSchema('FlexBackupSnapshot20241113', s, PATCHES)).toEqual([]);
    for (const s of fake.snapshots(G, 'sl-two')) expect(validateSchema('ServerlessBackupSnapshot', s, PATCHES)).toEqual([]);
    for (const j of fake.restoreJobs(G, 'dd')) expect(validateSchema('DiskBackupSnapshotRestoreJob', j, PATCHES)).toEqual([]);
    for (const j of fake.restoreJobs(G, 'fx')) expect(validateSchema('FlexBackupRestoreJob20241113', j, PATCHES)).toEqual([]);
    for (const j of fake.restoreJobs(G, 'sl-two')) expect(validateSchema('ServerlessBackupRestoreJob', j, PATCHES)).toEqual([]);
  });
});

describe('the contract helper itself', () => {
  it('catches bodies that break the spec', () => {
    const path = `/api/atlas/v2/groups/${G}/clusters/dd/backup/snapshots`;
    expect(validateResponseBody('GET', path, 200, V2023, { results: [{ id: 'short', status: 'done' }] })).toEqual(
      expect.arrayContaining([expect.stringMatching(/\/results\/0\/id/), expect.stringMatching(/\/results\/0\/status/)]),
    );
    expect(validateResponseBody('GET', path, 200, 'application/json', { results: [] })[0]).toMatch(/media type application\/json not documented/);
    expect(validateResponseBody('GET', path, 418, V2023, {})[0]).toMatch(/status 418 is not documented/);
    expect(validateRequestBody('POST', `/api/atlas/v2/groups/${G}/flexClusters/fx/backup/restoreJobs`, V2024, { snapshotId: G })).toEqual([
      "/ must have required property 'targetDeploymentItemName'",
    ]);
    expect(validateRequestBody('GET', '/api/atlas/v2/nothing', V2023, {})[0]).toMatch(/no operation GET/);
    expect(validateRequestBody('POST', `/api/atlas/v1.0/groups/${G}/clusters/dd/backup/restoreJobs`, 'application/json', {})[0]).toMatch(/only serverless/);
    expect(validateSchema('NoSuchSchema', {})[0]).toMatch(/no schema NoSuchSchema/);
    expect(validateSchema('ApiError', { error: 400, errorCode: 'X', detail: null, reason: null, parameters: [] })).toEqual([]);
  });
});

describe('the reality table (fake-atlas-reality.ts) against the recordings', () => {
  const recordings = loadAtlasRecordings();
  const byKey = new Map(recordings.map((r) => [r.key, r]));
  const differences = Object.entries(REALITY as Record<string, RealityDifference>);
  const problems = (r: Recording, patches: readonly SpecPatch[]) =>
    validateResponseBody(r.method, r.path, r.status, r.headers.get('content-type') ?? '', r.json, patches);

  it('cites only recordings that exist, and says where a difference without one comes from', () => {
    for (const [name, d] of [...differences, ...Object.entries(NOT_REPRODUCED)]) {
      for (const key of d.evidence) expect(byKey.has(key), `${name}: ${key}`).toBe(true);
      if (d.evidence.length === 0) expect((d as RealityDifference).source, name).toBeTruthy();
    }
  });

  it('each spec patch is needed: without it, one of its recordings breaks the spec', () => {
    for (const [name, d] of differences) {
      for (const patch of d.specPatches ?? []) {
        const others = PATCHES.filter((p) => p !== patch);
        const broken = d.evidence.map((key) => byKey.get(key)!).filter((r) => problems(r, others).length > 0);
        expect(broken.length, `${name}: ${patch.schema}${patch.pointer} is needed by none of its recordings`).toBeGreaterThan(0);
      }
    }
  });

  it('with the patches, every recorded answer on a backup path fits the spec', () => {
    const backup = recordings.filter((r) => /\/backup\/(snapshots|restoreJobs)/.test(r.path));
    expect(backup.length).toBeGreaterThan(50);
    const failing = backup.map((r) => [r.key, problems(r, PATCHES)] as const).filter(([, p]) => p.length > 0);
    expect(failing).toEqual([]);
  });
});
