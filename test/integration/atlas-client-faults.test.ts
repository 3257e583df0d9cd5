// Retries, timeouts and the never-retried create, against injected faults in the fake Atlas.
import { describe, expect, it } from 'vitest';
import { createAtlasClient } from '../../src/atlas/client.js';
import { AtlasApiError } from '../../src/atlas/errors.js';
import { startFakeAtlas } from '../fakes/fake-atlas.js';
import { src, target, useAtlasFaultWorld } from './atlas-fault-world.js';

const w = useAtlasFaultWorld();

/**
 * The timeout of the clients that meet a hang: short, since each hang costs it in full, but the same client's
 * ordinary exchanges (its Digest challenge, the priming call) must fit in it too, on a loaded machine as well.
 */
const HANG_TIMEOUT_MS = 500;

describe('retries of GETs', () => {
  it('retries 500 twice then succeeds, with growing jittered backoff', async () => {
    w.fake.inject({ kind: 'status', status: 500, count: 2, method: 'GET' });
    expect(await w.client.listSnapshots(src)).toHaveLength(2);
    expect(w.apiRequests('GET')).toBe(3);
    expect(w.sleeps).toEqual([50, 100]); // random 0.5 × 100·2^(n-1)
    expect(w.client.stats().retries).toBe(2);
  });

  it('waits Retry-After on 429', async () => {
    w.fake.inject({ kind: 'status', status: 429, retryAfterSeconds: 3, method: 'GET' });
    expect(await w.client.listSnapshots(src)).toHaveLength(2);
    expect(w.sleeps).toEqual([3000]);
    expect(w.apiRequests('GET')).toBe(2);
  });

  it('gives up after maxAttempts with the last error, transient', async () => {
    w.fake.inject({ kind: 'status', status: 503, count: 5, method: 'GET' });
    const error = (await w.client.listSnapshots(src).catch((e: unknown) => e)) as AtlasApiError;
    expect(error).toMatchObject({ status: 503, transient: true });
    expect(error.hint).toMatch(/internal error/);
    expect(w.apiRequests('GET')).toBe(4);
  });

  it('turns a hanging answer into ATLAS_TIMEOUT after retrying', async () => {
    const quick = w.makeClient(HANG_TIMEOUT_MS);
    await quick.listSnapshots(src);
    w.fake.reset();
    w.fake.inject({ kind: 'hang', count: 4, method: 'GET' });
    const error = (await quick.listSnapshots(src).catch((e: unknown) => e)) as AtlasApiError;
    expect(error).toBeInstanceOf(AtlasApiError);
    expect(error).toMatchObject({ errorCode: 'ATLAS_TIMEOUT', transient: true, status: undefined });
    expect(error.hint).toMatch(/did not answer in time/);
    expect(w.fake.requests.filter((r) => r.method === 'GET')).toHaveLength(4);
  });

  it('retries a reset connection as ATLAS_NETWORK_ERROR', async () => {
    w.fake.inject({ kind: 'reset', method: 'GET' });
    expect(await w.client.listSnapshots(src)).toHaveLength(2);
    expect(w.sleeps).toHaveLength(1);
  });

  it('does not retry client errors', async () => {
    w.fake.inject({ kind: 'status', status: 403, errorCode: 'IP_ADDRESS_NOT_ON_ACCESS_LIST', method: 'GET' });
    const error = (await w.client.listSnapshots(src).catch((e: unknown) => e)) as AtlasApiError;
    expect(error).toMatchObject({ status: 403, errorCode: 'IP_ADDRESS_NOT_ON_ACCESS_LIST', transient: false });
    expect(error.hint).toMatch(/egress IP/);
    expect(w.sleeps).toEqual([]);
  });
});

