// The restore store on real Redis: records, compare-and-set, indexes, claims, audit, retention.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRequestId, normalizeRequestId } from '../../src/restore/request-id.js';
import { createRestoreStore, StoreError, targetKey, type RestoreStore } from '../../src/restore/store.js';
import { connect, deleteKeys, makeRequest, randomPrefix, REDIS_URL } from './store-fixtures.js';

const prefix = randomPrefix('store');
const RETENTION = 3600;
let redis: Redis;
let store: RestoreStore;

beforeAll(() => {
  redis = connect();
  store = createRestoreStore({ redis, prefix, retentionSeconds: RETENTION, auditMaxLen: 1000 });
});

afterAll(async () => {
  await deleteKeys(redis, prefix);
  await redis.quit();
});

async function expectStoreError(promise: Promise<unknown>, code: string, message?: RegExp): Promise<void> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(StoreError);
  expect((err as StoreError).code).toBe(code);
  if (message) expect((err as StoreError).message).toMatch(message);
}

describe('request ids', () => {
  it('are RR- plus 6 Crockford base32 chars, and vary', () => {
    const ids = new Set(Array.from({ length: 200 }, () => store.newRequestId()));
    for (const id of ids) expect(id).toMatch(/^RR-[0-9A-HJKMNP-TV-Z]{6}$/);
    expect(ids.size).toBeGreaterThan(190);
  });

  it('normalise what people type', () => {
    expect(normalizeRequestId('rr-7k3p2q')).toBe('RR-7K3P2Q');
    expect(normalizeRequestId('7KO1LI')).toBe('RR-7K0111');
    expect(normalizeRequestId('RR-7K3P2')).toBeNull();
    expect(normalizeRequestId('RR-7K3P2U')).toBeNull();
    expect(isRequestId('RR-7K3P2Q')).toBe(true);
  });
});

describe('create and get', () => {
  it('round-trips a request exactly, including empty arrays and odd characters', async () => {
    const req = makeRequest();
    await store.create(req);
    expect(await store.get(req.id)).toEqual(req);
    expect(await store.get('RR-NOPE00')).toBeNull();
  });

  it('refuses a duplicate id with STORE_DUPLICATE and keeps the first', async () => {
    const req = makeRequest();
    await store.create(req);
    await expectStoreError(store.create({ ...req, reason: 'second' }), 'STORE_DUPLICATE', new RegExp(req.id));
    expect((await store.get(req.id))?.reason).toBe(req.reason);
  });

  it('rejects an unstorable request naming every bad field', async () => {
    const bad = makeRequest({ id: 'has space', approvalsRequired: 0, createdAt: 'yesterday' });
    await expectStoreError(store.create(bad), 'STORE_INVALID_REQUEST', /id:.*approvalsRequired:.*createdAt:/);
  });

  it('refuses a bad prefix or an ioredis keyPrefix', () => {
    expect(() => createRestoreStore({ redis, prefix: '' })).toThrow(/prefix/);
    const prefixed = new Redis(REDIS_URL, { lazyConnect: true, keyPrefix: 'x:' });
    try {
      expect(() => createRestoreStore({ redis: prefixed, prefix })).toThrow(/keyPrefix/);
    } finally {
      prefixed.disconnect();
    }
  });
});

