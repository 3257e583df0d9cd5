// With HTTP Digest, a request whose client has no challenge yet goes out unsigned first, to be answered 401 with one.
// Atlas refuses an unsigned request, so when that leg of the restore POST fails (dropped, a proxy's 5xx, no answer),
// nothing can have been created: the submission must wait and post again, not search for a job for minutes. A leg
// signed with a cached challenge is another matter: Atlas may have acted on it, so its failure stays an unknown outcome.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAtlasClient, type InstrumentedAtlasClient } from '../../src/atlas/client.js';
import { AtlasApiError } from '../../src/atlas/errors.js';
import { classifyAtlasError } from '../../src/restore/classify-atlas-error.js';
import { startAuthLegProxy, type AuthLegProxy, type LegFault } from '../fakes/auth-leg-proxy.js';
import { parseDigestHeader } from '../fakes/fake-atlas-digest.js';
import { startFakeAtlas, type FakeAtlas } from '../fakes/fake-atlas.js';

const GROUP = '5e2211c17a3e5a48f5497de3';
const source = { groupId: GROUP, clusterName: 'orders', type: 'dedicated' as const };
const target = { groupId: GROUP, clusterName: 'orders-staging' };
const NONCE_TTL_MS = 60_000;

let fake: FakeAtlas;
let proxy: AuthLegProxy;
let clock: number;
let snapshotId: string;

/** A client through the proxy with no Digest challenge cached: its first request goes out unsigned. */
const freshClient = (privateKey = fake.privateKey): InstrumentedAtlasClient =>
  createAtlasClient({
    baseUrl: proxy.url,
    auth: { kind: 'digest', publicKey: fake.publicKey, privateKey },
    // Long enough for a loaded CI machine to answer the calls that succeed; the hangs wait for it in full.
    timeoutMs: 2000,
    now: () => clock,
    retryPolicy: { sleep: async () => undefined },
  });
const create = (client: InstrumentedAtlasClient) => client.createRestoreJob({ source, snapshotId, target });
const failureOf = async (call: Promise<unknown>): Promise<AtlasApiError> => {
  const error = await call.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(AtlasApiError);
  return error as AtlasApiError;
};
/** POSTs the fake received, and those it authenticated (the one that can create a job). */
const postsAtAtlas = () => fake.requests.filter((r) => r.method === 'POST');
const signedPostsAtAtlas = () => postsAtAtlas().filter((r) => r.authorized);
const jobs = () => fake.restoreJobs(GROUP, 'orders');

beforeEach(async () => {
  clock = Date.now();
  fake = await startFakeAtlas({ nonceTtlMs: NONCE_TTL_MS, now: () => clock, stepsPerState: 0 });
  fake.addCluster({ groupId: GROUP, name: 'orders', type: 'dedicated', snapshots: 2 });
  fake.addCluster({ groupId: GROUP, name: 'orders-staging', type: 'dedicated', snapshots: 0 });
  snapshotId = String(fake.snapshots(GROUP, 'orders')[0]!.id);
  proxy = await startAuthLegProxy(fake.url);
});
afterEach(async () => {
  await proxy.close();
  await fake.close();
});

describe('the unsigned leg of the restore POST fails', () => {
  const faults: [string, LegFault][] = [
    ['the connection is dropped before it reaches Atlas', { kind: 'reset', leg: 'unsigned', method: 'POST' }],
    ["a proxy answers 502 with a web page", { kind: 'status', status: 502, leg: 'unsigned', method: 'POST' }],
    ['a proxy answers 500 with a web page', { kind: 'status', status: 500, leg: 'unsigned', method: 'POST' }],
    ['it is never answered (timeout)', { kind: 'hang', leg: 'unsigned', method: 'POST' }],
    ["Atlas's 401 challenge is lost on the way back", { kind: 'dropAnswer', leg: 'unsigned', method: 'POST' }],
  ];

  it.each(faults)('%s: nothing was sent, the submission waits; posted again, one signed POST reaches Atlas and one job', async (_, fault) => {
    const client = freshClient();
    proxy.inject(fault);
    const error = await failureOf(create(client));
    expect(error.errorCode).not.toBe('ATLAS_CREATE_OUTCOME_UNKNOWN');
    expect(error.transient).toBe(true);
    // The submission's reading: wait and post again (its claim given back), not 'unknown' (search for the job).
    expect(classifyAtlasError(error).kind).toBe('wait');
    expect(signedPostsAtAtlas()).toHaveLength(0);
    expect(jobs()).toHaveLength(0);

    const job = await create(client);
    expect(signedPostsAtAtlas()).toHaveLength(1);
    expect(jobs().map((j) => String(j.id))).toEqual([job.id]);
  });

  it('a GET whose unsigned leg is dropped is retried as before and succeeds', async () => {
    const client = freshClient();
    proxy.inject({ kind: 'reset', leg: 'unsigned', method: 'GET' });
    expect(await client.listSnapshots(source)).toHaveLength(2);
  });
});