describe('the create POST is never retried', () => {
  it('a 500 makes exactly one POST and throws ATLAS_CREATE_OUTCOME_UNKNOWN', async () => {
    w.fake.inject({ kind: 'status', status: 500, method: 'POST' });
    const error = (await w.client.createRestoreJob({ source: src, snapshotId: w.snapshotId, target }).catch((e: unknown) => e)) as AtlasApiError;
    expect(error).toMatchObject({ errorCode: 'ATLAS_CREATE_OUTCOME_UNKNOWN', transient: true, status: 500 });
    expect(error.hint).toMatch(/check the restore jobs/);
    expect(w.apiRequests('POST')).toBe(1);
    expect(w.sleeps).toEqual([]);
  });

  it('a hang makes exactly one POST and throws ATLAS_CREATE_OUTCOME_UNKNOWN', async () => {
    const quick = w.makeClient(HANG_TIMEOUT_MS);
    await quick.listSnapshots(src);
    w.fake.reset();
    w.fake.inject({ kind: 'hang', method: 'POST' });
    await expect(quick.createRestoreJob({ source: src, snapshotId: w.snapshotId, target })).rejects.toMatchObject({ errorCode: 'ATLAS_CREATE_OUTCOME_UNKNOWN', transient: true });
    expect(w.fake.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
  });

  it('a 429 is not retried either, and keeps its own code (Atlas did not create anything)', async () => {
    w.fake.inject({ kind: 'status', status: 429, retryAfterSeconds: 1, method: 'POST' });
    await expect(w.client.createRestoreJob({ source: src, snapshotId: w.snapshotId, target })).rejects.toMatchObject({ errorCode: 'RATE_LIMITED', retryAfterMs: 1000, transient: true });
    expect(w.apiRequests('POST')).toBe(1);
  });

  it('accepts the answer of a successful create', async () => {
    const job = await w.client.createRestoreJob({ source: src, snapshotId: w.snapshotId, target });
    expect(job).toMatchObject({ state: 'running', targetClusterName: 'orders-staging' });
    expect(w.apiRequests('POST')).toBe(1);
    // On a connection of its own: a reused one the server is closing would leave the outcome unknown.
    const posts = w.fake.requests.filter((r) => r.method === 'POST');
    expect(posts.every((r) => r.headers.connection === 'close')).toBe(true);
    expect(w.fake.requests.filter((r) => r.method === 'GET').every((r) => r.headers.connection !== 'close')).toBe(true);
  });
});

describe('unreachable Atlas', () => {
  it('reports ATLAS_NETWORK_ERROR for a refused connection, and a create that provably sent nothing keeps that code', async () => {
    const closed = await startFakeAtlas();
    const url = closed.url;
    await closed.close();
    const offline = createAtlasClient({
      baseUrl: url,
      auth: { kind: 'digest', publicKey: 'pubkey', privateKey: 'privkey-secret' },
      retryPolicy: { sleep: async () => {}, maxAttempts: 2 },
    });
    await expect(offline.listSnapshots(src)).rejects.toMatchObject({ errorCode: 'ATLAS_NETWORK_ERROR', detail: expect.stringContaining('ECONNREFUSED') });
    await expect(offline.createRestoreJob({ source: src, snapshotId: w.snapshotId, target })).rejects.toMatchObject({ errorCode: 'ATLAS_NETWORK_ERROR' });
    expect(offline.stats().httpRequests).toBe(3);
  });

  it('a host name that does not resolve sent nothing either: the create keeps ATLAS_NETWORK_ERROR', async () => {
    const nowhere = createAtlasClient({
      baseUrl: 'http://atlas-restore-test.invalid:8080', // .invalid never resolves (RFC 2606)
      auth: { kind: 'digest', publicKey: 'pubkey', privateKey: 'privkey-secret' },
      retryPolicy: { sleep: async () => {}, maxAttempts: 1 },
    });
    const error = (await nowhere.createRestoreJob({ source: src, snapshotId: w.snapshotId, target }).catch((e: unknown) => e)) as AtlasApiError;
    expect(error).toMatchObject({ errorCode: 'ATLAS_NETWORK_ERROR', transient: true });
    expect(error.detail).toMatch(/ENOTFOUND|EAI_AGAIN/);
  });
});
