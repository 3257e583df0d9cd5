// Service-account (OAuth client credentials) auth against the fake Atlas: token reuse, shared refresh, 401 recovery.
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAtlasClient, type InstrumentedAtlasClient } from '../../src/atlas/client.js';
import { AtlasApiError } from '../../src/atlas/errors.js';
import { startFakeAtlas, type FakeAtlas } from '../fakes/fake-atlas.js';

const GROUP = '5e2211c17a3e5a48f5497de3';
const cluster = { groupId: GROUP, clusterName: 'orders', type: 'flex' as const };

let fake: FakeAtlas;
let clock: number;
let client: InstrumentedAtlasClient;
let sleeps: number[];
let logLines: string[];

beforeEach(async () => {
  clock = Date.now();
  sleeps = [];
  logLines = [];
  fake = await startFakeAtlas({ tokenTtlSeconds: 3600, now: () => clock });
  fake.addCluster({ groupId: GROUP, name: 'orders', type: 'flex', snapshots: 2 });
  client = createAtlasClient({
    baseUrl: fake.url,
    auth: { kind: 'serviceAccount', clientId: fake.clientId, clientSecret: fake.clientSecret },
    now: () => clock,
    // Delays are recorded, not waited: the tests never sleep.
    retryPolicy: { sleep: async (ms) => void sleeps.push(ms) },
    logger: pino({ level: 'warn' }, { write: (line: string) => void logLines.push(line) }),
  });
});
afterEach(async () => {
  await fake.close();
});

const tokenPosts = () => fake.requests.filter((r) => r.path === '/api/oauth/token');
const apiBearers = (from = 0) => fake.requests.slice(from).filter((r) => r.path !== '/api/oauth/token').map((r) => r.headers.authorization);

