// Digest auth against the fake's strict RFC 7616 verifier: concurrency, nonce expiry, round trips per call.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAtlasClient, type InstrumentedAtlasClient } from '../../src/atlas/client.js';
import { AtlasApiError } from '../../src/atlas/errors.js';
import { parseDigestHeader } from '../fakes/fake-atlas-digest.js';
import { startFakeAtlas, type FakeAtlas } from '../fakes/fake-atlas.js';

const GROUP = '5e2211c17a3e5a48f5497de3';
const cluster = { groupId: GROUP, clusterName: 'orders', type: 'dedicated' as const };

let fake: FakeAtlas;
let clock: number;
let client: InstrumentedAtlasClient;

beforeEach(async () => {
  clock = Date.now();
  fake = await startFakeAtlas({ nonceTtlMs: 60_000, now: () => clock });
  fake.addCluster({ groupId: GROUP, name: 'orders', type: 'dedicated', snapshots: 3 });
  client = createAtlasClient({ baseUrl: fake.url, auth: { kind: 'digest', publicKey: fake.publicKey, privateKey: fake.privateKey } });
});
afterEach(async () => {
  await fake.close();
});

function nonceAndNc(headers: Record<string, string>): string {
  const p = parseDigestHeader(headers.authorization ?? '')!;
  return `${p.nonce}/${p.nc}`;
}

describe('Digest auth', () => {
  it('runs 50 concurrent GETs that all succeed with distinct (nonce, nc) and shares the first challenge', async () => {
    const snapshotId = String(fake.snapshots(GROUP, 'orders')[0]!.id);
    const results = await Promise.all(Array.from({ length: 50 }, () => client.getSnapshot(cluster, snapshotId)));
    expect(results.every((s) => s.id === snapshotId)).toBe(true);
    const authorized = fake.requests.filter((r) => r.authorized);
    expect(authorized).toHaveLength(50);
    expect(new Set(authorized.map((r) => nonceAndNc(r.headers))).size).toBe(50);
    expect(fake.stats()).toMatchObject({ challenges: 1, rejected: 0 });
    expect(client.stats()).toMatchObject({ calls: 50, httpRequests: 51, challenges: 1 });
  });

  it('pays one challenge on the first call, then about one round trip per call', async () => {
    await client.listSnapshots(cluster);
    for (let i = 0; i < 100; i++) await client.listSnapshots(cluster);
    const { calls, httpRequests } = client.stats();
    expect(calls).toBe(101);
    expect((httpRequests - 2) / (calls - 1)).toBeLessThanOrEqual(1.05);
    expect(fake.requests).toHaveLength(102);
  });

  it('handles an expired nonce with exactly one re-challenge, starting the new nonce at nc 1', async () => {
    await client.listSnapshots(cluster);
    await client.listSnapshots(cluster);
    fake.reset();
    clock += 61_000;
    const snapshots = await client.listSnapshots(cluster);
    expect(snapshots).toHaveLength(3);
    expect(fake.requests.map((r) => r.status)).toEqual([401, 200]);
    expect(fake.requests[0]!.headers['authorization']).toMatch(/^Digest /); // the stale attempt was signed
    expect(parseDigestHeader(fake.requests[1]!.headers.authorization!)!.nc).toBe('00000001');
    expect(fake.stats()).toMatchObject({ rejected: 1, authorized: 1 });
  });

  it('recovers 30 concurrent calls signed with an expired nonce, each with one re-challenge', async () => {
    await client.listSnapshots(cluster);
    fake.reset();
    clock += 61_000;
    const results = await Promise.all(Array.from({ length: 30 }, () => client.listSnapshots(cluster)));
    expect(results.every((r) => r.length === 3)).toBe(true);
    expect(fake.stats().authorized).toBe(30);
    expect(fake.requests.length).toBeLessThanOrEqual(60);
    const authorized = fake.requests.filter((r) => r.authorized);
    expect(new Set(authorized.map((r) => nonceAndNc(r.headers))).size).toBe(30);
  });

  it('reports a wrong private key as 401 with a hint, without echoing the key', async () => {
    const bad = createAtlasClient({ baseUrl: fake.url, auth: { kind: 'digest', publicKey: fake.publicKey, privateKey: 'wrong-private-key-123' } });
    const error = (await bad.listSnapshots(cluster).catch((e: unknown) => e)) as AtlasApiError;
    expect(error).toBeInstanceOf(AtlasApiError);
    expect(error.status).toBe(401);
    expect(error.hint).toMatch(/credentials/);
    expect(`${error.message} ${error.hint} ${JSON.stringify(error)}`).not.toContain('wrong-private-key-123');
    expect(fake.requests).toHaveLength(2); // challenge + one signed attempt, no loop
  });

  it('never mutates the request it is given', async () => {
    const snapshotId = Object.freeze(String(fake.snapshots(GROUP, 'orders')[0]!.id));
    const frozenCluster = Object.freeze({ ...cluster });
    const target = Object.freeze({ groupId: GROUP, clusterName: 'orders' });
    const input = Object.freeze({ source: frozenCluster, snapshotId, target });
    const job = await client.createRestoreJob(input);
    expect(job.snapshotId).toBe(snapshotId);
    expect(input).toEqual({ source: cluster, snapshotId, target: { groupId: GROUP, clusterName: 'orders' } });
  });
});
