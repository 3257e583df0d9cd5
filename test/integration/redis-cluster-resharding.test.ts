// The store's scripts on a real 3-master Redis Cluster while the prefix's slot moves to another master. Redis checks
// the keys a script declares before running it (and answers ASK or TRYAGAIN, which ioredis follows), but a key the
// script reaches without declaring it fails the script half-way, after its earlier writes landed. So a transition
// that lands during a resharding must either wait for the move or run whole; never leave half a transition behind.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisClient, type RedisClient } from '../../src/redis/redis-client.js';
import { createRestoreStore, type RestoreStore } from '../../src/restore/store.js';
import { beginSlotMove, startCluster, type SlotMove } from '../helpers/redis-cluster.js';
import { RedisGroup, skipUnless, type RedisProcess } from '../helpers/redis-servers.js';
import { waitFor } from '../helpers/wait-for.js';
import { makeRequest } from './store-fixtures.js';

const canRun = skipUnless('redis-cluster-resharding', ['redis-server', 'redis-cli'], 'it starts three cluster nodes and moves a slot between them');
const RETENTION = 3600;

describe.skipIf(!canRun)('the store while its slot is resharded', () => {
  const group = new RedisGroup();
  const prefix = `{test-${randomBytes(4).toString('hex')}}:`;
  let nodes: RedisProcess[] = [];
  let redis: RedisClient;
  let store: RestoreStore;

  beforeAll(async () => {
    nodes = await startCluster(group);
    // The app's own client for a Cluster: its redirection and TRYAGAIN handling is what is under test.
    redis = createRedisClient({ topology: { kind: 'cluster', nodes: [{ host: '127.0.0.1', port: nodes[0]!.port }] }, url: 'redis://127.0.0.1', tlsCaFile: undefined }, 'commands');
    await redis.connect();
    store = createRestoreStore({ redis, prefix, retentionSeconds: RETENTION });
  }, 60_000);
  afterAll(async () => {
    redis?.disconnect();
    await group.cleanup();
  });

  /**
   * Starts `change` once the slot is marked as moving, lets it reach Redis (it settles, or the source has answered
   * TRYAGAIN because the keys it declares are not all there), then completes the move and returns what it gave.
   * ioredis retries a TRYAGAIN for about 1.6 s (16 tries, 100 ms apart): far longer than completing the move takes.
   */
  async function duringMove<T>(change: () => Promise<T>, beforeChange: (move: SlotMove) => Promise<void> = async () => undefined): Promise<T> {
    const move = await beginSlotMove(nodes, prefix);
    try {
      await beforeChange(move);
      const tryAgainBefore = await move.tryAgainCount();
      let settled = false;
      const outcome = change().then(
        (value) => ({ value }),
        (error: unknown) => ({ error }),
      );
      void outcome.then(() => (settled = true));
      await waitFor(async () => settled || (await move.tryAgainCount()) > tryAgainBefore, { message: 'the change to settle or be told TRYAGAIN' });
      await move.finish();
      const result = await outcome;
      if ('error' in result) throw result.error;
      return result.value;
    } finally {
      await move.finish();
    }
  }

  it('a transition to running that indexes its atlasJobId lands whole, and findByJobId finds it', async () => {
    const req = makeRequest({ state: 'submitting' });
    await store.create(req);
    const result = await duringMove(() => store.transition(req.id, ['submitting'], 'running', { atlasJobId: 'job-moving-1' }));
    expect(result.ok).toBe(true);
    expect(result.request).toMatchObject({ state: 'running', atlasJobId: 'job-moving-1' });
    expect((await store.findByJobId('job-moving-1'))?.id).toBe(req.id);
    expect((await store.listActive()).map((r) => r.id)).toContain(req.id);
  });

  it('a final transition whose job index already moved expires both and leaves the active set', async () => {
    const req = makeRequest({ state: 'running', atlasJobId: 'job-moving-2' });
    await store.create(req);
    // Mid-move: the index key is on the destination, the request and the active set still on the source.
    const result = await duringMove(
      () => store.transition(req.id, ['running'], 'completed', { finishedAt: new Date().toISOString() }),
      (move) => move.migrate([`${prefix}job:job-moving-2`]),
    );
    expect(result.ok).toBe(true);
    expect(result.request?.state).toBe('completed');
    for (const key of [`${prefix}req:${req.id}`, `${prefix}job:job-moving-2`]) {
      expect(await redis.ttl(key)).toBeGreaterThan(RETENTION - 60);
    }
    expect((await store.listActive()).map((r) => r.id)).not.toContain(req.id);
    expect((await store.findByJobId('job-moving-2'))?.state).toBe('completed');
  });

  it('a change that touches no job index runs at once on the source: it declares no key the source lacks', async () => {
    const req = makeRequest({ state: 'running', atlasJobId: 'job-moving-4' });
    await store.create(req);
    const move = await beginSlotMove(nodes, prefix);
    try {
      const tryAgainBefore = await move.tryAgainCount();
      expect((await store.update(req.id, ['running'], { lastJobState: 'pending' })).ok).toBe(true);
      expect(await move.tryAgainCount()).toBe(tryAgainBefore);
    } finally {
      await move.finish();
    }
    expect((await store.get(req.id))?.lastJobState).toBe('pending');
  });

});
