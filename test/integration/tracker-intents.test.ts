// The intents behind a request's end (tracker-marks.ts): one per final state, and a run that lost its compare-and-set
// clears only the intent it wrote, never one another run wrote since for the same state.
import { afterAll, describe, expect, it } from 'vitest';
import { createTrackerMarks } from '../../src/restore/tracker-marks.js';
import { connect, deleteKeys, randomPrefix } from './store-fixtures.js';

const redis = connect();
const prefix = randomPrefix('tracker-intents');
const marks = createTrackerMarks({ redis, prefix, leaseMs: 1000, keepSeconds: 600 });
afterAll(async () => {
  await deleteKeys(redis, prefix);
  redis.disconnect();
});

describe('intents', () => {
  it('are kept per final state: a Reject and a Cancel at once each keep their own', async () => {
    await marks.setIntent('RR-INT001', { kind: 'rejected', by: 'U0APPROVER' });
    const cancel = await marks.setIntent('RR-INT001', { kind: 'cancelled', by: 'U0REQUESTER' });
    await marks.clearIntent('RR-INT001', 'cancelled', cancel);
    expect(await marks.getIntent('RR-INT001', 'rejected')).toMatchObject({ kind: 'rejected', by: 'U0APPROVER' });
    expect(await marks.getIntent('RR-INT001', 'cancelled')).toBeNull();
  });

  it('a run clears the intent it wrote, not one another run wrote since for the same state', async () => {
    const stale = await marks.setIntent('RR-INT002', { kind: 'not_submitted', message: 'refused by the re-check', audit: 'refused' });
    await marks.setIntent('RR-INT002', { kind: 'submit_refused', message: 'Atlas said no', code: 'INVALID_PARAMETER' });
    await marks.clearIntent('RR-INT002', 'failed', stale);
    expect(await marks.getIntent('RR-INT002', 'failed')).toMatchObject({ kind: 'submit_refused' });
    // Without a token: whatever the state has (a request taken back from that end).
    await marks.clearIntent('RR-INT002', 'failed');
    expect(await marks.getIntent('RR-INT002', 'failed')).toBeNull();
  });

  it('is also written where earlier versions read it (a replica of the version before may settle it during an upgrade)', async () => {
    const token = await marks.setIntent('RR-INT004', { kind: 'dry_run' });
    expect(JSON.parse((await redis.get(`${prefix}intent:RR-INT004`))!)).toMatchObject({ kind: 'dry_run' });
    await marks.clearIntent('RR-INT004', 'completed', token);
    expect(await redis.exists(`${prefix}intent:RR-INT004`)).toBe(0);
  });

  it('an intent of an earlier version (one per request) is still read for its own state, and cleared', async () => {
    await redis.set(`${prefix}intent:RR-INT003`, JSON.stringify({ kind: 'approval_expired' }));
    expect(await marks.getIntent('RR-INT003', 'approval_expired')).toEqual({ kind: 'approval_expired' });
    await marks.clearIntent('RR-INT003', 'failed');
    expect(await redis.exists(`${prefix}intent:RR-INT003`)).toBe(1);
    await marks.clearIntent('RR-INT003', 'approval_expired');
    expect(await redis.exists(`${prefix}intent:RR-INT003`)).toBe(0);
  });
});