describe('transition and update', () => {
  it('applies the patch and the new state when the current state is allowed', async () => {
    const req = makeRequest();
    await store.create(req);
    const result = await store.transition(req.id, ['pending_approval'], 'rejected', { rejectedBy: 'U0APPROVER' });
    expect(result.ok).toBe(true);
    expect(result.request).toMatchObject({ state: 'rejected', rejectedBy: 'U0APPROVER', approvals: [] });
    expect(Date.parse(result.request!.updatedAt)).toBeGreaterThan(Date.parse(req.updatedAt));
    expect(await store.get(req.id)).toEqual(result.request);
  });

  it('refuses when the state is not in `from` and returns the current request unchanged', async () => {
    const req = makeRequest({ state: 'running' });
    await store.create(req);
    const result = await store.transition(req.id, ['pending_approval', 'approved'], 'submitting', { reason: 'x' });
    expect(result).toEqual({ ok: false, request: req });
    expect(await store.transition('RR-ABSENT', ['running'], 'failed')).toEqual({ ok: false, request: null });
  });

  it('unlessSet: refused while that field is set, in the same check as the state', async () => {
    const req = makeRequest({ state: 'submitting' });
    await store.create(req);
    expect((await store.claimField(req.id, ['submitting'], 'postStartedAt', new Date().toISOString())).ok).toBe(true);
    const refused = await store.transition(req.id, ['submitting'], 'failed', { failureReason: 'x' }, { unlessSet: 'postStartedAt' });
    expect(refused.ok).toBe(false);
    expect(refused.request).toMatchObject({ state: 'submitting' });
    expect(refused.request).not.toHaveProperty('failureReason');
    expect((await store.update(req.id, ['submitting'], { postStartedAt: undefined })).ok).toBe(true);
    expect((await store.transition(req.id, ['submitting'], 'failed', {}, { unlessSet: 'postStartedAt' })).request?.state).toBe('failed');
    await expectStoreError(store.transition(req.id, ['failed'], 'failed', { postStartedAt: 'x' }, { unlessSet: 'postStartedAt' }), 'STORE_INVALID_ARGUMENT', /unlessSet/);
  });

  it('update patches without changing the state, and an undefined field is removed', async () => {
    const req = makeRequest({ state: 'running', lastJobState: 'pending' });
    await store.create(req);
    const result = await store.update(req.id, ['running'], { cardTs: '1712345678.000100', lastJobState: undefined });
    expect(result.ok).toBe(true);
    expect(result.request?.state).toBe('running');
    expect(result.request?.cardTs).toBe('1712345678.000100');
    expect(result.request).not.toHaveProperty('lastJobState');
    expect((await store.update(req.id, ['approved'], { cardTs: 'other' })).ok).toBe(false);
  });

  it('rejects unknown states and patches of frozen fields with clear messages', async () => {
    const req = makeRequest();
    await store.create(req);
    await expectStoreError(store.transition(req.id, [], 'approved'), 'STORE_INVALID_ARGUMENT', /non-empty list/);
    await expectStoreError(
      store.transition(req.id, ['pending_approval'], 'done' as never),
      'STORE_INVALID_ARGUMENT',
      /unknown request state "done"/,
    );
    await expectStoreError(store.update(req.id, ['pending_approval'], { state: 'approved' }), 'STORE_INVALID_ARGUMENT', /"state"/);
    await expectStoreError(store.update(req.id, ['pending_approval'], { id: 'RR-OTHER1' }), 'STORE_INVALID_ARGUMENT', /"id"/);
    expect(await store.get(req.id)).toEqual(req);
  });
});

