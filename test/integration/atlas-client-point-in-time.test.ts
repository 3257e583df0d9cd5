// Point in time through the real client against the fake Atlas: the backup schedule, cluster descriptions of the
// three types, the base snapshot of a time, the pointInTime restore job, and Atlas's errors with their hints.
import { describe, expect, it } from 'vitest';
import { restoreWindow } from '../../src/atlas/backup-schedule.js';
import { GROUP, HOUR_S, NOW_MS, NOW_S, atlasError, useBackupClientWorld } from './backup-client-world.js';

const pit = { groupId: GROUP, clusterName: 'ledger', type: 'dedicated' as const };
const plain = { groupId: GROUP, clusterName: 'ledger-nopit', type: 'dedicated' as const };
const target = { groupId: GROUP, clusterName: 'ledger-staging' };
const flex = { groupId: GROUP, clusterName: 'fx', type: 'flex' as const };
const serverless = { groupId: GROUP, clusterName: 'sl', type: 'serverless' as const };

const w = useBackupClientWorld((fake) => {
  // Snapshots at NOW − 1 h, − 25 h, − 49 h; a queued one at NOW − 45 min has no place as a base.
  fake.addCluster({ groupId: GROUP, name: 'ledger', type: 'dedicated', pitEnabled: true, restoreWindowDays: 2 });
  fake.addSnapshot(GROUP, 'ledger', { status: 'queued', createdAt: new Date(NOW_MS - 45 * 60_000).toISOString() });
  fake.addCluster({ groupId: GROUP, name: 'ledger-nopit', type: 'dedicated' });
  fake.addCluster({ groupId: GROUP, name: 'ledger-staging', type: 'dedicated', snapshots: 0 });
  fake.addCluster({ groupId: GROUP, name: 'fx', type: 'flex' });
  fake.addCluster({ groupId: GROUP, name: 'sl', type: 'serverless' });
});

describe('the restore window', () => {
  it('comes from the backup schedule and the cluster description', async () => {
    const schedule = await w.client.getBackupSchedule(pit);
    expect(schedule).toMatchObject({ restoreWindowDays: 2, referenceHourOfDay: 3 });
    const request = w.fake.requests.find((r) => r.authorized)!;
    expect(request.path).toBe(`/api/atlas/v2/groups/${GROUP}/clusters/ledger/backup/schedule`);
    expect(request.headers.accept).toBe('application/vnd.atlas.2024-08-05+json');
    const description = await w.client.describeCluster(pit);
    expect(description).toMatchObject({ type: 'dedicated', name: 'ledger', pitEnabled: true, stateName: 'IDLE', backupEnabled: true });
    expect(restoreWindow(description, schedule, NOW_MS)).toEqual({ fromUnixSeconds: NOW_S - 2 * 86_400, toUnixSeconds: NOW_S });

    w.fake.configureCluster(GROUP, 'ledger-nopit', { restoreWindowDays: 5 });
    const nopit = await w.client.describeCluster(plain);
    expect(nopit.pitEnabled).toBe(false);
    expect(restoreWindow(nopit, await w.client.getBackupSchedule(plain), NOW_MS)).toBeUndefined();
  });

  it('describes Flex clusters and serverless instances at their own endpoints, with no point in time', async () => {
    expect(await w.client.describeCluster(flex)).toMatchObject({ type: 'flex', name: 'fx', pitEnabled: false, backupEnabled: true });
    expect(await w.client.describeCluster(serverless)).toMatchObject({ type: 'serverless', name: 'sl', pitEnabled: false });
    expect(w.fake.requests.filter((r) => r.authorized).map((r) => [r.path, r.headers.accept])).toEqual([
      [`/api/atlas/v2/groups/${GROUP}/flexClusters/fx`, 'application/vnd.atlas.2024-11-13+json'],
      [`/api/atlas/v2/groups/${GROUP}/serverless/sl`, 'application/vnd.atlas.2023-01-01+json'],
    ]);
  });

  it('detects the type when the policy leaves it out; a wrong declared type is Atlas’s error with the policy hint', async () => {
    expect(await w.client.describeCluster({ groupId: GROUP, clusterName: 'ledger' })).toMatchObject({ type: 'dedicated', pitEnabled: true });
    const wrong = await atlasError(w.client.describeCluster({ groupId: GROUP, clusterName: 'ledger', type: 'flex' }));
    expect(wrong).toMatchObject({ status: 400, errorCode: 'CANNOT_USE_NON_FLEX_CLUSTER_IN_FLEX_API' });
    expect(wrong.hint).toMatch(/policy file/);
  });

  it('has no schedule for Flex or serverless: refused without a request', async () => {
    for (const cluster of [flex, serverless]) {
      const error = await atlasError(w.client.getBackupSchedule(cluster));
      expect(error).toMatchObject({ errorCode: 'ATLAS_NOT_SUPPORTED_FOR_TYPE' });
      expect(error.hint).toMatch(/Only dedicated clusters have a point-in-time restore window/);
    }
    expect(w.fake.requests).toHaveLength(0);
  });
});

