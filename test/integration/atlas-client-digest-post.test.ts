// A Digest challenge on the POST that creates a restore job: the body is sent again exactly once (a 401 created
// nothing), and never a third time, whatever happens to the signed one.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAtlasClient, type InstrumentedAtlasClient } from '../../src/atlas/client.js';
import { AtlasApiError } from '../../src/atlas/errors.js';
import { parseDigestHeader } from '../fakes/fake-atlas-digest.js';
import { startFakeAtlas, type FakeAtlas } from '../fakes/fake-atlas.js';

const GROUP = '5e2211c17a3e5a48f5497de3';
const source = { groupId: GROUP, clusterName: 'orders', type: 'dedicated' as const };
const target = { groupId: GROUP, clusterName: 'orders-staging' };
const NONCE_TTL_MS = 60_000;

let fake: FakeAtlas;
let clock: number;
let snapshotId: string;

const posts = () => fake.requests.filter((r) => r.method === 'POST');
const clientWith = (privateKey = fake.privateKey): InstrumentedAtlasClient =>
  createAtlasClient({
    baseUrl: fake.url,
    auth: { kind: 'digest', publicKey: fake.publicKey, privateKey },
    now: () => clock,
    retryPolicy: { sleep: async () => undefined },
  });

beforeEach(async () => {
  clock = Date.now();
  fake = await startFakeAtlas({ nonceTtlMs: NONCE_TTL_MS, now: () => clock, stepsPerState: 0 });
  fake.addCluster({ groupId: GROUP, name: 'orders', type: 'dedicated', snapshots: 2 });
  fake.addCluster({ groupId: GROUP, name: 'orders-staging', type: 'dedicated', snapshots: 0 });
  snapshotId = String(fake.snapshots(GROUP, 'orders')[0]!.id);
});
afterEach(async () => {
  await fake.close();
});

describe('a Digest challenge on the restore POST', () => {
  it('with no challenge cached yet: the POST goes twice (the first unsigned), the same body, one job', async () => {
    const job = await clientWith().createRestoreJob({ source, snapshotId, target });
    expect(posts().map((r) => [r.status, r.authorized])).toEqual([[401, false], [200, true]]);
    expect(posts()[0]!.body).toEqual(posts()[1]!.body);
    expect(fake.restoreJobs(GROUP, 'orders').map((j) => String(j.id))).toEqual([job.id]);
  });

  it('signed with a nonce that went stale: re-signed with the new nonce at nc 1, sent once more, one job', async () => {
    const client = clientWith();
    await client.listSnapshots(source);
    fake.reset();
    clock += NONCE_TTL_MS + 1000;
    await client.createRestoreJob({ source, snapshotId, target });
    expect(posts().map((r) => r.status)).toEqual([401, 200]);
    expect(posts()[0]!.headers.authorization).toMatch(/^Digest /); // the stale one was signed
    expect(parseDigestHeader(posts()[1]!.headers.authorization!)!.nc).toBe('00000001');
    expect(posts()[0]!.body).toEqual(posts()[1]!.body);
    expect(fake.restoreJobs(GROUP, 'orders')).toHaveLength(1);
  });

  it('the signed POST whose answer is lost: outcome unknown, no third POST, and Atlas has the job once', async () => {
    const client = clientWith();
    await client.listSnapshots(source);
    fake.reset();
    clock += NONCE_TTL_MS + 1000;
    fake.inject({ kind: 'dropAnswer', method: 'POST' });
    const error = await client.createRestoreJob({ source, snapshotId, target }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AtlasApiError);
    expect(error).toMatchObject({ errorCode: 'ATLAS_CREATE_OUTCOME_UNKNOWN', transient: true });
    expect(posts()).toHaveLength(2);
    expect(fake.restoreJobs(GROUP, 'orders')).toHaveLength(1);
  });

  it('a refused key: two POSTs, then the 401, never a loop', async () => {
    const error = await clientWith('wrong-key').createRestoreJob({ source, snapshotId, target }).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 401 });
    expect(posts()).toHaveLength(2);
    expect(fake.restoreJobs(GROUP, 'orders')).toHaveLength(0);
  });
});
