// A service account's restore POST and its token: could Atlas have created the job? A token request that fails sent
// no POST at all; a POST refused 401 (its token expired or revoked on the way) created nothing and is sent once more
// with a fresh token; only a POST that went out with a live token and lost its answer is an unknown outcome.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAtlasClient, type InstrumentedAtlasClient } from '../../src/atlas/client.js';
import { AtlasApiError } from '../../src/atlas/errors.js';
import { classifyAtlasError } from '../../src/restore/classify-atlas-error.js';
import { startAuthLegProxy, type AuthLegProxy } from '../fakes/auth-leg-proxy.js';
import { startFakeAtlas, type FakeAtlas } from '../fakes/fake-atlas.js';

const GROUP = '5e2211c17a3e5a48f5497de3';
const source = { groupId: GROUP, clusterName: 'orders', type: 'dedicated' as const };
const target = { groupId: GROUP, clusterName: 'orders-staging' };
const TOKEN_PATH = '/api/oauth/token';
const TOKEN_TTL_S = 3600;

let fake: FakeAtlas;
let proxy: AuthLegProxy;
/** Atlas's clock, and the bot's: apart, a token can be dead at Atlas while the bot still holds it for live. */
let atlasClock: number;
let botClock: number;
let client: InstrumentedAtlasClient;
let snapshotId: string;

const create = () => client.createRestoreJob({ source, snapshotId, target });
const failureOf = async (call: Promise<unknown>): Promise<AtlasApiError> => {
  const error = await call.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(AtlasApiError);
  return error as AtlasApiError;
};
const restorePosts = () => fake.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/restoreJobs'));
const tokenRequests = () => fake.requests.filter((r) => r.path === TOKEN_PATH);
const jobs = () => fake.restoreJobs(GROUP, 'orders');

beforeEach(async () => {
  atlasClock = botClock = Date.now();
  fake = await startFakeAtlas({ tokenTtlSeconds: TOKEN_TTL_S, now: () => atlasClock, stepsPerState: 0 });
  fake.addCluster({ groupId: GROUP, name: 'orders', type: 'dedicated', snapshots: 2 });
  fake.addCluster({ groupId: GROUP, name: 'orders-staging', type: 'dedicated', snapshots: 0 });
  snapshotId = String(fake.snapshots(GROUP, 'orders')[0]!.id);
  proxy = await startAuthLegProxy(fake.url);
  client = createAtlasClient({
    baseUrl: proxy.url,
    auth: { kind: 'serviceAccount', clientId: fake.clientId, clientSecret: fake.clientSecret },
    // Long enough for a loaded CI machine to answer the calls that succeed; the hangs wait for it in full.
    timeoutMs: 2000,
    now: () => botClock,
    retryPolicy: { sleep: async () => undefined },
  });
  await client.listSnapshots(source); // the client holds a token
});
afterEach(async () => {
  await proxy.close();
  await fake.close();
});

describe('the token expires between its fetch and the restore POST', () => {
  it('Atlas refuses the POST 401: a fresh token, the POST once more, one job', async () => {
    atlasClock += TOKEN_TTL_S * 1000 + 1000; // dead at Atlas; the bot's clock says it has minutes left
    const job = await create();
    expect(restorePosts().map((r) => r.status)).toEqual([401, 200]);
    expect(restorePosts()[0]!.body).toEqual(restorePosts()[1]!.body);
    expect(tokenRequests()).toHaveLength(2);
    expect(jobs().map((j) => String(j.id))).toEqual([job.id]);
  });

  it('the fresh token is refused too: no third POST, a credentials problem, nothing created', async () => {
    fake.revokeTokens();
    // Each new token is revoked as soon as it is issued (the service account lost its access meanwhile).
    proxy.onAnswer((leg) => {
      if (leg.path === TOKEN_PATH) fake.revokeTokens();
    });
    const error = await failureOf(create());
    expect(error).toMatchObject({ status: 401 });
    expect(error.hint).toMatch(/service account/);
    expect(classifyAtlasError(error).kind).toBe('wait');
    expect(restorePosts()).toHaveLength(2);
    expect(jobs()).toHaveLength(0);
  });

  it('the refresh after the 401 never answers: nothing created, the submission waits and posts again later', async () => {
    fake.revokeTokens();
    proxy.inject({ kind: 'hang', leg: 'signed', pathIncludes: TOKEN_PATH });
    const error = await failureOf(create());
    expect(error).toMatchObject({ errorCode: 'ATLAS_TIMEOUT', transient: true });
    expect(classifyAtlasError(error).kind).toBe('wait');
    expect(restorePosts().map((r) => r.status)).toEqual([401]);
    await create();
    expect(jobs()).toHaveLength(1);
  });
});

describe('the token request fails before any POST', () => {
  it("its answer is lost (the token was issued, the bot never got it): no POST went out, not an unknown outcome", async () => {
    botClock += TOKEN_TTL_S * 1000; // the bot must fetch a new token first
    atlasClock = botClock;
    proxy.inject({ kind: 'dropAnswer', leg: 'signed', pathIncludes: TOKEN_PATH });
    const error = await failureOf(create());
    expect(error).toMatchObject({ errorCode: 'ATLAS_NETWORK_ERROR', transient: true, request: `POST ${TOKEN_PATH}` });
    expect(classifyAtlasError(error).kind).toBe('wait');
    expect(restorePosts()).toHaveLength(0);
    await create();
    expect(restorePosts().map((r) => r.status)).toEqual([200]);
    expect(jobs()).toHaveLength(1);
  });

  it("a proxy's 502 page for the token request: no POST, a passing fault", async () => {
    botClock += TOKEN_TTL_S * 1000;
    atlasClock = botClock;
    proxy.inject({ kind: 'status', status: 502, leg: 'signed', pathIncludes: TOKEN_PATH });
    const error = await failureOf(create());
    expect(error.errorCode).not.toBe('ATLAS_CREATE_OUTCOME_UNKNOWN');
    expect(error).toMatchObject({ status: 502, transient: true });
    expect(classifyAtlasError(error).kind).toBe('wait');
    expect(restorePosts()).toHaveLength(0);
  });
});

describe('the POST went out with a live token', () => {
  it('its answer is lost: unknown outcome, and the job exists once', async () => {
    proxy.inject({ kind: 'dropAnswer', leg: 'signed', method: 'POST', pathIncludes: '/restoreJobs' });
    const error = await failureOf(create());
    expect(error).toMatchObject({ errorCode: 'ATLAS_CREATE_OUTCOME_UNKNOWN', transient: true });
    expect(restorePosts()).toHaveLength(1);
    expect(jobs()).toHaveLength(1);
  });
});
