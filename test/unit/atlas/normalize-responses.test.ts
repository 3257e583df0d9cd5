import { describe, expect, it } from 'vitest';
import { AtlasApiError } from '../../../src/atlas/errors.js';
import { classicJobState, newestFirst, toRestoreJob, toSnapshot } from '../../../src/atlas/normalize-responses.js';

const REQ = 'GET /api/test';

// Shapes from the OpenAPI subset: DiskBackupReplicaSet, ServerlessBackupSnapshot, FlexBackupSnapshot20241113.
const dedicatedSnapshot = {
  id: '5f5a1e6b3c3a4b0f1e2d3c4b', createdAt: '2026-01-02T03:00:00Z', status: 'completed', snapshotType: 'scheduled',
  description: 'nightly', expiresAt: '2026-01-09T03:00:00Z', mongodVersion: '8.0.4', type: 'replicaSet', cloudProvider: 'AWS',
};
const flexSnapshot = {
  id: '6a5a1e6b3c3a4b0f1e2d3c4b', status: 'COMPLETED', startTime: '2026-01-02T03:00:00Z', finishTime: '2026-01-02T03:01:30Z',
  scheduledTime: '2026-01-02T03:00:00Z', expiration: '2026-01-10T03:00:00Z', mongoDBVersion: '8.0.4', links: [],
};

describe('snapshots', () => {
  it('normalises dedicated and serverless snapshots, keeping unknown fields in raw', () => {
    for (const type of ['dedicated', 'serverless'] as const) {
      const s = toSnapshot(type, dedicatedSnapshot, REQ);
      expect(s).toEqual({
        id: dedicatedSnapshot.id, createdAt: '2026-01-02T03:00:00Z', status: 'completed', description: 'nightly',
        snapshotType: 'scheduled', expiresAt: '2026-01-09T03:00:00Z', mongoDBVersion: '8.0.4', raw: dedicatedSnapshot,
      });
      expect((s.raw as Record<string, unknown>).cloudProvider).toBe('AWS');
    }
  });

  it('normalises Flex snapshots: start time, lower-case status vocabulary', () => {
    expect(toSnapshot('flex', flexSnapshot, REQ)).toEqual({
      id: flexSnapshot.id, createdAt: '2026-01-02T03:00:00Z', status: 'completed', expiresAt: '2026-01-10T03:00:00Z',
      mongoDBVersion: '8.0.4', raw: flexSnapshot,
    });
    const statuses = ['PENDING', 'QUEUED', 'RUNNING', 'FAILED', 'COMPLETED', 'SOMETHING_NEW'].map(
      (status) => toSnapshot('flex', { ...flexSnapshot, status }, REQ).status,
    );
    expect(statuses).toEqual(['queued', 'queued', 'inProgress', 'failed', 'completed', 'something_new']);
  });

  it('reads a dedicated snapshot still being taken (no createdAt until it completes) and a Flex one without times', () => {
    const { createdAt: _drop, ...running } = { ...dedicatedSnapshot, status: 'inProgress' };
    expect(toSnapshot('dedicated', running, REQ)).toMatchObject({ id: dedicatedSnapshot.id, status: 'inProgress', createdAt: undefined });
    const { startTime: _s, finishTime: _f, scheduledTime: _t, ...timeless } = flexSnapshot;
    expect(toSnapshot('flex', { ...timeless, status: 'PENDING' }, REQ)).toMatchObject({ status: 'queued', createdAt: undefined });
  });

  it('names the missing or invalid field in ATLAS_UNEXPECTED_RESPONSE', () => {
    const { id: _id, ...noId } = dedicatedSnapshot;
    const error = catchError(() => toSnapshot('dedicated', noId, REQ));
    expect(error).toBeInstanceOf(AtlasApiError);
    expect(error.errorCode).toBe('ATLAS_UNEXPECTED_RESPONSE');
    expect(error.message).toContain('field `id` is missing');
    expect(error.message).toContain(REQ);
    const wrongType = catchError(() => toSnapshot('dedicated', { ...dedicatedSnapshot, createdAt: 42 }, REQ));
    expect(wrongType.message).toMatch(/field `createdAt` is invalid/);
  });

  it('sorts newest first, stable for equal times; a snapshot without a time (being taken) comes first', () => {
    const mk = (id: string, createdAt?: string) => toSnapshot('dedicated', { ...dedicatedSnapshot, id, createdAt, status: createdAt ? 'completed' : 'queued' }, REQ);
    const sorted = newestFirst([mk('a', '2026-01-01T00:00:00Z'), mk('b', '2026-01-03T00:00:00Z'), mk('q'), mk('c', '2026-01-02T00:00:00Z'), mk('d', '2026-01-03T00:00:00Z'), mk('r')]);
    expect(sorted.map((s) => s.id)).toEqual(['q', 'r', 'b', 'd', 'c', 'a']);
  });
});

