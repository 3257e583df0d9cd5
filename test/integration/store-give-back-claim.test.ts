// Giving back a claim of the POST that its run never heard answered (submit-step.ts): only while the claim is still
// that run's. Two runs of one job at once (a job handed on after its lock lapsed) both carry the unanswered token; the
// first gives the claim back and claims the POST anew, and the second's give-back, had it checked only the state,
// would wipe that new claim while its POST is on the way: a second POST, two restores into one target.
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRestoreStore, type RestoreStore } from '../../src/restore/store.js';
import { connect, deleteKeys, makeRequest, randomPrefix } from './store-fixtures.js';

const prefix = randomPrefix('store-give-back');
let clients: Redis[];
let stores: RestoreStore[];

beforeAll(() => {
  clients = [connect(), connect()];
  stores = clients.map((redis) => createRestoreStore({ redis, prefix }));
});
afterAll(async () => {
  await deleteKeys(clients[0]!, prefix);
  await Promise.all(clients.map((c) => c.quit()));
});

const giveBack = (store: RestoreStore, id: string, token: string) => store.giveBackField(id, ['submitting'], 'postClaim', token, ['postStartedAt', 'priorJobIds']);

describe('giving back an unanswered claim of the POST', () => {
  it('removes the claim with its fields while it is the token holder’s', async () => {
    const req = makeRequest({ state: 'submitting' });
    await stores[0]!.create(req);
    await stores[0]!.claimField(req.id, ['submitting'], 'postStartedAt', '2026-12-08T10:00:00.000Z', { postClaim: 'aaaa', priorJobIds: ['j1'] });
    const given = await giveBack(stores[1]!, req.id, 'aaaa');
    expect(given.ok).toBe(true);
    expect(given.request).toMatchObject({ state: 'submitting' });
    expect(given.request?.postStartedAt ?? given.request?.postClaim ?? given.request?.priorJobIds).toBeUndefined();
  });

  it("a second run's give-back, after the first run gave the claim back and claimed the POST anew, leaves that claim", async () => {
    const req = makeRequest({ state: 'submitting' });
    await stores[0]!.create(req);
    await stores[0]!.claimField(req.id, ['submitting'], 'postStartedAt', '2026-12-08T10:00:00.000Z', { postClaim: 'lost' });
    // Run 1 (its own connection) gives the lost claim back and claims the POST anew; run 2 read the request before.
    expect((await giveBack(stores[0]!, req.id, 'lost')).ok).toBe(true);
    expect((await stores[0]!.claimField(req.id, ['submitting'], 'postStartedAt', '2026-12-08T10:00:01.000Z', { postClaim: 'new' })).ok).toBe(true);
    const late = await giveBack(stores[1]!, req.id, 'lost');
    expect(late.ok).toBe(false);
    expect(await stores[0]!.get(req.id)).toMatchObject({ postClaim: 'new', postStartedAt: '2026-12-08T10:00:01.000Z' });
  });

  it('20 give-backs of one lost token at once, on two connections: one gives it back', async () => {
    const req = makeRequest({ state: 'submitting' });
    await stores[0]!.create(req);
    await stores[0]!.claimField(req.id, ['submitting'], 'postStartedAt', '2026-12-08T10:00:00.000Z', { postClaim: 'lost' });
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => giveBack(stores[i % 2]!, req.id, 'lost')));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
  });

  it('refuses a request with a job recorded, or in another state', async () => {
    const running = makeRequest({ state: 'running', atlasJobId: 'job-1', postClaim: 'tok' });
    await stores[0]!.create(running);
    expect((await giveBack(stores[0]!, running.id, 'tok')).ok).toBe(false);
    const withJob = makeRequest({ state: 'submitting', atlasJobId: 'job-2', postClaim: 'tok' });
    await stores[0]!.create(withJob);
    expect((await giveBack(stores[0]!, withJob.id, 'tok')).ok).toBe(false);
    expect((await stores[0]!.get(withJob.id))?.postClaim).toBe('tok');
  });
});
