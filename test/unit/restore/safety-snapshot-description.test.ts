// After a POST whose answer was lost, the safety snapshot is found by its description: a snapshot taken for an earlier
// approval round of the same request (still in Atlas for its retention) must never be taken for this round's.
import { describe, expect, it } from 'vitest';
import { nextSafetySnapshotRound, safetySnapshotDescription } from '../../../src/restore/safety-snapshot-step.js';
import { sampleRequest } from '../../helpers/sample-request.js';

describe('the safety snapshot of each approval round', () => {
  it('the first round keeps the description of requests already in flight; each later round has its own', () => {
    const first = sampleRequest({ safetySnapshot: { retentionInDays: 3, id: 'OLD', status: 'completed', completedAt: '2026-03-01T10:20:00Z' } });
    expect(safetySnapshotDescription(first)).toBe('atlas-restore RR-7K3P2Q: before restoring shop/orders into shop/orders-staging');
    const second = { ...first, safetySnapshot: nextSafetySnapshotRound(first.safetySnapshot!) };
    const third = { ...first, safetySnapshot: nextSafetySnapshotRound(second.safetySnapshot) };
    const descriptions = new Set([first, second, third].map(safetySnapshotDescription));
    expect(descriptions.size).toBe(3);
  });

  it('the next round is not taken yet and keeps the retention', () => {
    expect(nextSafetySnapshotRound({ retentionInDays: 3, id: 'OLD', status: 'completed', requestedAt: 'x', completedAt: 'y', round: 2 })).toEqual({ retentionInDays: 3, round: 3 });
  });
});