describe('restore jobs', () => {
  const classic = {
    id: '7a5a1e6b3c3a4b0f1e2d3c4b', deliveryType: 'automated', snapshotId: '5f5a1e6b3c3a4b0f1e2d3c4b', targetClusterName: 'orders',
    targetGroupId: '5e2211c17a3e5a48f5497de3', cancelled: false, failed: false, expired: false, createdAt: '2026-01-02T04:00:00Z',
  };

  it('derives serverless/dedicated state from the flags first, then finishedAt, else running', () => {
    expect(toRestoreJob('dedicated', classic, REQ)).toEqual({
      id: classic.id, state: 'running', snapshotId: classic.snapshotId, targetGroupId: classic.targetGroupId,
      targetClusterName: 'orders', deliveryType: 'automated', createdAt: '2026-01-02T04:00:00Z', finishedAt: undefined, failureReason: undefined, raw: classic,
    });
    const at = '2026-01-02T05:00:00Z';
    expect(toRestoreJob('serverless', { ...classic, finishedAt: at }, REQ).state).toBe('completed');
    expect(toRestoreJob('serverless', { ...classic, finishedAt: at, failed: true }, REQ).state).toBe('failed');
    expect(classicJobState({ cancelled: true, finishedAt: at })).toBe('cancelled');
    expect(classicJobState({ expired: true })).toBe('expired');
    expect(classicJobState({})).toBe('running');
  });

  it('never takes a v2 job\'s `timestamp` (the snapshot\'s time) for its creation', () => {
    const { createdAt: _c, ...v2 } = { ...classic, timestamp: '2026-01-01T00:00:00Z', desiredTimestamp: { increment: null, time: null, date: null } };
    expect(toRestoreJob('dedicated', v2, REQ)).toMatchObject({ state: 'running', createdAt: undefined, finishedAt: undefined });
  });

  it('a download job is completed once Atlas gives its URL (it never gets finishedAt)', () => {
    const download = { ...classic, deliveryType: 'download', deliveryUrl: [] as string[] };
    expect(toRestoreJob('dedicated', download, REQ).state).toBe('running');
    expect(toRestoreJob('dedicated', { ...download, deliveryUrl: ['https://restore.example/x.tar.gz'] }, REQ)).toMatchObject({ state: 'completed', finishedAt: undefined });
    expect(toRestoreJob('dedicated', { ...download, deliveryUrl: ['https://x'], expired: true }, REQ).state).toBe('expired');
    // An automated job's URL list stays empty; it is not a completion signal for it.
    expect(classicJobState({ deliveryType: 'automated', deliveryUrl: ['https://x'] })).toBe('running');
  });

  it('maps Flex status and field names', () => {
    const flex = {
      id: '8a5a1e6b3c3a4b0f1e2d3c4b', status: 'PENDING', snapshotId: flexSnapshot.id, targetDeploymentItemName: 'orders-staging',
      targetProjectId: '5e2211c17a3e5a48f5497de3', restoreScheduledDate: '2026-01-02T04:00:00Z', deliveryType: 'RESTORE',
    };
    expect(toRestoreJob('flex', flex, REQ)).toMatchObject({
      id: flex.id, state: 'pending', snapshotId: flexSnapshot.id, targetClusterName: 'orders-staging',
      targetGroupId: '5e2211c17a3e5a48f5497de3', createdAt: '2026-01-02T04:00:00Z',
    });
    const states = ['PENDING', 'QUEUED', 'RUNNING', 'COMPLETED', 'FAILED'].map((status) => toRestoreJob('flex', { ...flex, status }, REQ).state);
    expect(states).toEqual(['pending', 'pending', 'running', 'completed', 'failed']);
    expect(toRestoreJob('flex', { ...flex, status: 'COMPLETED', restoreFinishedDate: '2026-01-02T05:00:00Z' }, REQ).finishedAt).toBe('2026-01-02T05:00:00Z');
    // A failed Flex job carries restoreFinishedDate too: failed, not completed.
    expect(toRestoreJob('flex', { ...flex, status: 'FAILED', restoreFinishedDate: '2026-01-02T05:00:00Z' }, REQ)).toMatchObject({ state: 'failed', finishedAt: '2026-01-02T05:00:00Z' });
  });

  it('reads a Flex status outside the spec as unknown, keeping Atlas’s word; rejects a missing one, naming the field', () => {
    expect(toRestoreJob('flex', { id: 'x', status: 'WEIRD' }, REQ)).toMatchObject({ id: 'x', state: 'unknown', atlasStatus: 'WEIRD' });
    // A word every object has is no exception.
    expect(toRestoreJob('flex', { id: 'x', status: 'constructor' }, REQ)).toMatchObject({ id: 'x', state: 'unknown', atlasStatus: 'constructor' });
    expect(toRestoreJob('flex', { id: 'x', status: 'RUNNING' }, REQ)).not.toHaveProperty('atlasStatus');
    expect(catchError(() => toRestoreJob('flex', { id: 'x' }, REQ)).message).toContain('field `status` is missing');
    expect(catchError(() => toRestoreJob('dedicated', { deliveryType: 'automated' }, REQ)).message).toContain('field `id` is missing');
  });
});

function catchError(fn: () => unknown): AtlasApiError {
  try {
    fn();
  } catch (error) {
    return error as AtlasApiError;
  }
  throw new Error('expected a throw');
}
