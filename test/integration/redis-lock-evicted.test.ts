// A target lock gone while its restore still runs: evicted (a volatile-* policy drops keys with a TTL first, and the
// lock is one), lapsed through a Redis outage longer than its TTL, or deleted by hand. Until now the tracker's refresh
// only said "no longer held" and went on, and the next request into that target was let in: two restores into one
// target. The refresh takes a missing lock again while the request it guards is submitting or running, in the same
// script as the check of the request's state, so an ended request never takes its target back.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisClient, type RedisClient } from '../../src/redis/redis-client.js';
import { createRestoreStore, type RestoreStore } from '../../src/restore/store.js';
import { sampleRequest } from '../helpers/sample-request.js';

const prefix = `{lock-evicted-${randomUUID()}}:`;
let redis: RedisClient;
let store: RestoreStore;

beforeAll(async () => {
  redis = createRedisClient({ topology: { kind: 'standalone' }, url: 'redis://127.0.0.1:6379', tlsCaFile: undefined }, 'commands');
  redis.on('error', () => undefined);
  await redis.connect();
  store = createRestoreStore({ redis, prefix });
});

afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

const lockKey = (req: { target: { groupId: string; cluster: string } }) => `${prefix}lock:${req.target.groupId}:${req.target.cluster}`;

describe('a target lock gone under its restore', () => {
  it.each(['running', 'submitting'] as const)('the refresh of a %s request takes it again, and the next request into the target waits', async (state) => {
    const req = sampleRequest({ id: `RR-EVIC${state === 'running' ? 'R1' : 'S1'}`, state, target: { project: 'shop', groupId: '5e2211c17a3e5a48f5497de3', cluster: `orders-${state}` } });
    await store.create(req);
    expect(await store.acquireTargetLock(req.target, req.id, 3600)).toEqual({ ok: true });
    await redis.del(lockKey(req)); // what eviction does

    expect(await store.refreshTargetLock(req.target, req.id, 3600)).toBe(true);
    expect(await store.acquireTargetLock(req.target, 'RR-NEXT01', 3600)).toMatchObject({ ok: false, holder: req.id });
    expect(await redis.ttl(lockKey(req))).toBeGreaterThan(3500);
  });

  it('an ended request does not take its target back, nor does a lock held by another request change hands', async () => {
    const ended = sampleRequest({ id: 'RR-ENDED1', state: 'completed', target: { project: 'shop', groupId: '5e2211c17a3e5a48f5497de3', cluster: 'orders-ended' } });
    await store.create(ended);
    expect(await store.refreshTargetLock(ended.target, ended.id, 3600)).toBe(false);
    expect(await redis.exists(lockKey(ended))).toBe(0);

    const running = sampleRequest({ id: 'RR-LATE01', state: 'running', target: { project: 'shop', groupId: '5e2211c17a3e5a48f5497de3', cluster: 'orders-taken' } });
    await store.create(running);
    expect(await store.acquireTargetLock(running.target, 'RR-OTHER2', 3600)).toEqual({ ok: true });
    expect(await store.refreshTargetLock(running.target, running.id, 3600)).toBe(false);
    expect(await store.acquireTargetLock(running.target, 'RR-OTHER2', 3600)).toEqual({ ok: true });

    // A lock whose request is gone (a holder id only) is not taken either.
    const target = { project: 'shop', groupId: '5e2211c17a3e5a48f5497de3', cluster: 'orders-nobody' };
    expect(await store.refreshTargetLock(target, 'RR-NOBODY', 3600)).toBe(false);
    expect(await redis.exists(`${prefix}lock:${target.groupId}:${target.cluster}`)).toBe(0);
  });
});