describe('a first leg signed with a cached challenge', () => {
  it('dropped before it reaches Atlas: the client cannot know that, so the outcome stays unknown', async () => {
    const client = freshClient();
    await client.listSnapshots(source); // caches the challenge: the POST's first leg is signed
    proxy.inject({ kind: 'reset', leg: 'signed', method: 'POST' });
    const error = await failureOf(create(client));
    expect(error).toMatchObject({ errorCode: 'ATLAS_CREATE_OUTCOME_UNKNOWN', transient: true });
    expect(classifyAtlasError(error).kind).toBe('unknown');
  });

  it('its answer lost after Atlas created the job: unknown, and the job exists once', async () => {
    const client = freshClient();
    await client.listSnapshots(source);
    proxy.inject({ kind: 'dropAnswer', leg: 'signed', method: 'POST' });
    const error = await failureOf(create(client));
    expect(error).toMatchObject({ errorCode: 'ATLAS_CREATE_OUTCOME_UNKNOWN', transient: true });
    expect(signedPostsAtAtlas()).toHaveLength(1);
    expect(jobs()).toHaveLength(1);
  });

  it('the signed leg after a successful unsigned one is lost: unknown as well (only the unsigned leg is safe)', async () => {
    const client = freshClient();
    proxy.inject({ kind: 'dropAnswer', leg: 'signed', method: 'POST' });
    const error = await failureOf(create(client));
    expect(error).toMatchObject({ errorCode: 'ATLAS_CREATE_OUTCOME_UNKNOWN', transient: true });
    expect(jobs()).toHaveLength(1);
  });
});

describe('a signed POST refused with stale=true (its nonce expired on the way)', () => {
  it('right after the challenge: sent once more with the new nonce at nc 1, one job', async () => {
    const client = freshClient();
    // The nonce the unsigned leg brought back has expired by the time the signed POST arrives.
    let jumped = false;
    proxy.onAnswer((leg) => {
      if (leg.method === 'POST' && !leg.signed && !jumped) {
        jumped = true;
        clock += NONCE_TTL_MS + 1000;
      }
    });
    const job = await create(client);
    expect(postsAtAtlas().map((r) => [r.status, r.authorized])).toEqual([[401, false], [401, false], [200, true]]);
    expect(postsAtAtlas()[1]!.answerHeaders['WWW-Authenticate'] ?? JSON.stringify(postsAtAtlas()[1]!.answerHeaders)).toMatch(/stale=true/);
    expect(parseDigestHeader(postsAtAtlas()[2]!.headers.authorization!)!.nc).toBe('00000001');
    expect(postsAtAtlas()[2]!.body).toEqual(postsAtAtlas()[0]!.body);
    expect(jobs().map((j) => String(j.id))).toEqual([job.id]);
  });

  it('stale again after the resend: no fourth POST, Atlas refused every one, nothing created', async () => {
    const client = freshClient();
    proxy.onAnswer((leg) => {
      if (leg.method === 'POST') clock += NONCE_TTL_MS + 1000;
    });
    const error = await failureOf(create(client));
    expect(error).toMatchObject({ status: 401 });
    expect(postsAtAtlas()).toHaveLength(3);
    expect(jobs()).toHaveLength(0);
  });

  it('a 401 without stale on the signed leg is the credentials: two POSTs, then the refusal', async () => {
    const error = await failureOf(create(freshClient('not-the-key')));
    expect(error).toMatchObject({ status: 401 });
    expect(error.hint).toMatch(/ATLAS_PRIVATE_KEY/);
    expect(postsAtAtlas()).toHaveLength(2);
    expect(jobs()).toHaveLength(0);
  });
});
