// The setup of the Atlas client's fault tests: the fake Atlas with a dedicated source (2 snapshots) and target, and a
// client whose retry waits are recorded, not slept. Each test starts on a fresh client whose Digest challenge is
// cached, with no fault and no unfinished restore job left by the test before.
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { createAtlasClient, type InstrumentedAtlasClient } from '../../src/atlas/client.js';
import { startFakeAtlas, type FakeAtlas } from '../fakes/fake-atlas.js';

export const GROUP = '5e2211c17a3e5a48f5497de3';
export const src = { groupId: GROUP, clusterName: 'orders', type: 'dedicated' as const };
export const target = { groupId: GROUP, clusterName: 'orders-staging' };

export interface AtlasFaultWorld {
  fake: FakeAtlas;
  /** This test's client (2 s timeout). */
  client: InstrumentedAtlasClient;
  /** The waits the retries asked for, in order (random 0.5, base 100 ms). */
  sleeps: number[];
  /** A completed snapshot of the source. */
  snapshotId: string;
  /** Another client like this test's, with its own timeout (its waits recorded in `sleeps` too). */
  makeClient(timeoutMs?: number): InstrumentedAtlasClient;
  /** Authorised requests of `method` the fake received (Digest challenges left out). */
  apiRequests(method: string): number;
}

export function useAtlasFaultWorld(): AtlasFaultWorld {
  const world = {
    sleeps: [] as number[],
    makeClient(timeoutMs = 2000): InstrumentedAtlasClient {
      return createAtlasClient({
        baseUrl: world.fake.url,
        auth: { kind: 'digest', publicKey: world.fake.publicKey, privateKey: world.fake.privateKey },
        timeoutMs,
        // Delays are recorded, not waited: the tests never sleep.
        retryPolicy: { sleep: async (ms) => void world.sleeps.push(ms), random: () => 0.5, baseDelayMs: 100 },
      });
    },
    apiRequests: (method: string): number => world.fake.requests.filter((r) => r.method === method && r.authorized).length,
  } as AtlasFaultWorld;
  beforeAll(async () => {
    world.fake = await startFakeAtlas({ stepsPerState: 0 });
    world.fake.addCluster({ groupId: GROUP, name: 'orders', type: 'dedicated', snapshots: 2 });
    world.fake.addCluster({ groupId: GROUP, name: 'orders-staging', type: 'dedicated', snapshots: 0 });
    world.snapshotId = String(world.fake.snapshots(GROUP, 'orders')[0]!.id);
  });
  afterAll(async () => {
    await world.fake?.close();
  });
  beforeEach(async () => {
    world.sleeps.length = 0;
    world.fake.reset(); // no fault of a previous test may leak into this one
    world.client = world.makeClient();
    await world.client.listSnapshots(src); // primes the Digest challenge
    for (const job of world.fake.restoreJobs(GROUP, 'orders')) world.fake.advanceJob(String(job.id), 'completed');
    world.fake.reset();
  });
  return world;
}
