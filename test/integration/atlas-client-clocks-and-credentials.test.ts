// A year against real Atlas: a bot whose clock is off, a 429 that names a date, a service-account token revoked in
// the middle of a long restore, credentials that stop working. Each against the fake, with real HTTP.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAtlasClient, type InstrumentedAtlasClient } from '../../src/atlas/client.js';
import { AtlasApiError } from '../../src/atlas/errors.js';
import { startFakeAtlas, type FakeAtlas } from '../fakes/fake-atlas.js';

const GROUP = '5e2211c17a3e5a48f5497de3';
const flex = { groupId: GROUP, clusterName: 'orders', type: 'flex' as const };

let fake: FakeAtlas;
let sleeps: number[];

const failureOf = async (call: Promise<unknown>): Promise<AtlasApiError> => {
  const error = await call.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(AtlasApiError);
  return error as AtlasApiError;
};
const tokenPosts = () => fake.requests.filter((r) => r.path === '/api/oauth/token').length;

beforeEach(async () => {
  sleeps = [];
  fake = await startFakeAtlas();
  fake.addCluster({ groupId: GROUP, name: 'orders', type: 'flex', snapshots: 2 });
});
afterEach(async () => {
  await fake.close();
});

function digestClient(opts: { now?: () => number; privateKey?: string } = {}): InstrumentedAtlasClient {
  return createAtlasClient({
    baseUrl: fake.url,
    auth: { kind: 'digest', publicKey: fake.publicKey, privateKey: opts.privateKey ?? fake.privateKey },
    retryPolicy: { sleep: async (ms) => void sleeps.push(ms) },
    ...(opts.now ? { now: opts.now } : {}),
  });
}

function serviceAccountClient(opts: { now?: () => number; clientSecret?: string } = {}): InstrumentedAtlasClient {
  return createAtlasClient({
    baseUrl: fake.url,
    auth: { kind: 'serviceAccount', clientId: fake.clientId, clientSecret: opts.clientSecret ?? fake.clientSecret },
    retryPolicy: { sleep: async (ms) => void sleeps.push(ms) },
    ...(opts.now ? { now: opts.now } : {}),
  });
}

describe('Retry-After as an HTTP date, from a server whose clock is not ours', () => {
  const inTwoSeconds = () => new Date(Math.ceil(Date.now() / 1000) * 1000 + 2000).toUTCString();

  it('a bot clock two minutes fast still waits what Atlas asked, instead of retrying at once', async () => {
    const client = digestClient({ now: () => Date.now() + 120_000 });
    fake.inject({ kind: 'status', status: 429, errorCode: 'RATE_LIMITED', retryAfter: inTwoSeconds(), method: 'GET' });
    expect(await client.listSnapshots(flex)).toHaveLength(2);
    expect(sleeps).toHaveLength(1);
    // Measured against the answer's Date (whole seconds): between 1 and 3 s, never 0.
    expect(sleeps[0]).toBeGreaterThanOrEqual(1000);
    expect(sleeps[0]).toBeLessThanOrEqual(3000);
  });

  it('a bot clock two minutes slow does not take a short wait for one too long to wait (and give up)', async () => {
    const client = digestClient({ now: () => Date.now() - 120_000 });
    fake.inject({ kind: 'status', status: 429, errorCode: 'RATE_LIMITED', retryAfter: inTwoSeconds(), method: 'GET' });
    expect(await client.listSnapshots(flex)).toHaveLength(2);
    expect(sleeps[0]).toBeLessThanOrEqual(3000);
  });

  it("the token endpoint's dated Retry-After is read the same way", async () => {
    const client = serviceAccountClient({ now: () => Date.now() + 120_000 });
    fake.inject({ kind: 'status', status: 429, retryAfter: inTwoSeconds(), pathIncludes: '/api/oauth/token' });
    expect(await client.listSnapshots(flex)).toHaveLength(2);
    expect(sleeps[0]).toBeGreaterThanOrEqual(1000);
  });
});

