// The normalisers of collection restores, point in time, on-demand snapshots and cluster descriptions, fed the
// spec's own examples and Atlas's recorded answers; and the hints of their error codes.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { restoreWindow, toBackupSchedule } from '../../../src/atlas/backup-schedule.js';
import { toCollectionRestoreJob, toNamespaceResult } from '../../../src/atlas/collection-restore-normalize.js';
import { toClusterDescription } from '../../../src/atlas/describe-cluster.js';
import { AtlasApiError, errorFromResponse } from '../../../src/atlas/errors.js';
import { toOnDemandSnapshot } from '../../../src/atlas/on-demand-snapshot.js';
import { closestCompletedBefore } from '../../../src/atlas/point-in-time.js';

const spec = JSON.parse(readFileSync(fileURLToPath(new URL('../../contracts/atlas-openapi-subset.json', import.meta.url)), 'utf8')) as {
  paths: Record<string, Record<string, { responses: Record<string, { content: Record<string, { examples: Record<string, { value: unknown }> }> }> }>>;
};
/** An example answer the spec gives for a collection restore operation (version 2025-03-12). */
const example = (path: string, method: 'get' | 'post', status: string, name: string): unknown =>
  spec.paths[`/api/atlas/v2/groups/{groupId}/clusters/{clusterName}/${path}`]![method]!.responses[status]!.content['application/vnd.atlas.2025-03-12+json']!.examples[name]!.value;

// Recorded by the Atlas CLI's e2e tests (recordings/…/TestSnapshots/Create_snapshot and Watch_creation/…_4).
const RECORDED_QUEUED = JSON.parse(
  '{"copyRegions":[],"description":"test-snapshot","expiresAt":"2026-08-11T03:26:42Z","frequencyType":"ondemand","id":"6a7944f22c88faeba59d3572","links":[],"policyItems":[],"replicaSetName":"cluster-209","snapshotType":"onDemand","status":"queued","storageSizeBytes":0,"type":"replicaSet"}',
) as Record<string, unknown>;
const RECORDED_COMPLETED = { ...RECORDED_QUEUED, cloudProvider: 'AWS', createdAt: '2026-08-10T03:28:08Z', mongodVersion: '8.0.29', status: 'completed' };

