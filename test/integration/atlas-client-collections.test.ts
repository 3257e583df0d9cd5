// Collection-level restore jobs through the real client against the fake Atlas (real HTTP, real Digest): create,
// progress, per-namespace outcomes with effectiveTargetNamespace, failures, client-side validation and faults.
import { describe, expect, it } from 'vitest';
import { createAtlasClient } from '../../src/atlas/client.js';
import type { CreateCollectionRestoreJobInput } from '../../src/atlas/collection-restore.js';
import { startFakeAtlas } from '../fakes/fake-atlas.js';
import { GROUP, NOW_S, HOUR_S, atlasError, useBackupClientWorld } from './backup-client-world.js';

const source = { groupId: GROUP, clusterName: 'orders', type: 'dedicated' as const };
const target = { groupId: GROUP, clusterName: 'orders-staging' };
let snapshotId = '';

const w = useBackupClientWorld((fake) => {
  fake.addCluster({ groupId: GROUP, name: 'orders', type: 'dedicated', pitEnabled: true, namespaces: [{ name: 'sales.orders', documents: 12_000 }, { name: 'sales.customers', documents: 8_000 }, { name: 'crm.users', documents: 500 }] });
  fake.addCluster({ groupId: GROUP, name: 'orders-staging', type: 'dedicated', snapshots: 0, namespaces: ['sales.orders'] });
  fake.addCluster({ groupId: GROUP, name: 'orders-other', type: 'dedicated', snapshots: 0 });
  fake.addCluster({ groupId: GROUP, name: 'fx', type: 'flex' });
  snapshotId = String(fake.snapshots(GROUP, 'orders')[0]!.id);
});

function input(overrides: Partial<CreateCollectionRestoreJobInput> = {}): CreateCollectionRestoreJobInput {
  return {
    source,
    target,
    snapshotId,
    writeStrategy: 'CREATE_NEW',
    indexStrategy: 'ALL',
    collections: [{ sourceNamespace: 'sales.orders' }, { sourceNamespace: 'sales.customers' }],
    ...overrides,
  } as CreateCollectionRestoreJobInput;
}

describe('a collection restore job, CREATE_NEW', () => {
  it('is created with the documented body, progresses, and reports where each namespace went', async () => {
    const job = await w.client.createCollectionRestoreJob(input());
    expect(job).toMatchObject({ state: 'pending', atlasState: 'INITIALIZING', snapshotId, targetClusterName: 'orders-staging', writeStrategy: 'CREATE_NEW', totalDocuments: 20_000, restoredDocuments: 0 });
    const post = w.fake.requests.find((r) => r.method === 'POST' && r.authorized)!;
    expect(post.path).toBe(`/api/atlas/v2/groups/${GROUP}/clusters/orders/collectionRestoreJobs`);
    expect(post.headers['content-type']).toBe('application/vnd.atlas.2025-03-12+json');
    expect(post.status).toBe(201);
    expect(post.body).toEqual({
      snapshotId,
      targetClusterName: 'orders-staging',
      targetGroupId: GROUP,
      writeStrategy: 'CREATE_NEW',
      indexStrategy: 'ALL',
      collections: [{ sourceNamespace: 'sales.orders' }, { sourceNamespace: 'sales.customers' }],
    });
    expect(await w.client.listCollectionRestoreJobNamespaces(source, job.id)).toEqual([]); // none while INITIALIZING

    w.fake.advanceCollectionJob(job.id, 'IN_PROGRESS');
    const running = await w.client.getCollectionRestoreJob(source, job.id);
    expect(running).toMatchObject({ state: 'running', atlasState: 'IN_PROGRESS', restoredDocuments: 5_000, totalDocuments: 20_000 });

    w.fake.advanceCollectionJob(job.id, 'SUCCESSFUL');
    const done = await w.client.getCollectionRestoreJob(source, job.id);
    expect(done).toMatchObject({ state: 'completed', restoredDocuments: 20_000, indexState: 'SUCCESSFUL' });
    expect(done.finishedAt).toBeDefined();
    const results = await w.client.listCollectionRestoreJobNamespaces(source, job.id);
    expect(results.map((r) => [r.sourceNamespace, r.effectiveTargetNamespace, r.outcome, r.restoredDocuments])).toEqual([
      ['sales.orders', 'sales.orders_restored', 'restored', 12_000], // the target already had sales.orders
      ['sales.customers', 'sales.customers', 'restored', 8_000],
    ]);
    expect(w.fake.namespaces(GROUP, 'orders-staging')).toMatchObject({ 'sales.orders': 1000, 'sales.orders_restored': 12_000, 'sales.customers': 8_000 });
  });

  it('databases and collections in one job: both lists in the POST body, a result for every namespace of both', async () => {
    const job = await w.client.createCollectionRestoreJob(input({ databases: [{ sourceNamespace: 'crm' }], collections: [{ sourceNamespace: 'sales.customers' }] }));
    const post = w.fake.requests.filter((r) => r.method === 'POST' && r.authorized).at(-1)!;
    expect(post.status).toBe(201);
    expect(post.body).toEqual({
      snapshotId,
      targetClusterName: 'orders-staging',
      targetGroupId: GROUP,
      writeStrategy: 'CREATE_NEW',
      indexStrategy: 'ALL',
      collections: [{ sourceNamespace: 'sales.customers' }],
      databases: [{ sourceNamespace: 'crm' }],
    });
    expect(job).toMatchObject({ collections: [{ sourceNamespace: 'sales.customers' }], databases: [{ sourceNamespace: 'crm' }], totalDocuments: 8_500 });
    w.fake.advanceCollectionJob(job.id, 'SUCCESSFUL');
    const results = await w.client.listCollectionRestoreJobNamespaces(source, job.id);
    expect(results.map((r) => [r.sourceNamespace, r.outcome, r.restoredDocuments])).toEqual([
      ['crm.users', 'restored', 500],
      ['sales.customers', 'restored', 8_000],
    ]);
  });

  it('renames again when the renamed collection exists too', async () => {
    const job = await w.client.createCollectionRestoreJob(input({ collections: [{ sourceNamespace: 'sales.orders' }] }));
    w.fake.advanceCollectionJob(job.id, 'SUCCESSFUL');
    const [result] = await w.client.listCollectionRestoreJobNamespaces(source, job.id);
    expect(result).toMatchObject({ effectiveTargetNamespace: 'sales.orders_restored_2', targetNamespace: 'sales.orders', outcome: 'restored' });
  });
});

