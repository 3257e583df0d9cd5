// Which listed job a lost POST created: pure matching on what the request restores and where.
import { describe, expect, it } from 'vitest';
import type { RestoreJob } from '../../../src/atlas/types.js';
import { findAdoptableJob, matchesRequest } from '../../../src/restore/find-adoptable-job.js';
import type { RestoreRequest } from '../../../src/restore/types.js';

const GROUP = '5e2211c17a3e5a48f5497de3';
const POSTED_AT = Date.parse('2026-12-02T10:00:00Z');
/** An ObjectId made at `ms` (its first 4 bytes are the creation time). */
const idAt = (ms: number, n: number) => `${Math.floor(ms / 1000).toString(16)}${String(n).padStart(16, '0')}`;
const job = (patch: Partial<RestoreJob> & { raw?: Record<string, unknown> }): RestoreJob => ({
  id: idAt(POSTED_AT + 5000, 1),
  state: 'running',
  targetGroupId: GROUP,
  targetClusterName: 'staging',
  raw: {},
  ...patch,
});
const request = (patch: Partial<RestoreRequest> = {}) =>
  ({
    snapshot: { id: 'base-snapshot' },
    target: { cluster: 'staging', groupId: GROUP },
    postStartedAt: new Date(POSTED_AT).toISOString(),
    createdAt: new Date(POSTED_AT - 60_000).toISOString(),
    ...patch,
  }) as RestoreRequest;
const AT = Math.floor(POSTED_AT / 1000) - 3600;

describe('matching a job to the request', () => {
  it('a snapshot restore: same snapshot into the same target, never a point-in-time job', () => {
    expect(matchesRequest(job({ snapshotId: 'base-snapshot', deliveryType: 'automated' }), request())).toBe(true);
    expect(matchesRequest(job({ snapshotId: 'other' }), request())).toBe(false);
    expect(matchesRequest(job({ snapshotId: 'base-snapshot', targetClusterName: 'prod' }), request())).toBe(false);
    expect(matchesRequest(job({ snapshotId: 'base-snapshot', targetGroupId: '000000000000000000000001' }), request())).toBe(false);
    // The policy may spell the project id in capitals and the cluster otherwise: Atlas answers in its own case.
    const capitals = request({ target: { cluster: 'Staging', groupId: GROUP.toUpperCase() } as RestoreRequest['target'] });
    expect(matchesRequest(job({ snapshotId: 'base-snapshot' }), capitals)).toBe(true);
    expect(matchesRequest(job({ snapshotId: 'base-snapshot', deliveryType: 'pointInTime', raw: { pointInTimeUTCSeconds: AT } }), request())).toBe(false);
  });

  it('a point-in-time restore: known by its second, whatever snapshot Atlas based it on', () => {
    const pit = request({ pointInTime: { utcSeconds: AT } });
    expect(matchesRequest(job({ snapshotId: 'another-base', deliveryType: 'pointInTime', raw: { pointInTimeUTCSeconds: AT } }), pit)).toBe(true);
    expect(matchesRequest(job({ deliveryType: 'pointInTime', raw: { pointInTimeUTCSeconds: AT + 1 } }), pit)).toBe(false);
    // A collection restore spells it pointInTimeUtcSeconds and carries no snapshot id.
    expect(matchesRequest(job({ raw: { pointInTimeUtcSeconds: AT } }), pit)).toBe(true);
    // No time in the answer: the base snapshot decides when there is one.
    expect(matchesRequest(job({ snapshotId: 'base-snapshot' }), pit)).toBe(true);
    expect(matchesRequest(job({ snapshotId: 'other' }), pit)).toBe(false);
    // A snapshot restore of the base snapshot (from the Atlas UI, say) restores the base without the oplog after it.
    expect(matchesRequest(job({ snapshotId: 'base-snapshot', deliveryType: 'automated' }), pit)).toBe(false);
    expect(matchesRequest(job({ snapshotId: 'base-snapshot', deliveryType: 'pointInTime' }), pit)).toBe(true);
  });

  it('a collection restore: the same namespaces, written the same way, where Atlas lists them', () => {
    const orders = request({ namespaces: [{ sourceNamespace: 'sales.orders' }, { sourceNamespace: 'crm' }], writeStrategy: 'OVERWRITE_EXISTING' });
    const collectionJob = (patch: Omit<Partial<RestoreJob>, 'raw'>) => job({ snapshotId: 'base-snapshot', ...patch });
    expect(matchesRequest(collectionJob({ sourceNamespaces: ['crm', 'sales.orders'], writeStrategy: 'OVERWRITE_EXISTING' }), orders)).toBe(true);
    expect(matchesRequest(collectionJob({ sourceNamespaces: ['crm.users'], writeStrategy: 'OVERWRITE_EXISTING' }), orders)).toBe(false);
    expect(matchesRequest(collectionJob({ sourceNamespaces: ['crm', 'sales.orders', 'sales.items'] }), orders)).toBe(false);
    expect(matchesRequest(collectionJob({ sourceNamespaces: ['crm', 'sales.orders'], writeStrategy: 'CREATE_NEW' }), orders)).toBe(false);
    // An answer that leaves them out is known by snapshot and target alone, as before.
    expect(matchesRequest(collectionJob({}), orders)).toBe(true);
    // CREATE_NEW is what a request without a strategy asks for.
    expect(matchesRequest(collectionJob({ sourceNamespaces: ['crm'], writeStrategy: 'CREATE_NEW' }), request({ namespaces: [{ sourceNamespace: 'crm' }] }))).toBe(true);
  });
});

describe('finding the adoptable job', () => {
  it('skips jobs listed before the POST and jobs older than it, and takes the newest of the rest', () => {
    const old = job({ id: idAt(POSTED_AT - 10 * 60_000, 1), snapshotId: 'base-snapshot' });
    const prior = job({ id: idAt(POSTED_AT, 2), snapshotId: 'base-snapshot' });
    const ours = job({ id: idAt(POSTED_AT + 3000, 3), snapshotId: 'base-snapshot' });
    const newer = job({ id: idAt(POSTED_AT + 9000, 4), snapshotId: 'other' });
    expect(findAdoptableJob([newer, ours, prior, old], request({ priorJobIds: [prior.id] }))?.id).toBe(ours.id);
    expect(findAdoptableJob([old], request())).toBeUndefined();
  });

  it('a lost point-in-time POST is found by its time', () => {
    const ours = job({ snapshotId: 'some-base', deliveryType: 'pointInTime', raw: { pointInTimeUTCSeconds: AT } });
    expect(findAdoptableJob([ours], request({ pointInTime: { utcSeconds: AT } }))?.id).toBe(ours.id);
  });
});