describe('collection restore jobs', () => {
  it("read the spec's example job and namespace states", () => {
    const job = toCollectionRestoreJob(example('collectionRestoreJobs/{jobId}', 'get', '200', 'Multiple collections'), 'GET x');
    expect(job).toMatchObject({
      id: '32b6e34b3d91647abb20e7b8',
      state: 'running',
      atlasState: 'IN_PROGRESS',
      restoredDocuments: 15_500,
      totalDocuments: 20_000,
      snapshotId: '6c5e8a2f9b1d4e3a7f0c1b2d',
      targetClusterName: 'targetCluster',
      writeStrategy: 'CREATE_NEW',
      collectionSuffix: undefined, // Atlas's "" means none
      indexState: 'IN_PROGRESS',
      failedIndexCollections: 0,
      createdAt: '2026-07-07T12:00:00Z',
    });
    expect(job.collections).toEqual([
      { sourceNamespace: 'sales.orders', targetNamespace: 'sales.orders' },
      { sourceNamespace: 'sales.customers', targetNamespace: 'sales.customers' },
    ]);
    expect(toCollectionRestoreJob(example('collectionRestoreJobs', 'post', '201', 'Multiple collections'), 'POST x')).toMatchObject({ id: job.id, state: 'running' });
    const page = example('collectionRestoreJobs/{jobId}/collections', 'get', '200', 'Two collection states') as { results: unknown[] };
    expect(page.results.map((r) => toNamespaceResult(r, 'GET x'))).toMatchObject([
      { sourceNamespace: 'sales.orders', effectiveTargetNamespace: 'sales.orders', outcome: 'restored', restoredDocuments: 12_000, indexState: 'SUCCESSFUL' },
      { sourceNamespace: 'sales.customers', outcome: 'running', restoredDocuments: 3_500, totalDocuments: 8_000 },
    ]);
  });

  it.each([
    ['INITIALIZING', 'pending'],
    ['IN_PROGRESS', 'running'],
    ['FINALIZING', 'running'],
    ['SUCCESSFUL', 'completed'],
    ['CANCELED', 'cancelled'],
    ['FAILED', 'failed'],
  ])('maps job state %s to %s', (atlasState, state) => {
    expect(toCollectionRestoreJob({ id: 'j', state: atlasState }, 'GET x')).toMatchObject({ state, atlasState, collections: [], databases: [] });
  });

  it('reads a job state outside the spec as unknown (Atlas’s word kept), and refuses a missing one, naming the field', () => {
    expect(toCollectionRestoreJob({ id: 'j', state: 'PAUSED' }, 'GET x')).toMatchObject({ state: 'unknown', atlasState: 'PAUSED' });
    expect(() => toCollectionRestoreJob({ id: 'j' }, 'GET x')).toThrow(/field `state` is missing/);
  });

  it('reads explicit nulls as absent, and a strategy it does not know as unknown, instead of failing every poll', () => {
    const job = toCollectionRestoreJob(
      { id: 'j', state: 'IN_PROGRESS', snapshotId: null, pointInTimeUtcSeconds: null, errorMessage: null, restoredDocuments: null, collections: null, indexStatus: null, writeStrategy: 'MERGE_SOMEDAY', indexStrategy: null },
      'GET x',
    );
    expect(job).toMatchObject({ state: 'running', snapshotId: undefined, pointInTimeUtcSeconds: undefined, restoredDocuments: undefined, collections: [], writeStrategy: undefined, indexStrategy: undefined });
    expect(toNamespaceResult({ sourceNamespace: 'a.b', state: 'SUCCESSFUL', effectiveTargetNamespace: null, indexStatus: null }, 'x')).toMatchObject({ outcome: 'restored' });
  });

  it('maps every namespace state, and takes the index error as the namespace error', () => {
    const outcome = (state?: string) => toNamespaceResult({ sourceNamespace: 'a.b', state }, 'GET x').outcome;
    expect(['NOT_STARTED', 'IN_PROGRESS', 'FINALIZING', 'NOT_FOUND', 'UNSUPPORTED', 'SUCCESSFUL', 'ROLLBACK', 'NOT_RESTORED', 'FAILED', 'INDEX_BUILD_FAILED', 'NEW', undefined].map(outcome)).toEqual([
      'pending', 'running', 'running', 'not_found', 'unsupported', 'restored', 'failed', 'not_restored', 'failed', 'indexes_failed', 'unknown', 'unknown',
    ]);
    expect(toNamespaceResult({ sourceNamespace: 'a.b', state: 'INDEX_BUILD_FAILED', indexStatus: { state: 'FAILED', errorMessage: 'E11000' } }, 'x').errorMessage).toBe('E11000');
  });
});

describe('the base snapshot of a time', () => {
  const snap = (id: string, createdAt: string | undefined, status = 'completed') => ({ id, status, ...(createdAt ? { createdAt } : {}) });

  it('is the newest completed snapshot at or before T, whatever Atlas returned and in whatever order', () => {
    const at = Date.parse('2026-12-02T12:00:00Z') / 1000;
    const items = [
      snap('after', '2026-12-02T12:00:01Z'),
      snap('older', '2026-12-01T12:00:00Z'),
      snap('queued', undefined, 'queued'), // no createdAt, as Atlas sends it: filtered before it is read
      snap('exact', '2026-12-02T12:00:00Z'),
      snap('failed', '2026-12-02T11:00:00Z', 'failed'),
    ];
    expect(closestCompletedBefore(items, at, 'GET x')?.id).toBe('exact');
    expect(closestCompletedBefore(items, at - 1, 'GET x')?.id).toBe('older');
    expect(closestCompletedBefore(items.slice(0, 1), at, 'GET x')).toBeUndefined();
  });
});