describe('progress, one step per poll', () => {
  it('restoredDocuments rises to totalDocuments as the job is polled, then the job completes', async () => {
    const fake = await startFakeAtlas({ stepsPerState: 1 });
    try {
      fake.addCluster({ groupId: GROUP, name: 'orders', type: 'dedicated', namespaces: [{ name: 'sales.orders', documents: 1_000 }, { name: 'sales.customers', documents: 600 }] });
      fake.addCluster({ groupId: GROUP, name: 'orders-staging', type: 'dedicated', snapshots: 0 });
      const client = createAtlasClient({ baseUrl: fake.url, auth: { kind: 'digest', publicKey: fake.publicKey, privateKey: fake.privateKey } });
      const snapshot = String(fake.snapshots(GROUP, 'orders')[0]!.id);
      const job = await client.createCollectionRestoreJob(input({ snapshotId: snapshot }));
      const seen: [string, number | undefined][] = [];
      for (let poll = 0; poll < 8; poll++) {
        const now = await client.getCollectionRestoreJob(source, job.id);
        seen.push([now.atlasState, now.restoredDocuments]);
        if (now.state === 'completed') break;
      }
      expect(seen).toEqual([
        ['IN_PROGRESS', 400],
        ['IN_PROGRESS', 800],
        ['IN_PROGRESS', 1200],
        ['FINALIZING', 1600],
        ['SUCCESSFUL', 1600],
      ]);
      const results = await client.listCollectionRestoreJobNamespaces(source, job.id);
      expect(results.every((r) => r.outcome === 'restored' && r.restoredDocuments === r.totalDocuments)).toBe(true);
    } finally {
      await fake.close();
    }
  });
});