describe('a service-account token revoked in the middle of a long restore', () => {
  it('20 polls at once refused with invalid_token fetch one new token, and each is sent again once', async () => {
    const client = serviceAccountClient();
    await client.listSnapshots(flex);
    fake.revokeTokens();
    fake.reset();
    const results = await Promise.all(Array.from({ length: 20 }, () => client.listSnapshots(flex)));
    expect(results.every((r) => r.length === 2)).toBe(true);
    expect(tokenPosts()).toBe(1);
    const api = fake.requests.filter((r) => r.path !== '/api/oauth/token');
    expect(api.filter((r) => r.status === 401)).toHaveLength(20);
    expect(api.filter((r) => r.authorized)).toHaveLength(20);
  });

  it('a bot clock that jumps back an hour keeps a dead token for longer: Atlas refuses it, one refresh heals it', async () => {
    let skew = 0;
    const client = serviceAccountClient({ now: () => Date.now() + skew });
    await client.listSnapshots(flex);
    fake.revokeTokens(); // what Atlas does with a token that is, by its clock, past its hour
    skew = -3_600_000;
    expect(await client.listSnapshots(flex)).toHaveLength(2);
    expect(tokenPosts()).toBe(2);
  });

  it("a rate-limited early refresh is not asked again before its Retry-After while the current token still works", async () => {
    let clock = Date.now();
    const client = serviceAccountClient({ now: () => clock });
    await client.listSnapshots(flex);
    clock += 3600_000 - 50_000; // 50 s left: due for its early refresh
    fake.inject({ kind: 'status', status: 429, retryAfterSeconds: 30, pathIncludes: '/api/oauth/token', count: 100 });
    for (let i = 0; i < 10; i++) await client.listSnapshots(flex);
    expect(tokenPosts()).toBe(2); // the first fetch and one refresh, not one per call
    expect(fake.stats().rejected).toBe(0);
    fake.reset(); // the token endpoint answers again
    clock += 31_000; // the wait is over (19 s left): the next call refreshes
    await client.listSnapshots(flex);
    expect(tokenPosts()).toBe(1);
  });

  it('a rotated secret: the refusal names the variables to fix, and the secret is in no message', async () => {
    const client = serviceAccountClient({ clientSecret: 'mdb_sa_sk_ROTATED_AWAY' });
    const error = await failureOf(client.listSnapshots(flex));
    expect(error).toMatchObject({ status: 401, errorCode: 'OAUTH_INVALID_CLIENT', transient: false });
    expect(error.hint).toMatch(/ATLAS_CLIENT_ID and ATLAS_CLIENT_SECRET/);
    expect(JSON.stringify({ message: error.message, hint: error.hint, detail: error.detail })).not.toMatch(/ROTATED_AWAY/);
    expect(tokenPosts()).toBe(1);
  });

  it('the token endpoint hanging past the timeout is a passing fault that names the token endpoint', async () => {
    const client = createAtlasClient({
      baseUrl: fake.url,
      auth: { kind: 'serviceAccount', clientId: fake.clientId, clientSecret: fake.clientSecret },
      timeoutMs: 300,
      retryPolicy: { sleep: async (ms) => void sleeps.push(ms), maxAttempts: 1 },
    });
    fake.inject({ kind: 'hang', pathIncludes: '/api/oauth/token' });
    const error = await failureOf(client.listSnapshots(flex));
    expect(error).toMatchObject({ errorCode: 'ATLAS_TIMEOUT', transient: true, request: 'POST /api/oauth/token' });
    expect(error.detail).toMatch(/token endpoint/);
  });
});

describe('an API key that stops working', () => {
  it('a wrong private key: the hint names ATLAS_PUBLIC_KEY and ATLAS_PRIVATE_KEY, and the key is in no message', async () => {
    const client = digestClient({ privateKey: 'not-the-private-key-42' });
    const error = await failureOf(client.listSnapshots(flex));
    expect(error.status).toBe(401);
    expect(error.hint).toMatch(/ATLAS_PUBLIC_KEY and ATLAS_PRIVATE_KEY/);
    expect(JSON.stringify({ message: error.message, hint: error.hint, detail: error.detail })).not.toMatch(/not-the-private-key-42/);
  });
});
