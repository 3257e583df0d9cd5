// What the restore's job records in the request it has announced and audited first (DESIGN.md §4, §6): "Restore
// submitted, job X" and its `submitted` audit record, the safety snapshot's start and its completion with their audit
// records. Here the store write right after them fails for real (the request's key has the wrong type in Redis while
// Atlas answers), as a crash there would leave things: at that moment the announcement and the audit must exist, and
// the job's retry must record the step without saying or auditing anything twice.
import { Queue } from 'bullmq';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { restoreJobId, TRACKER_QUEUE } from '../../src/restore/tracker.js';
import type { RestoreRequest } from '../../src/restore/types.js';
import type { Fault } from '../fakes/fake-atlas-types.js';
import { waitFor } from '../helpers/wait-for.js';
import { APPROVER, GROUP_ID, requestRestore, useHarness, waitForState } from './conversation-harness.js';

const h = useHarness();
let queue: Queue;
beforeAll(() => {
  queue = new Queue(TRACKER_QUEUE, { connection: h.redis.duplicate(), prefix: `${h.prefix}bull` });
});
afterAll(async () => {
  await queue.close();
});
const broken: RestoreRequest[] = [];
afterEach(async () => {
  // A test that failed before mending its request must not break the next tests' listings.
  for (const req of broken.splice(0)) await mend(req).catch(() => undefined);
  // Nor may a safety snapshot left under way: Atlas takes one on-demand snapshot at a time per cluster.
  for (const s of h.atlas.snapshots(GROUP_ID, 'ledger')) {
    if (s['status'] === 'queued' || s['status'] === 'inProgress') h.atlas.advanceOnDemandSnapshot(String(s['id']), 'failed');
  }
});

async function ask(safetySnapshot: boolean): Promise<RestoreRequest> {
  const req = await requestRestore(h, { source: 'ledger' });
  if (!safetySnapshot) return req;
  const updated = await h.app.services.store.update(req.id, ['pending_approval'], { safetySnapshot: { retentionInDays: 1 } });
  if (!updated.ok) throw new Error('the request was not pending');
  return updated.request;
}

/**
 * Holds the Atlas call matching `fault` (its answer waits) and, while Atlas works on it, swaps the request's hash for a
 * string: the write that follows the answer fails with WRONGTYPE. Resolves once the restore's job saw that failure.
 * The answer is released once the swap is done, not after a fixed time: a swap that came after the answer (a slow
 * test) would let the write through, and an answer held close to the client's timeout would lose the answer instead.
 */
async function failTheWriteAfter(req: RestoreRequest, fault: Omit<Fault, 'kind' | 'delayMs' | 'until'>, meanwhile: () => void = () => undefined): Promise<void> {
  const from = h.atlas.requests.length;
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  h.atlas.inject({ kind: 'slow', until: released, count: 1, ...fault });
  try {
    await waitFor(() => h.atlas.requests.slice(from).some((r) => r.authorized && r.status === 0 && r.method === fault.method && r.path.includes(fault.pathIncludes!)), { message: 'the held Atlas call' });
    meanwhile();
    const key = `${h.prefix}req:${req.id}`;
    await h.redis.rename(key, `${key}:aside`);
    await h.redis.set(key, 'not a request');
    broken.push(req);
  } finally {
    release();
  }
  await waitFor(async () => (await queue.getJob(restoreJobId(req.id)))?.failedReason?.includes('WRONGTYPE'), { message: 'the failed store write' });
}

async function mend(req: RestoreRequest): Promise<void> {
  const key = `${h.prefix}req:${req.id}`;
  if ((await h.redis.exists(`${key}:aside`)) === 0) return;
  await h.redis.del(key);
  await h.redis.rename(`${key}:aside`, key);
}

const auditOf = async (req: RestoreRequest, type: string) => (await h.app.services.store.readAudit(1000)).filter((e) => e.requestId === req.id && e.type === type);
const thread = (req: RestoreRequest, pattern: RegExp) => h.threadTexts(req.id).filter((t) => pattern.test(t));

describe('announced and audited before it is recorded', () => {
  it('the restore job: "Restore submitted" and its audit record survive a failed write; the retry adopts it silently', async () => {
    const req = await ask(false);
    await h.click(APPROVER, 'restore_approve', req.id);
    await failTheWriteAfter(req, { method: 'POST', pathIncludes: '/clusters/ledger/backup/restoreJobs' });
    expect(await auditOf(req, 'submitted')).toHaveLength(1);
    await h.waitForThread(req.id, /Restore submitted to Atlas/);

    await mend(req);
    const running = await waitForState(h, req.id, 'running', 20_000);
    expect((await auditOf(req, 'submitted'))[0]?.atlasJobId).toBe(running.atlasJobId);
    expect(await auditOf(req, 'submitted')).toHaveLength(1);
    expect(await auditOf(req, 'adopted')).toHaveLength(0);
    expect(thread(req, /Restore submitted to Atlas|answer to the restore was lost/)).toHaveLength(1);
    h.atlas.advanceJob(running.atlasJobId!, 'completed');
    await waitForState(h, req.id, 'completed');
  });

  it('the safety snapshot asked for: its audit record and message survive a failed write; the retry finds it', async () => {
    const req = await ask(true);
    await h.click(APPROVER, 'restore_approve', req.id);
    await failTheWriteAfter(req, { method: 'POST', pathIncludes: '/clusters/ledger/backup/snapshots' });
    expect(await auditOf(req, 'safety_snapshot_requested')).toHaveLength(1);
    await h.waitForThread(req.id, /Taking a safety snapshot/);

    await mend(req);
    const id = await waitFor(async () => (await h.request(req.id))?.safetySnapshot?.id, { timeoutMs: 20_000, message: 'the safety snapshot recorded' });
    h.atlas.advanceOnDemandSnapshot(id, 'completed');
    const running = await waitForState(h, req.id, 'running');
    expect(await auditOf(req, 'safety_snapshot_requested')).toHaveLength(1);
    expect(thread(req, /Taking a safety snapshot/)).toHaveLength(1);
    h.atlas.advanceJob(running.atlasJobId!, 'completed');
    await waitForState(h, req.id, 'completed');
  });

  it('the safety snapshot completed: its audit record (DESIGN.md §6) and message survive a failed write; no repeat', async () => {
    const req = await ask(true);
    await h.click(APPROVER, 'restore_approve', req.id);
    const id = await waitFor(async () => (await h.request(req.id))?.safetySnapshot?.id, { message: 'the safety snapshot id' });
    // Atlas completes the snapshot while the bot's look at it is under way.
    await failTheWriteAfter(req, { method: 'GET', pathIncludes: `/snapshots/${id}` }, () => h.atlas.advanceOnDemandSnapshot(id, 'completed'));
    expect(await auditOf(req, 'safety_snapshot_completed')).toHaveLength(1);
    await h.waitForThread(req.id, /Safety snapshot .* completed/);

    await mend(req);
    const running = await waitForState(h, req.id, 'running', 20_000);
    expect(running.safetySnapshot?.status).toBe('completed');
    expect(await auditOf(req, 'safety_snapshot_completed')).toHaveLength(1);
    expect(thread(req, /Safety snapshot .* completed/)).toHaveLength(1);
    const audit = (await h.app.services.store.readAudit(1000)).filter((e) => e.requestId === req.id).map((e) => e.type);
    expect(audit.indexOf('safety_snapshot_completed')).toBeLessThan(audit.indexOf('submitted'));
    h.atlas.advanceJob(running.atlasJobId!, 'completed');
    await waitForState(h, req.id, 'completed');
  });
});
