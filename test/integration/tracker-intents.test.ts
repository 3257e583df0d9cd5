// The intents behind a request's end (tracker-marks.ts): each run keeps its own under a token, the compare-and-set
// that wins writes its token into the request, and a run that lost removes only what it wrote. The winner also puts it
// under the one key earlier versions read, for their replicas during a rolling upgrade.
import { afterAll, describe, expect, it } from 'vitest';
import { createRestoreStore } from '../../src/restore/store.js';
import { createTrackerMarks } from '../../src/restore/tracker-marks.js';
import { connect, deleteKeys, makeRequest, randomPrefix } from './store-fixtures.js';

const redis = connect();
const prefix = randomPrefix('tracker-intents');
const marks = createTrackerMarks({ redis, prefix: `${prefix}tracker:`, leaseMs: 1000, keepSeconds: 600 });
const store = createRestoreStore({ redis, prefix });
afterAll(async () => {
  await deleteKeys(redis, prefix);
  redis.disconnect();
});

describe('intents', () => {
  it('two runs ending a request the same way at once: the settle reads the intent of the one whose CAS won', async () => {
    const req = makeRequest({ state: 'submitting' });
    await store.create(req);
    // Both write before either CAS (one ends it "unconfirmed", the other "not submitted": both are 'failed').
    const winner = await marks.setIntent(req.id, { kind: 'unconfirmed', message: 'no job turned up' });
    const loser = await marks.setIntent(req.id, { kind: 'not_submitted', message: 'refused by the re-check', audit: 'refused' });
    expect((await store.transition(req.id, ['submitting'], 'failed', { finalIntentToken: winner })).ok).toBe(true);
    expect((await store.transition(req.id, ['submitting'], 'failed', { finalIntentToken: loser })).ok).toBe(false);
    await marks.discardIntent(req.id, loser);
    const stored = await store.get(req.id);
    expect(await marks.getIntent(req.id, stored?.finalIntentToken)).toMatchObject({ kind: 'unconfirmed' });
    expect(await marks.getIntent(req.id, loser)).toBeNull();
  });

  it("is put where earlier versions read it only by the run that won: a loser never overwrites an earlier version's there", async () => {
    // An earlier version's run wrote its intent there (no token) and won its CAS; this version's run lost.
    await redis.set(`${prefix}tracker:intent:RR-INT002`, JSON.stringify({ kind: 'approval_expired' }));
    const loser = await marks.setIntent('RR-INT002', { kind: 'rejected', by: 'U0APPROVER' });
    await marks.discardIntent('RR-INT002', loser);
    expect(await marks.getIntent('RR-INT002', undefined)).toEqual({ kind: 'approval_expired' });
    expect(await marks.getIntent('RR-INT002', loser)).toBeNull();
    // A run that won shares its own there.
    const winner = await marks.setIntent('RR-INT002', { kind: 'cancelled', by: 'U0REQUESTER' });
    await marks.shareIntent('RR-INT002', winner);
    expect(await marks.getIntent('RR-INT002', undefined)).toMatchObject({ kind: 'cancelled', token: winner });
  });

  it('an end an earlier version made (no token on the request) is read from its one key', async () => {
    await redis.set(`${prefix}tracker:intent:RR-INT003`, JSON.stringify({ kind: 'approval_expired' }));
    expect(await marks.getIntent('RR-INT003', undefined)).toEqual({ kind: 'approval_expired' });
  });
});