describe('the base snapshot of a time', () => {
  const snapshotAt = (hoursAgo: number) => new Date(NOW_MS - hoursAgo * 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');

  it('is the closest completed snapshot at or before it', async () => {
    const at = NOW_S - 30 * 60;
    const snap = await w.client.findSnapshotForPointInTime(pit, at);
    expect(snap).toMatchObject({ createdAt: snapshotAt(1), status: 'completed' }); // not the queued one at − 45 min
    const request = w.fake.requests.find((r) => r.authorized)!;
    expect(request.query).toMatchObject({ pointInTimeUtcSeconds: String(at) });
    expect((await w.client.findSnapshotForPointInTime(pit, NOW_S - 2 * HOUR_S))?.createdAt).toBe(snapshotAt(25));
  });

  it('costs one request, whatever totalCount Atlas gives the one answer', async () => {
    w.fake.configureCluster(GROUP, 'ledger', { pointInTimeTotalCount: 40 });
    try {
      expect((await w.client.findSnapshotForPointInTime(pit, NOW_S - 30 * 60))?.createdAt).toBe(snapshotAt(1));
      expect(w.apiRequests('GET', '/backup/snapshots')).toBe(1);
    } finally {
      w.fake.configureCluster(GROUP, 'ledger', { pointInTimeTotalCount: undefined });
    }
  });

  it('is undefined when Atlas has none before the time (404 UNABLE_T0…)', async () => {
    expect(await w.client.findSnapshotForPointInTime(plain, NOW_S - 60 * HOUR_S)).toBeUndefined();
    expect(w.fake.requests.find((r) => r.authorized)).toMatchObject({ status: 404 });
  });

  it('a time outside the window or in the future is INVALID_PIT_RESTORE_TIME with a plain hint', async () => {
    for (const at of [NOW_S - 3 * 86_400, NOW_S + 60]) {
      const error = await atlasError(w.client.findSnapshotForPointInTime(pit, at));
      expect(error).toMatchObject({ status: 400, errorCode: 'INVALID_PIT_RESTORE_TIME', transient: false });
      expect(error.hint).toMatch(/inside the cluster's point-in-time restore window/);
    }
  });

  it('refuses malformed times and other cluster types before any request', async () => {
    await expect(w.client.findSnapshotForPointInTime(pit, 1.5)).rejects.toMatchObject({ errorCode: 'ATLAS_INVALID_ARGUMENT' });
    await expect(w.client.findSnapshotForPointInTime(pit, 1_000)).rejects.toMatchObject({ errorCode: 'ATLAS_INVALID_ARGUMENT' });
    await expect(w.client.findSnapshotForPointInTime(flex, NOW_S)).rejects.toMatchObject({ errorCode: 'ATLAS_NOT_SUPPORTED_FOR_TYPE' });
    expect(w.fake.requests).toHaveLength(0);
  });
});

describe('a point-in-time restore job', () => {
  it('posts deliveryType pointInTime without a snapshot id, and is tracked like any restore job', async () => {
    const at = NOW_S - 2 * HOUR_S;
    const job = await w.client.createRestoreJob({ source: pit, pointInTimeUtcSeconds: at, target });
    expect(job).toMatchObject({ state: 'running', targetClusterName: 'ledger-staging', targetGroupId: GROUP });
    expect(job.raw).toMatchObject({ deliveryType: 'pointInTime', pointInTimeUTCSeconds: at });
    const post = w.fake.requests.find((r) => r.method === 'POST' && r.authorized)!;
    expect(post.body).toEqual({ deliveryType: 'pointInTime', pointInTimeUTCSeconds: at, targetClusterName: 'ledger-staging', targetGroupId: GROUP });

    expect((await w.client.getRestoreJob(pit, job.id)).raw).toMatchObject({ deliveryType: 'pointInTime' });
    expect((await w.client.listRestoreJobs(pit)).map((j) => j.id)).toContain(job.id);
    w.fake.advanceJob(job.id, 'completed');
    expect((await w.client.getRestoreJob(pit, job.id)).state).toBe('completed');
  });

  it("Atlas's refusals come with plain hints: outside the window, no base snapshot, no continuous backup, no checkpoint", async () => {
    const outside = await atlasError(w.client.createRestoreJob({ source: pit, pointInTimeUtcSeconds: NOW_S - 3 * 86_400, target }));
    expect(outside).toMatchObject({ status: 400, errorCode: 'INVALID_PIT_RESTORE_TIME' });
    w.fake.configureCluster(GROUP, 'ledger', { restoreWindowDays: 7 });
    const noBase = await atlasError(w.client.createRestoreJob({ source: pit, pointInTimeUtcSeconds: NOW_S - 60 * HOUR_S, target }));
    expect(noBase).toMatchObject({ status: 404, errorCode: 'UNABLE_T0_FIND_SNAPSHOT_PRIOR_TO_PIT_RESTORE_OPTIME' });
    expect(noBase.hint).toMatch(/no snapshot taken before that time/);
    w.fake.configureCluster(GROUP, 'ledger', { restoreWindowDays: 2 });
    const noPit = await atlasError(w.client.createRestoreJob({ source: plain, pointInTimeUtcSeconds: NOW_S - HOUR_S, target }));
    expect(noPit).toMatchObject({ errorCode: 'INVALID_PIT_RESTORE_TIME', detail: expect.stringMatching(/continuous cloud backup is not enabled/) });
    w.fake.inject({ kind: 'status', status: 409, errorCode: 'NO_CHECKPOINT_FOR_PIT_RESTORE', method: 'POST' });
    const noCheckpoint = await atlasError(w.client.createRestoreJob({ source: pit, pointInTimeUtcSeconds: NOW_S - HOUR_S, target }));
    expect(noCheckpoint).toMatchObject({ status: 409, errorCode: 'NO_CHECKPOINT_FOR_PIT_RESTORE', transient: false });
    expect(noCheckpoint.hint).toMatch(/no checkpoint/);
    expect(w.apiRequests('POST')).toBe(4); // each refusal is one POST: nothing is retried
  });

  it('a 500 is outcome unknown after exactly one POST', async () => {
    w.fake.inject({ kind: 'status', status: 500, method: 'POST' });
    await expect(w.client.createRestoreJob({ source: pit, pointInTimeUtcSeconds: NOW_S - HOUR_S, target })).rejects.toMatchObject({ errorCode: 'ATLAS_CREATE_OUTCOME_UNKNOWN', transient: true });
    expect(w.apiRequests('POST')).toBe(1);
    expect(w.sleeps).toEqual([]);
  });

  it('a 2xx it cannot read is outcome unknown, not a refusal: Atlas is restoring', async () => {
    w.fake.inject({ kind: 'empty2xx', method: 'POST' });
    const error = await atlasError(w.client.createRestoreJob({ source: pit, pointInTimeUtcSeconds: NOW_S - HOUR_S, target }));
    expect(error).toMatchObject({ errorCode: 'ATLAS_CREATE_OUTCOME_UNKNOWN', transient: true });
    expect(error.detail).toMatch(/accepted the restore job but its answer could not be read/);
    expect(w.apiRequests('POST')).toBe(1);
  });

  it('is refused before any request with a snapshot id too, for Flex, or with a malformed time', async () => {
    const both = await atlasError(w.client.createRestoreJob({ source: pit, snapshotId: '0123456789abcdef01234567', pointInTimeUtcSeconds: NOW_S, target }));
    expect(both).toMatchObject({ errorCode: 'ATLAS_INVALID_ARGUMENT', detail: expect.stringMatching(/not both/) });
    const onFlex = await atlasError(w.client.createRestoreJob({ source: flex, pointInTimeUtcSeconds: NOW_S, target }));
    expect(onFlex).toMatchObject({ errorCode: 'ATLAS_NOT_SUPPORTED_FOR_TYPE' });
    expect(onFlex.hint).toMatch(/continuous cloud backup can restore to a point in time/);
    await expect(w.client.createRestoreJob({ source: pit, pointInTimeUtcSeconds: Number.NaN, target })).rejects.toMatchObject({ errorCode: 'ATLAS_INVALID_ARGUMENT' });
    await expect(w.client.createRestoreJob({ source: pit, target })).rejects.toMatchObject({ errorCode: 'ATLAS_INVALID_ARGUMENT' }); // neither
    expect(w.fake.requests).toHaveLength(0);
  });
});
