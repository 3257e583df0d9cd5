// A drill's history in real Redis: the capped list of its runs, and the record beside it that keeps its last success
// and its first schedule however many runs failed since, including for runs recorded before the record existed; runs
// that restored nothing (did not start, unconfirmed, dry run) are runs, never successes.
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DrillRun } from '../../src/restore/drill-definition.js';
import { createDrillHistory, notStartedRun, type DrillHistory } from '../../src/restore/drill-history.js';
import { connect, deleteKeys } from './store-fixtures.js';

// Hash-tagged as the app's keys are.
const prefix = `{test-drill-history-${randomBytes(4).toString('hex')}}:bull:drills:`;
let redis: Redis;
let history: DrillHistory;

beforeAll(() => {
  redis = connect();
  history = createDrillHistory(redis, prefix);
});
afterAll(async () => {
  await deleteKeys(redis, prefix);
  redis.disconnect();
});

const DAY = 24 * 3600_000;
const start = Date.parse('2026-01-05T02:00:00.000Z');
function run(week: number, state: string): DrillRun {
  const submittedAt = new Date(start + week * 7 * DAY).toISOString();
  const finishedAt = new Date(start + week * 7 * DAY + 20 * 60_000).toISOString();
  return { requestId: `RR-WEEK${String(week).padStart(3, '0')}`, state, submittedAt, finishedAt, ...(state === 'completed' ? { restoreMs: 20 * 60_000 } : {}) };
}

describe('drill history', () => {
  it('keeps the last success after more failed runs than the list holds', async () => {
    const success = run(0, 'completed');
    await history.record('weekly', success);
    for (let week = 1; week <= 21; week++) await history.record('weekly', run(week, 'failed'));
    const runs = await history.recent('weekly', 50);
    expect(runs).toHaveLength(20);
    expect(runs.some((r) => r.state === 'completed')).toBe(false);
    expect((await history.standing('weekly')).lastSuccess).toEqual(success);
    // A newer success replaces it.
    await history.record('weekly', run(22, 'completed'));
    expect((await history.standing('weekly')).lastSuccess).toEqual(run(22, 'completed'));
  });

  it('records a run that did not start as the last one, keeping the last success; a request recorded again replaces its line', async () => {
    const success = run(0, 'completed');
    await history.record('busy', success);
    await history.record('busy', notStartedRun('`shop/staging` has a restore in progress.', new Date(start + 7 * DAY)));
    expect(await history.recent('busy', 1)).toEqual([{ state: 'not_started', reason: '`shop/staging` has a restore in progress.', finishedAt: new Date(start + 7 * DAY).toISOString() }]);
    expect((await history.standing('busy')).lastSuccess).toEqual(success);
    // Unconfirmed, then its job turned up and completed: one line for the request, its last result.
    const late = run(2, 'completed');
    await history.record('busy', { ...late, state: 'unconfirmed', reason: 'Atlas did not confirm the restore job.', restoreMs: undefined });
    await history.record('busy', late);
    expect((await history.recent('busy', 20)).map((r) => r.state)).toEqual(['completed', 'not_started', 'completed']);
    expect((await history.standing('busy')).lastSuccess).toEqual(late);
  });

  it("shows a run in progress until its end, which replaces it; an end recorded first is never hidden by its start", async () => {
    const at = new Date(start + 7 * DAY);
    await history.record('nightly', run(0, 'completed'));
    await history.recordStart('nightly', 'RR-WEEK001', at);
    expect(await history.recent('nightly', 1)).toEqual([{ requestId: 'RR-WEEK001', state: 'in_progress', startedAt: at.toISOString() }]);
    // Its start again (a re-run of the step): still one line.
    await history.recordStart('nightly', 'RR-WEEK001', at);
    await history.record('nightly', run(1, 'failed'));
    expect((await history.recent('nightly', 20)).map((r) => `${r.requestId}:${r.state}`)).toEqual(['RR-WEEK001:failed', 'RR-WEEK000:completed']);
    // A start that comes after its end (a step re-run late) leaves the end as the last word.
    await history.recordStart('nightly', 'RR-WEEK001', at);
    expect((await history.recent('nightly', 20)).map((r) => r.state)).toEqual(['failed', 'completed']);
    expect((await history.standing('nightly')).lastSuccess).toEqual(run(0, 'completed'));
  });

  it("a run that did not run after its start was recorded (its request could not be created) replaces its 'running' line", async () => {
    const at = new Date(start + 8 * DAY);
    await history.record('half-made', run(0, 'completed'));
    await history.recordStart('half-made', 'RR-WEEK009', at);
    await history.record('half-made', notStartedRun('Redis refused the request', at), 'RR-WEEK009');
    expect((await history.recent('half-made', 20)).map((r) => `${r.requestId ?? '-'}:${r.state}`)).toEqual(['-:not_started', 'RR-WEEK000:completed']);
  });

  it('takes a dry run an earlier version recorded as completed (no submission) for what it was, and for no success', async () => {
    // As an older version wrote it: the dry run's request ended 'completed' with nothing submitted.
    const dry = { requestId: 'RR-DRY0001', state: 'completed', finishedAt: '2026-02-01T02:00:02.000Z' };
    await redis.lpush(`${prefix}drill:dry:runs`, JSON.stringify(dry));
    await redis.hset(`${prefix}drill:dry:record`, 'lastSuccess', JSON.stringify(dry));
    expect(await history.recent('dry', 1)).toEqual([{ ...dry, state: 'dry_run' }]);
    expect((await history.standing('dry')).lastSuccess).toBeUndefined();
  });

  it('notes the first schedule once; a drill that never ran starts its wait then', async () => {
    const first = new Date('2026-03-01T00:00:00.000Z');
    await history.noteScheduled('new', first);
    await history.noteScheduled('new', new Date('2026-03-02T00:00:00.000Z'));
    expect(await history.standing('new')).toEqual({ lastSuccess: undefined, firstScheduledAt: first.toISOString() });
  });

  it('takes the last success and the earliest run from a list written before the record existed', async () => {
    // As an older version left it: the runs list only.
    const older = [run(0, 'failed'), run(1, 'completed'), run(2, 'failed')];
    for (const r of older) await redis.lpush(`${prefix}drill:legacy:runs`, JSON.stringify(r));
    await history.noteScheduled('legacy', new Date('2026-06-01T00:00:00.000Z'));
    expect(await history.standing('legacy')).toEqual({ lastSuccess: older[1], firstScheduledAt: older[0]!.submittedAt });
  });
});