describe('indexes', () => {
  it('listActive holds exactly the requests not in a final state', async () => {
    const live = makeRequest({ state: 'approved' });
    const ending = makeRequest({ state: 'running' });
    await store.create(live);
    await store.create(ending);
    let active = (await store.listActive()).map((r) => r.id);
    expect(active).toEqual(expect.arrayContaining([live.id, ending.id]));
    await store.transition(ending.id, ['running'], 'completed', { finishedAt: new Date().toISOString() });
    active = (await store.listActive()).map((r) => r.id);
    expect(active).toContain(live.id);
    expect(active).not.toContain(ending.id);
    for (const r of await store.listActive()) expect(['completed', 'failed', 'rejected']).not.toContain(r.state);
  });

  it('listRecent is newest first, limited, and filters by requester', async () => {
    const mine = [makeRequest({ requester: 'U0RECENT1' }), makeRequest({ requester: 'U0RECENT1' }), makeRequest({ requester: 'U0RECENT1' })];
    const theirs = makeRequest({ requester: 'U0RECENT2' });
    // Insert out of order: the index sorts by createdAt, not by insertion.
    for (const r of [mine[1]!, theirs, mine[2]!, mine[0]!]) await store.create(r);
    expect((await store.listRecent(2, 'U0RECENT1')).map((r) => r.id)).toEqual([mine[2]!.id, mine[1]!.id]);
    expect((await store.listRecent(10, 'U0RECENT2')).map((r) => r.id)).toEqual([theirs.id]);
    const all = await store.listRecent(3);
    expect(all.map((r) => r.id)).toEqual([theirs.id, mine[2]!.id, mine[1]!.id]);
    await expectStoreError(store.listRecent(0), 'STORE_INVALID_ARGUMENT', /limit/);
  });

  it('listRecent skips requests whose record expired and drops them from the index', async () => {
    const gone = makeRequest({ requester: 'U0RECENT3' });
    const kept = makeRequest({ requester: 'U0RECENT3' });
    await store.create(kept);
    await store.create(gone);
    await redis.del(`${prefix}req:${gone.id}`);
    expect((await store.listRecent(5, 'U0RECENT3')).map((r) => r.id)).toEqual([kept.id]);
    expect(await redis.zscore(`${prefix}recent:by:U0RECENT3`, gone.id)).toBeNull();
  });

  it('findByJobId finds a request once atlasJobId is set through transition or update', async () => {
    const a = makeRequest({ state: 'submitting' });
    const b = makeRequest({ state: 'running' });
    await store.create(a);
    await store.create(b);
    expect(await store.findByJobId('job-a')).toBeNull();
    await store.transition(a.id, ['submitting'], 'running', { atlasJobId: 'job-a' });
    await store.update(b.id, ['running'], { atlasJobId: 'job-b' });
    expect((await store.findByJobId('job-a'))?.id).toBe(a.id);
    expect((await store.findByJobId('job-b'))?.id).toBe(b.id);
    expect(await store.findByJobId('job-unknown')).toBeNull();
  });
});

describe('retention of final requests', () => {
  it('sets a TTL of retentionSeconds on a request and its job index when it ends, none before', async () => {
    const req = makeRequest({ state: 'running', atlasJobId: 'job-ret' });
    await store.create(req);
    expect(await redis.ttl(`${prefix}req:${req.id}`)).toBe(-1);
    expect(await redis.ttl(`${prefix}job:job-ret`)).toBe(-1);
    await store.transition(req.id, ['running'], 'failed', { failureReason: 'Atlas said no' });
    for (const key of [`${prefix}req:${req.id}`, `${prefix}job:job-ret`]) {
      const ttl = await redis.ttl(key);
      expect(ttl).toBeGreaterThan(RETENTION - 5);
      expect(ttl).toBeLessThanOrEqual(RETENTION);
    }
    expect((await store.findByJobId('job-ret'))?.state).toBe('failed');
    // A later patch of the final record keeps the TTL.
    await store.update(req.id, ['failed'], { cardTs: '1.2' });
    expect(await redis.ttl(`${prefix}req:${req.id}`)).toBeGreaterThan(RETENTION - 5);
  });

  it('a request created in a final state gets the TTL and stays out of the active index', async () => {
    const req = makeRequest({ state: 'rejected' });
    await store.create(req);
    expect(await redis.ttl(`${prefix}req:${req.id}`)).toBeGreaterThan(RETENTION - 5);
    expect((await store.listActive()).map((r) => r.id)).not.toContain(req.id);
    // With a job: its index is written and gets the same TTL.
    const done = makeRequest({ state: 'completed', atlasJobId: 'job-created-final' });
    await store.create(done);
    expect(await redis.ttl(`${prefix}job:job-created-final`)).toBeGreaterThan(RETENTION - 5);
    expect((await store.findByJobId('job-created-final'))?.id).toBe(done.id);
  });
});

