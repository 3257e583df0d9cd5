// The atlasJobId index (findByJobId) through the compare-and-set, on real Redis. The script touches only the index key
// the call declares, so the call must declare the one of the job the request names once patched: these pin which
// index each kind of change writes or expires, and that a wrong declaration writes nothing.
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CAS_REQUEST } from '../../src/restore/lua/request-scripts.js';
import { runScript } from '../../src/restore/lua/run-script.js';
import { createRestoreStore, type RestoreStore } from '../../src/restore/store.js';
import { FINAL_REQUEST_STATES } from '../../src/restore/types.js';
import { connect, deleteKeys, makeRequest, randomPrefix } from './store-fixtures.js';

const prefix = randomPrefix('store-job-index');
const RETENTION = 3600;
let redis: Redis;
let store: RestoreStore;

beforeAll(() => {
  redis = connect();
  store = createRestoreStore({ redis, prefix, retentionSeconds: RETENTION });
});

afterAll(async () => {
  await deleteKeys(redis, prefix);
  await redis.quit();
});

const jobKey = (jobId: string) => `${prefix}job:${jobId}`;
const expiresWithRetention = async (key: string) => {
  const ttl = await redis.ttl(key);
  return ttl > RETENTION - 5 && ttl <= RETENTION;
};

describe('the job index through transitions', () => {
  it('a final transition expires the index of the stored job, and a later update of the record keeps it expiring', async () => {
    const req = makeRequest({ state: 'running', atlasJobId: 'job-kept' });
    await store.create(req);
    expect((await store.transition(req.id, ['running'], 'completed', { finishedAt: new Date().toISOString() })).ok).toBe(true);
    expect(await expiresWithRetention(jobKey('job-kept'))).toBe(true);
    await redis.persist(jobKey('job-kept'));
    expect((await store.update(req.id, ['completed'], { cardTs: '1.2' })).ok).toBe(true);
    expect(await expiresWithRetention(jobKey('job-kept'))).toBe(true);
    expect((await store.findByJobId('job-kept'))?.id).toBe(req.id);
  });

  it('a final transition that names another job indexes and expires the new one; the old entry no longer finds the request', async () => {
    const req = makeRequest({ state: 'running', atlasJobId: 'job-first' });
    await store.create(req);
    expect((await store.transition(req.id, ['running'], 'failed', { atlasJobId: 'job-second' })).ok).toBe(true);
    expect(await expiresWithRetention(jobKey('job-second'))).toBe(true);
    expect((await store.findByJobId('job-second'))?.id).toBe(req.id);
    expect(await store.findByJobId('job-first')).toBeNull();
  });

  it('a transition that leaves the job id alone and stays in flight touches no index', async () => {
    const req = makeRequest({ state: 'running', atlasJobId: 'job-inflight' });
    await store.create(req);
    await redis.expire(jobKey('job-inflight'), 10 * RETENTION); // a mark the run must leave as it is
    expect((await store.update(req.id, ['running'], { lastJobState: 'pending' })).ok).toBe(true);
    expect(await redis.ttl(jobKey('job-inflight'))).toBeGreaterThan(RETENTION);
  });

  it('removing the job id at the end touches no index', async () => {
    const req = makeRequest({ state: 'running', atlasJobId: 'job-removed' });
    await store.create(req);
    const result = await store.transition(req.id, ['running'], 'failed', { atlasJobId: undefined });
    expect(result.ok).toBe(true);
    expect(result.request).not.toHaveProperty('atlasJobId');
    expect(await redis.ttl(jobKey('job-removed'))).toBe(-1);
  });
});

describe('CAS_REQUEST with a wrong job index declared', () => {
  it('writes nothing and answers the job id the request names, so the caller can run it again declaring that key', async () => {
    const req = makeRequest({ state: 'running', atlasJobId: 'job-stored' });
    await store.create(req);
    const before = await redis.hgetall(`${prefix}req:${req.id}`);
    const argv = (declared: string) => [req.id, 'running', 'completed', FINAL_REQUEST_STATES.join(','), RETENTION, JSON.stringify(new Date().toISOString()), declared, '', 0];
    for (const declared of ['', 'job-believed']) {
      const keys = [`${prefix}req:${req.id}`, `${prefix}active`, ...(declared ? [jobKey(declared)] : [])];
      expect(await runScript(redis, CAS_REQUEST, keys, argv(declared))).toEqual([2, 'job-stored']);
    }
    expect(await redis.hgetall(`${prefix}req:${req.id}`)).toEqual(before);
    expect(await redis.sismember(`${prefix}active`, req.id)).toBe(1);
    expect(await redis.ttl(`${prefix}req:${req.id}`)).toBe(-1);
    expect(await redis.exists(jobKey('job-believed'))).toBe(0);
  });
});