describe('other scopes and strategies', () => {
  it('OVERWRITE_EXISTING keeps the name; a missing source namespace is not_found', async () => {
    const job = await w.client.createCollectionRestoreJob(input({ writeStrategy: 'OVERWRITE_EXISTING', collections: [{ sourceNamespace: 'sales.orders' }, { sourceNamespace: 'sales.ghosts' }] }));
    w.fake.advanceCollectionJob(job.id, 'SUCCESSFUL');
    const results = await w.client.listCollectionRestoreJobNamespaces(source, job.id);
    expect(results.map((r) => [r.sourceNamespace, r.effectiveTargetNamespace, r.outcome])).toEqual([
      ['sales.orders', 'sales.orders', 'restored'],
      ['sales.ghosts', undefined, 'not_found'],
    ]);
  });

  it('restores whole databases with a target name and suffixes, at a point in time', async () => {
    const at = NOW_S - 2 * HOUR_S;
    const job = await w.client.createCollectionRestoreJob(
      input({ snapshotId: undefined, pointInTimeUtcSeconds: at, target: { groupId: GROUP, clusterName: 'orders-other' }, collections: undefined, databases: [{ sourceNamespace: 'sales', targetNamespace: 'sales_copy' }], collectionSuffix: '_x', indexStrategy: 'NONE' }),
    );
    expect(job).toMatchObject({ pointInTimeUtcSeconds: at, snapshotId: undefined, databases: [{ sourceNamespace: 'sales', targetNamespace: 'sales_copy' }], collections: [], collectionSuffix: '_x', indexState: 'NOT_RESTORED' });
    const post = w.fake.requests.find((r) => r.method === 'POST' && r.authorized)!;
    expect(post.body).toMatchObject({ pointInTimeUtcSeconds: at, databases: [{ sourceNamespace: 'sales', targetNamespace: 'sales_copy' }], collectionSuffix: '_x' });
    expect(post.body).not.toHaveProperty('snapshotId');
    w.fake.advanceCollectionJob(job.id, 'SUCCESSFUL');
    const results = await w.client.listCollectionRestoreJobNamespaces(source, job.id);
    expect(results.map((r) => r.effectiveTargetNamespace).sort()).toEqual(['sales_copy.customers_x', 'sales_copy.orders_x']);
  });

  it('lists collection restore jobs across pages, newest first, without includeCount (not documented there)', async () => {
    const jobs = await w.client.listCollectionRestoreJobs(source);
    expect(jobs.length).toBe(w.fake.collectionRestoreJobs(GROUP, 'orders').length);
    expect(jobs.length).toBeGreaterThanOrEqual(4);
    expect(jobs.map((j) => j.id)).toEqual(w.fake.collectionRestoreJobs(GROUP, 'orders').map((j) => j['id']));
    const pages = w.fake.requests.filter((r) => r.authorized && r.path.endsWith('/collectionRestoreJobs'));
    expect(pages.length).toBeGreaterThanOrEqual(2);
    expect(pages.every((r) => r.query.itemsPerPage === '2' && r.query.includeCount === undefined)).toBe(true);
  });
});

describe('failures', () => {
  it("a failed job carries Atlas's errorMessage; namespaces say which failed and why indexes did not build", async () => {
    const job = await w.client.createCollectionRestoreJob(input({ collections: [{ sourceNamespace: 'sales.orders' }, { sourceNamespace: 'sales.customers' }, { sourceNamespace: 'crm.users' }] }));
    w.fake.advanceCollectionJob(job.id, 'IN_PROGRESS');
    w.fake.advanceCollectionJob(job.id, 'FAILED', { errorMessage: 'Target cluster ran out of disk space.', indexBuildFailures: { 'sales.orders': 'E11000 duplicate key' } });
    const failed = await w.client.getCollectionRestoreJob(source, job.id);
    expect(failed).toMatchObject({ state: 'failed', atlasState: 'FAILED', errorMessage: 'Target cluster ran out of disk space.', failedIndexCollections: 1 });
    const results = await w.client.listCollectionRestoreJobNamespaces(source, job.id);
    expect(results.map((r) => [r.sourceNamespace, r.outcome, r.errorMessage])).toEqual([
      ['sales.orders', 'indexes_failed', 'E11000 duplicate key'],
      ['sales.customers', 'failed', undefined],
      ['crm.users', 'failed', undefined],
    ]);
  });

  it('a second restore into a busy target is refused with 409 and the restore-in-progress hint', async () => {
    const first = await w.client.createCollectionRestoreJob(input());
    const busy = await atlasError(w.client.createCollectionRestoreJob(input()));
    expect(busy).toMatchObject({ status: 409, errorCode: 'ATLAS_CLUSTER_RESTORE_IN_PROGRESS', transient: false });
    expect(busy.hint).toMatch(/already running/);
    w.fake.advanceCollectionJob(first.id, 'CANCELED');
    expect(await w.client.getCollectionRestoreJob(source, first.id)).toMatchObject({ state: 'cancelled', errorMessage: 'The collection restore was canceled.' });
  });

  it('an unknown job id is 404 with the not-found hint', async () => {
    const missing = await atlasError(w.client.getCollectionRestoreJob(source, '0123456789abcdef01234567'));
    expect(missing).toMatchObject({ status: 404, errorCode: 'RESTORE_JOB_NOT_FOUND' });
    expect(missing.hint).toMatch(/could not find/);
  });
});