describe('service account auth', () => {
  it('fetches one token for 30 concurrent first calls and reuses it', async () => {
    await Promise.all(Array.from({ length: 30 }, () => client.listSnapshots(cluster)));
    expect(tokenPosts()).toHaveLength(1);
    const [post] = tokenPosts();
    expect(post!.method).toBe('POST');
    expect(post!.headers.authorization).toBe(`Basic ${Buffer.from(`${fake.clientId}:${fake.clientSecret}`).toString('base64')}`);
    expect(post!.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    expect(post!.body).toBe('grant_type=client_credentials');

    for (let i = 0; i < 10; i++) await client.listSnapshots(cluster);
    expect(tokenPosts()).toHaveLength(1);
    const api = fake.requests.filter((r) => r.path !== '/api/oauth/token');
    expect(api.every((r) => r.authorized && /^Bearer /.test(r.headers.authorization ?? ''))).toBe(true);
    expect(client.stats()).toMatchObject({ tokenRequests: 1, httpRequests: 40 });
  });

  it('refreshes about a minute before expiry, once for concurrent callers', async () => {
    await client.listSnapshots(cluster);
    clock += 3600_000 - 90_000; // 90 s left: still used
    await client.listSnapshots(cluster);
    expect(tokenPosts()).toHaveLength(1);
    clock += 40_000; // 50 s left: refreshed before Atlas would refuse it
    await Promise.all(Array.from({ length: 20 }, () => client.listSnapshots(cluster)));
    expect(tokenPosts()).toHaveLength(2);
    expect(fake.stats().rejected).toBe(0);
  });

  it('keeps the current token when its early refresh fails, and refreshes on a later call', async () => {
    await client.listSnapshots(cluster);
    const [bearer] = apiBearers();
    clock += 3570_000; // 30 s left: due for a refresh, still accepted by Atlas
    fake.inject({ kind: 'status', status: 503, pathIncludes: '/api/oauth/token' });
    const before = fake.requests.length;
    await Promise.all(Array.from({ length: 20 }, () => client.listSnapshots(cluster)));
    expect(tokenPosts()).toHaveLength(2); // one refresh for all 20, and no retries of it
    expect(sleeps).toEqual([]);
    expect(apiBearers(before)).toEqual(Array.from({ length: 20 }, () => bearer));
    expect(logLines.filter((line) => line.includes('could not refresh'))).toHaveLength(1);
    // The token endpoint is back: the next call refreshes and uses the new token.
    const after = fake.requests.length;
    await client.listSnapshots(cluster);
    expect(tokenPosts()).toHaveLength(3);
    expect(apiBearers(after)).toHaveLength(1);
    expect(apiBearers(after)[0]).not.toBe(bearer);
    expect(fake.stats().rejected).toBe(0);
  });

  it('fails when the refresh fails and the current token is (nearly) expired', async () => {
    await client.listSnapshots(cluster);
    clock += 3596_000; // 4 s left: too close to send it
    fake.inject({ kind: 'status', status: 503, pathIncludes: '/api/oauth/token', count: 100 });
    const before = fake.requests.length;
    const error = (await client.listSnapshots(cluster).catch((e: unknown) => e)) as AtlasApiError;
    expect(error).toBeInstanceOf(AtlasApiError);
    expect(error).toMatchObject({ status: 503, transient: true });
    expect(apiBearers(before)).toEqual([]); // the old token was not sent
  });

  it('drops a token the API refuses and retries once with a new one', async () => {
    await client.listSnapshots(cluster);
    fake.inject({ kind: 'status', status: 401, errorCode: 'USER_UNAUTHORIZED', method: 'GET' });
    expect(await client.listSnapshots(cluster)).toHaveLength(2);
    expect(tokenPosts()).toHaveLength(2);
  });

  it('reports bad client credentials as 401 with a hint and no secret', async () => {
    const bad = createAtlasClient({ baseUrl: fake.url, auth: { kind: 'serviceAccount', clientId: fake.clientId, clientSecret: 'mdb_sa_sk_WRONG_secret' } });
    const error = (await bad.listSnapshots(cluster).catch((e: unknown) => e)) as AtlasApiError;
    expect(error).toBeInstanceOf(AtlasApiError);
    expect(error).toMatchObject({ status: 401, errorCode: 'OAUTH_INVALID_CLIENT', transient: false });
    expect(error.hint).toMatch(/credentials/);
    expect(`${error.message} ${error.hint} ${error.detail ?? ''}`).not.toMatch(/WRONG_secret/);
    expect(tokenPosts()).toHaveLength(1);
  });

  it('a create whose token could not be had sent nothing: a plain passing fault, not an unknown outcome', async () => {
    const [snapshot] = await client.listSnapshots(cluster);
    const target = { groupId: GROUP, clusterName: 'orders' };
    fake.revokeTokens(); // the POST is refused with 401, the refresh then fails
    fake.inject({ kind: 'status', status: 503, pathIncludes: '/api/oauth/token' });
    const error = (await client.createRestoreJob({ source: cluster, snapshotId: snapshot!.id, target }).catch((e: unknown) => e)) as AtlasApiError;
    expect(error).toBeInstanceOf(AtlasApiError);
    expect(error).toMatchObject({ status: 503, transient: true });
    expect(error.errorCode).not.toBe('ATLAS_CREATE_OUTCOME_UNKNOWN');
    expect(fake.restoreJobs(GROUP, 'orders')).toHaveLength(0);
    // A fresh client whose very first token request fails: the restore POST never went out.
    const fresh = createAtlasClient({ baseUrl: fake.url, auth: { kind: 'serviceAccount', clientId: fake.clientId, clientSecret: fake.clientSecret } });
    fake.inject({ kind: 'reset', pathIncludes: '/api/oauth/token' });
    const before = fake.requests.length;
    const unreached = (await fresh.createRestoreJob({ source: cluster, snapshotId: snapshot!.id, target }).catch((e: unknown) => e)) as AtlasApiError;
    expect(unreached).toMatchObject({ errorCode: 'ATLAS_NETWORK_ERROR', transient: true });
    expect(fake.requests.slice(before).map((r) => r.path)).toEqual(['/api/oauth/token']);
    // Once the token endpoint answers, the same create goes through, once.
    await client.createRestoreJob({ source: cluster, snapshotId: snapshot!.id, target });
    expect(fake.restoreJobs(GROUP, 'orders')).toHaveLength(1);
  });

  it("waits the Retry-After of a rate-limited token request, as for any Atlas answer", async () => {
    fake.inject({ kind: 'status', status: 429, retryAfterSeconds: 7, pathIncludes: '/api/oauth/token' });
    expect(await client.listSnapshots(cluster)).toHaveLength(2);
    expect(sleeps).toEqual([7000]);
    expect(tokenPosts()).toHaveLength(2);
    // A create is never retried here: its error carries the wait, for the submit step to honour.
    const [snapshot] = await client.listSnapshots(cluster);
    const fresh = createAtlasClient({ baseUrl: fake.url, auth: { kind: 'serviceAccount', clientId: fake.clientId, clientSecret: fake.clientSecret }, now: () => clock });
    fake.inject({ kind: 'status', status: 429, retryAfterSeconds: 7, pathIncludes: '/api/oauth/token' });
    const error = (await fresh.createRestoreJob({ source: cluster, snapshotId: snapshot!.id, target: { groupId: GROUP, clusterName: 'orders' } }).catch((e: unknown) => e)) as AtlasApiError;
    expect(error).toBeInstanceOf(AtlasApiError);
    expect(error).toMatchObject({ status: 429, errorCode: 'RATE_LIMITED', retryAfterMs: 7000, transient: true });
    expect(fake.restoreJobs(GROUP, 'orders')).toHaveLength(0);
  });

  it('rejects incomplete options with every problem at once', () => {
    expect(() => createAtlasClient({ baseUrl: 'not a url', auth: { kind: 'serviceAccount', clientId: '', clientSecret: '' }, timeoutMs: 0 })).toThrow(
      /baseUrl is not a URL: "not a url"; auth.clientId is empty; auth.clientSecret is empty; timeoutMs must be > 0, got 0/,
    );
  });
});
