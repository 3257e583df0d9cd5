// A drill run's figures count from the POST: a job adopted after a lost answer has its `submittedAt` when it was
// found (up to an hour later), and measuring from then made the restore time too short, even negative.
import { describe, expect, it } from 'vitest';
import { drillRunOf } from '../../../src/restore/drill-history.js';
import { sampleRequest } from '../../helpers/sample-request.js';

const adopted = sampleRequest({
  state: 'completed',
  requester: 'drill:nightly',
  drill: { name: 'nightly', trigger: 'schedule' },
  atlasJobId: 'job-9',
  snapshot: { id: 'snap', createdAt: '2026-03-01T01:00:00Z' },
  // The POST left at 03:00, its answer was lost, the search found the job at 03:40: it had completed at 03:25.
  postStartedAt: '2026-03-01T03:00:00Z',
  submittedAt: '2026-03-01T03:40:00Z',
  finishedAt: '2026-03-01T03:25:00Z',
});

describe('drillRunOf', () => {
  it('measures the restore time and the snapshot age from the POST, not from the adoption', () => {
    const run = drillRunOf(adopted);
    expect(run.restoreMs).toBe(25 * 60_000);
    expect(run.snapshotAgeMs).toBe(2 * 3600_000);
    expect(run.submittedAt).toBe('2026-03-01T03:00:00Z');
  });

  it('falls back on submittedAt for a request of a version before the claim, and is never negative', () => {
    expect(drillRunOf({ ...adopted, postStartedAt: undefined, submittedAt: '2026-03-01T03:00:00Z' }).restoreMs).toBe(25 * 60_000);
    // Atlas's clock a little behind ours: finished "before" the POST left.
    expect(drillRunOf({ ...adopted, finishedAt: '2026-03-01T02:59:59Z' }).restoreMs).toBe(0);
  });
});