describe('refused before any request', () => {
  it.each([
    ['101 namespaces', input({ collections: Array.from({ length: 101 }, (_, i) => ({ sourceNamespace: `db.c${i}` })) }), /collections has 101 entries; Atlas takes at most 100/],
    ['a bad namespace', input({ collections: [{ sourceNamespace: 'sales.$cmd' }, { sourceNamespace: 'sales', targetNamespace: 'x y.z' }] }), /collections\[0\]\.sourceNamespace: sales\.\$cmd: a collection name must not contain "\$".*collections\[1\]\.sourceNamespace: sales is a database.*collections\[1\]\.targetNamespace: x y\.z: a database name must not contain a space/],
    ['a collection in the databases list', input({ collections: undefined, databases: [{ sourceNamespace: 'sales.orders' }] }), /databases\[0\]\.sourceNamespace: sales\.orders is a collection/],
    ['both a snapshot and a time', input({ pointInTimeUtcSeconds: NOW_S }), /exactly one of snapshotId and pointInTimeUtcSeconds/],
    ['neither list', input({ collections: undefined }), /give collections, databases or both/],
    ['a collection of a listed database', input({ databases: [{ sourceNamespace: 'sales' }] }), /collections\[0\]\.sourceNamespace: sales\.orders is already part of database sales, which databases lists too/],
    ['an unknown strategy', input({ writeStrategy: 'MERGE' as never }), /writeStrategy must be CREATE_NEW or OVERWRITE_EXISTING/],
    ['a duplicate', input({ collections: [{ sourceNamespace: 'a.b' }, { sourceNamespace: 'a.b' }] }), /a\.b is listed twice/],
  ])('%s', async (_label, bad, message) => {
    const error = await atlasError(w.client.createCollectionRestoreJob(bad));
    expect(error).toMatchObject({ errorCode: 'ATLAS_INVALID_ARGUMENT', transient: false });
    expect(error.detail).toMatch(message);
    expect(error.hint).toMatch(/collection restore request is malformed/);
    expect(w.fake.requests).toHaveLength(0);
  });

  it('even a source left to detection: no probe is spent on a malformed request', async () => {
    const bad = input({ source: { groupId: GROUP, clusterName: 'orders' }, collections: [] });
    await expect(w.client.createCollectionRestoreJob(bad)).rejects.toMatchObject({ errorCode: 'ATLAS_INVALID_ARGUMENT', detail: 'collections must be a non-empty list' });
    expect(w.fake.requests).toHaveLength(0);
  });

  it('a Flex source: ATLAS_NOT_SUPPORTED_FOR_TYPE with a plain hint', async () => {
    const error = await atlasError(w.client.createCollectionRestoreJob(input({ source: { groupId: GROUP, clusterName: 'fx', type: 'flex' } })));
    expect(error).toMatchObject({ errorCode: 'ATLAS_NOT_SUPPORTED_FOR_TYPE', transient: false });
    expect(error.hint).toMatch(/Only dedicated clusters can restore single databases or collections/);
    await expect(w.client.listCollectionRestoreJobs({ groupId: GROUP, clusterName: 'fx', type: 'flex' })).rejects.toMatchObject({ errorCode: 'ATLAS_NOT_SUPPORTED_FOR_TYPE' });
    expect(w.fake.requests).toHaveLength(0);
  });
});

describe('faults', () => {
  it('a 500 on the create makes exactly one POST: outcome unknown, with a hint about collection restore jobs', async () => {
    w.fake.inject({ kind: 'status', status: 500, method: 'POST' });
    const error = await atlasError(w.client.createCollectionRestoreJob(input()));
    expect(error).toMatchObject({ errorCode: 'ATLAS_CREATE_OUTCOME_UNKNOWN', transient: true, status: 500 });
    expect(error.detail).toMatch(/the collection restore job may or may not exist/);
    expect(error.hint).toMatch(/check the collection restore jobs of the source cluster/);
    expect(w.apiRequests('POST')).toBe(1);
    expect(w.sleeps).toEqual([]);
  });

  it('a 2xx it cannot read is outcome unknown, not a refusal: Atlas is restoring', async () => {
    w.fake.inject({ kind: 'empty2xx', method: 'POST' });
    const error = await atlasError(w.client.createCollectionRestoreJob(input()));
    expect(error).toMatchObject({ errorCode: 'ATLAS_CREATE_OUTCOME_UNKNOWN', transient: true });
    expect(error.detail).toMatch(/accepted the collection restore job but its answer could not be read/);
    expect(error.hint).toMatch(/check the collection restore jobs of the source cluster/);
    expect(w.apiRequests('POST')).toBe(1);
  });

  it('a hang on the create makes exactly one POST and is outcome unknown', async () => {
    const quick = w.quickClient();
    w.fake.inject({ kind: 'hang', method: 'POST' });
    await expect(quick.createCollectionRestoreJob(input())).rejects.toMatchObject({ errorCode: 'ATLAS_CREATE_OUTCOME_UNKNOWN', transient: true });
    expect(w.apiRequests('POST')).toBe(1); // the other POST was the Digest challenge of the new client
  });

  it('reads retry a 503 and a reset connection', async () => {
    const [job] = await w.client.listCollectionRestoreJobs(source);
    w.fake.reset();
    w.fake.inject({ kind: 'status', status: 503, method: 'GET' });
    w.fake.inject({ kind: 'reset', method: 'GET' });
    expect((await w.client.getCollectionRestoreJob(source, job!.id)).id).toBe(job!.id);
    expect(w.apiRequests('GET')).toBe(3);
    expect(w.sleeps).toHaveLength(2);
  });
});