describe('claimOnce', () => {
  it('is true for the first caller only, also under concurrency, with the TTL set', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, () => store.claimOnce('slack:evt:1', 60)));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await store.claimOnce('slack:evt:2', 60)).toBe(true);
    const ttl = await redis.ttl(`${prefix}once:slack:evt:1`);
    expect(ttl).toBeGreaterThan(55);
    await expectStoreError(store.claimOnce('x', 0), 'STORE_INVALID_ARGUMENT', /ttlSeconds/);
  });
});

describe('claimAs', () => {
  it('gives every caller the one winner\'s value, also under concurrency; the winner gets its own back again', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => store.claimAs('drill-tick:a:02:30', `v${i}`, 60)));
    const winner = results[0]!;
    expect(new Set(results)).toEqual(new Set([winner]));
    expect(await store.claimAs('drill-tick:a:02:30', winner, 60)).toBe(winner);
    expect(await redis.ttl(`${prefix}once:drill-tick:a:02:30`)).toBeGreaterThan(55);
    await expectStoreError(store.claimAs('x', 'v', 0), 'STORE_INVALID_ARGUMENT', /ttlSeconds/);
  });
});

describe('audit', () => {
  it('appends events with one field per key and reads the newest last', async () => {
    const first = await store.audit({ type: 'requested', requestId: 'RR-AUD001', user: 'U1', detail: 'shop/orders' });
    const second = await store.audit({ type: 'approved', requestId: 'RR-AUD001', user: 'U2', at: '2026-01-01T00:00:00.000Z', extra: 'x' });
    expect(first).toMatch(/^\d+-\d+$/);
    expect(second > first || second.length > first.length).toBe(true);
    const events = await store.readAudit(2);
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({ type: 'requested', requestId: 'RR-AUD001', user: 'U1', detail: 'shop/orders' });
    expect(Date.parse(events[0]!.at!)).not.toBeNaN();
    expect(events[1]).toEqual({ type: 'approved', requestId: 'RR-AUD001', user: 'U2', at: '2026-01-01T00:00:00.000Z', extra: 'x' });
    const raw = await redis.xrange(`${prefix}audit`, second, second);
    expect(raw[0]![1]).toEqual(expect.arrayContaining(['type', 'approved', 'extra', 'x']));
    await expectStoreError(store.audit({ type: 'exploded' as never }), 'STORE_INVALID_ARGUMENT', /audit event type/);
  });
});

describe('ping and targetKey', () => {
  it('ping answers true on a live connection', async () => {
    expect(await store.ping()).toBe(true);
  });

  it('scripts still run after Redis forgot them (NOSCRIPT falls back to EVAL)', async () => {
    const req = makeRequest();
    await store.create(req);
    await redis.script('FLUSH');
    expect((await store.transition(req.id, ['pending_approval'], 'cancelled', { cancelledBy: 'U0REQUESTER' })).ok).toBe(true);
  });

  it('targetKey is groupId:cluster', () => {
    expect(targetKey({ project: 'shop', groupId: 'abc', cluster: 'orders' })).toBe('abc:orders');
  });
});

describe('auditOnce', () => {
  it('appends an event once per key, atomically, even under concurrency', async () => {
    const req = makeRequest();
    const results = await Promise.all(
      Array.from({ length: 20 }, () => store.auditOnce(`${req.id}:state:running`, { type: 'state_changed', requestId: req.id, state: 'running' })),
    );
    expect(results.filter((id) => id !== null)).toHaveLength(1);
    const entries = (await store.readAudit(1000)).filter((e) => e.requestId === req.id);
    expect(entries).toHaveLength(1);
    expect(await store.auditOnce(`${req.id}:state:completed`, { type: 'state_changed', requestId: req.id, state: 'completed' })).not.toBeNull();
    await expect(store.auditOnce('', { type: 'state_changed' })).rejects.toThrow(/once key/);
  });
});
