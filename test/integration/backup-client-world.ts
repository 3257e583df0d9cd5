// Shared setup for the client tests of collection restores, point in time and on-demand snapshots: a fake Atlas on
// a fixed clock, a client whose retry delays are recorded instead of waited, and a check after every test that each
// request the client sent fits the official OpenAPI subset.
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { createAtlasClient, type InstrumentedAtlasClient } from '../../src/atlas/client.js';
import { AtlasApiError } from '../../src/atlas/errors.js';
import { startFakeAtlas, type FakeAtlas, type FakeAtlasOptions } from '../fakes/fake-atlas.js';
import { validateRequestBody } from '../helpers/openapi-contract.js';

export const GROUP = '5e2211c17a3e5a48f5497de3';
/** The fake's clock: snapshots are made relative to it (1 h, 25 h, 49 h … before). */
export const NOW_MS = Date.parse('2026-12-02T12:00:00Z');
export const NOW_S = NOW_MS / 1000;
export const HOUR_S = 3600;

export interface BackupClientWorld {
  fake: FakeAtlas;
  client: InstrumentedAtlasClient;
  /** Retry delays the client asked for (never waited). */
  sleeps: number[];
  /** A client with a short timeout, for hang faults. */
  quickClient(timeoutMs?: number): InstrumentedAtlasClient;
  /** Authorized requests with this method (and path fragment). */
  apiRequests(method: string, pathIncludes?: string): number;
}

/** Registers the hooks; `setup` adds the test file's clusters once. */
export function useBackupClientWorld(setup: (fake: FakeAtlas) => void, opts: FakeAtlasOptions = {}): BackupClientWorld {
  const world = { sleeps: [] as number[] } as BackupClientWorld;
  const makeClient = (timeoutMs = 2000) =>
    createAtlasClient({
      baseUrl: world.fake.url,
      auth: { kind: 'digest', publicKey: world.fake.publicKey, privateKey: world.fake.privateKey },
      timeoutMs,
      pageSize: 2,
      retryPolicy: { sleep: async (ms) => void world.sleeps.push(ms), random: () => 0.5, baseDelayMs: 100 },
    });
  // Each hang costs it in full; its ordinary exchanges (the Digest challenge of a new client) must fit in it too.
  world.quickClient = (timeoutMs = 500) => makeClient(timeoutMs);
  world.apiRequests = (method, pathIncludes) =>
    world.fake.requests.filter((r) => r.authorized && r.method === method && (pathIncludes === undefined || r.path.includes(pathIncludes))).length;

  beforeAll(async () => {
    world.fake = await startFakeAtlas({ stepsPerState: 0, now: () => NOW_MS, ...opts });
    setup(world.fake);
    world.client = makeClient();
  });
  afterAll(async () => {
    await world.fake.close();
  });
  beforeEach(() => {
    world.sleeps.length = 0;
    world.fake.reset();
  });
  afterEach(() => {
    const problems = world.fake.requests
      .filter((r) => r.path.startsWith('/api/atlas/'))
      .flatMap((r) => validateRequestBody(r.method, r.path, r.headers['content-type'] ?? r.headers.accept ?? '', r.body).map((p) => `${r.method} ${r.path}: ${p}`));
    expect(problems).toEqual([]);
  });
  return world;
}

/** The rejection of `promise`, which must be an AtlasApiError. */
export async function atlasError(promise: Promise<unknown>): Promise<AtlasApiError> {
  const error = await promise.then(
    () => new Error('expected the call to fail'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AtlasApiError);
  return error as AtlasApiError;
}
