// What a platform team reads of its drills: the final message's two figures against the drill's previous runs (the
// README promises both figures with the last five runs beside them: the restore time for the RTO, the snapshot age
// for the recovery point), and `/atlas-restore drills`' last result (what, when, and where to look when it failed).
import { describe, expect, it } from 'vitest';
import type { DrillRun } from '../../../src/restore/drill-definition.js';
import type { DrillSummary } from '../../../src/restore/drill-types.js';
import { drillFigures, renderDrills } from '../../../src/slack/views/drill-messages.js';
import { sampleRequest } from '../../helpers/sample-request.js';

const MIN = 60_000;

const drillRequest = (restoreMin: number) =>
  sampleRequest({
    id: 'RR-DRILL03',
    state: 'completed',
    requester: 'drill:nightly',
    drill: { name: 'nightly', trigger: 'schedule' },
    snapshot: { id: 'snap000000000000000000003', createdAt: '2026-03-03T02:00:00Z' },
    postStartedAt: '2026-03-03T03:00:00Z',
    submittedAt: '2026-03-03T03:00:01Z',
    finishedAt: new Date(Date.parse('2026-03-03T03:00:00Z') + restoreMin * MIN).toISOString(),
  });

const run = (id: string, restoreMin: number | undefined, ageMin: number | undefined, state = 'completed'): DrillRun => ({
  requestId: id,
  state,
  ...(restoreMin !== undefined ? { restoreMs: restoreMin * MIN } : {}),
  ...(ageMin !== undefined ? { snapshotAgeMs: ageMin * MIN } : {}),
});

describe("a drill's final figures", () => {
  it('give each previous run its snapshot age beside its restore time', () => {
    const figures = drillFigures(drillRequest(20), [run('RR-DRILL02', 14, 47), { state: 'not_started', reason: 'no snapshot' }, run('RR-DRILL01', 16, 185)])!;
    expect(figures).toContain('*Restore time:* 20 min');
    expect(figures).toContain('*Snapshot age at the start:* 1 h');
    expect(figures).toContain('*Previous runs* (newest first): 14 min (snapshot 47 min old), did not run, 16 min (snapshot 3 h 5 min old); 33 % slower than their average');
  });

  it('say nothing of a trend when the previous restore times were all 0 s (no "NaN %" nor "Infinity %")', () => {
    const figures = drillFigures(drillRequest(20), [run('RR-DRILL02', 0, 47)])!;
    expect(figures).not.toMatch(/NaN|Infinity/);
    expect(figures).toContain('*Previous runs* (newest first): 0 s (snapshot 47 min old)');
  });
});

describe('`/atlas-restore drills`', () => {
  const summary = (lastRun: DrillSummary['lastRun']): DrillSummary => ({
    name: 'nightly',
    source: 'shop/orders',
    target: 'shop/orders-drill',
    schedule: '0 3 * * *',
    timeZone: 'Europe/Berlin',
    channel: 'C0DRILLS01',
    nextRunAt: '2026-03-04T02:00:00Z',
    ...(lastRun ? { lastRun } : {}),
  });

  it('shows a completed run with its restore time and its snapshot age', () => {
    const text = renderDrills([summary({ requestId: 'RR-DRILL03', state: 'completed', finishedAt: '2026-03-03T03:20:00Z', restoreMs: 20 * MIN, snapshotAgeMs: 60 * MIN })]);
    expect(text).toContain('restore time 20 min, snapshot age 1 h');
  });

  it('shows a failed run with when it ended and how to read why', () => {
    const text = renderDrills([summary({ requestId: 'RR-DRILL03', state: 'failed', finishedAt: '2026-03-03T03:20:00Z' })]);
    expect(text).toContain('*failed* <!date^');
    expect(text).toContain('`/atlas-restore status RR-DRILL03` says why');
  });
});