describe('on-demand snapshots', () => {
  it("read Atlas's recorded answers: queued without createdAt, completed with it", () => {
    expect(toOnDemandSnapshot(RECORDED_QUEUED, 'POST x')).toMatchObject({ id: '6a7944f22c88faeba59d3572', status: 'queued', createdAt: undefined, frequencyType: 'ondemand', snapshotType: 'onDemand', description: 'test-snapshot' });
    expect(toOnDemandSnapshot(RECORDED_COMPLETED, 'GET x')).toMatchObject({ status: 'completed', createdAt: '2026-08-10T03:28:08Z' });
    expect(() => toOnDemandSnapshot({ status: 'queued' }, 'POST x')).toThrow(/field `id` is missing/);
  });

  it('UNFINISHED_ON_DEMAND_SNAPSHOT is transient (wait, not fail), with a plain hint', () => {
    const error = errorFromResponse(400, { error: 400, errorCode: 'UNFINISHED_ON_DEMAND_SNAPSHOT', detail: 'Another on-demand snapshot is queued or in progress.' }, 'POST x');
    expect(error).toMatchObject({ status: 400, transient: true });
    expect(error.hint).toMatch(/still being taken: wait/);
    expect(errorFromResponse(400, { errorCode: 'INVALID_ATTRIBUTE' }, 'POST x').transient).toBe(false);
  });
});

describe('the restore window', () => {
  it('needs continuous backup and a positive restoreWindowDays', () => {
    const schedule = toBackupSchedule({ restoreWindowDays: 7, policies: [] }, 'GET x');
    const now = Date.parse('2026-12-02T12:00:00.900Z');
    expect(restoreWindow({ pitEnabled: true }, schedule, now)).toEqual({ fromUnixSeconds: 1_796_212_800 - 7 * 86_400, toUnixSeconds: 1_796_212_800 });
    expect(restoreWindow({ pitEnabled: false }, schedule, now)).toBeUndefined();
    expect(restoreWindow({ pitEnabled: true }, toBackupSchedule({ policies: [] }, 'GET x'), now)).toBeUndefined();
    expect(restoreWindow({ pitEnabled: true }, { restoreWindowDays: 0 }, now)).toBeUndefined();
  });

  it('cluster descriptions: pitEnabled only for dedicated clusters', () => {
    expect(toClusterDescription('dedicated', { name: 'a', pitEnabled: true, stateName: 'IDLE' }, 'x')).toMatchObject({ pitEnabled: true, stateName: 'IDLE' });
    expect(toClusterDescription('dedicated', { name: 'a' }, 'x').pitEnabled).toBe(false);
    expect(toClusterDescription('flex', { name: 'f', backupSettings: { enabled: true } }, 'x')).toMatchObject({ pitEnabled: false, backupEnabled: true });
    expect(toClusterDescription('serverless', { name: 's', serverlessBackupOptions: { serverlessContinuousBackupEnabled: true } }, 'x').pitEnabled).toBe(false);
    expect(() => toClusterDescription('dedicated', { pitEnabled: true }, 'x')).toThrow(/field `name` is missing/);
  });
});

describe('hints of the point-in-time codes', () => {
  it.each([
    [400, 'INVALID_PIT_RESTORE_TIME', /inside the cluster's point-in-time restore window/],
    [404, 'UNABLE_T0_FIND_SNAPSHOT_PRIOR_TO_PIT_RESTORE_OPTIME', /no snapshot taken before that time/],
    [409, 'NO_CHECKPOINT_FOR_PIT_RESTORE', /no checkpoint/],
  ])('%s %s', (status, code, hint) => {
    const error = new AtlasApiError({ status, errorCode: code });
    expect(error.hint).toMatch(hint);
    expect(error.transient).toBe(false);
  });
});
