// Following restores from Slack (project issue 4): `/atlas-restore status` and `list`, the Cancel button of a
// running dedicated restore, and each state change posted in the thread exactly once. The whole app runs
// (real Bolt receiver, real Redis, real BullMQ) against the fake Atlas and the fake Slack.
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pollJobId, TRACKER_QUEUE } from '../../src/restore/tracker.js';
import type { RestoreRequest } from '../../src/restore/types.js';
import type { RecordedCall } from '../fakes/fake-slack.js';
import { waitFor } from '../helpers/wait-for.js';
import {
  APPROVER,
  APPROVER_2,
  CHANNEL,
  clearLocks,
  GROUP_ID,
  OUTSIDER,
  REQUESTER,
  requestRestore,
  startHarness,
  waitForState,
  type Harness,
} from './conversation-harness.js';

let h: Harness;
let queue: Queue;
beforeAll(async () => {
  h = await startHarness();
  queue = new Queue(TRACKER_QUEUE, { connection: h.redis.duplicate(), prefix: `${h.prefix}bull` });
});
afterAll(async () => {
  await queue?.close();
  await h?.close();
});

/** Request → approve → running; returns the running request. */
async function startRunning(source: string): Promise<RestoreRequest> {
  await clearLocks(h);
  const req = await requestRestore(h, { source });
  await h.click(APPROVER, 'restore_approve', req.id);
  return waitForState(h, req.id, 'running');
}

/** The text the app sent through the command's response_url. */
async function commandAnswer(user: string, text: string): Promise<string> {
  const { status, responseUrlId } = await h.command(user, text);
  expect(status).toBe(200);
  const call: RecordedCall = await h.slack.waitForCall('response_url', (c) => c.args.id === responseUrlId, 5000);
  expect(call.status).toBe(200);
  expect(call.args.response_type).toBe('ephemeral');
  return String(call.args.text);
}

/**
 * Atlas moves the job to running and the tracker has seen it. Only Flex jobs report a queued phase
 * (PENDING/QUEUED); dedicated and serverless jobs read as running from the moment they exist.
 */
async function seenRunning(req: RestoreRequest): Promise<void> {
  const jobId = req.atlasJobId!;
  h.atlas.advanceJob(jobId, 'running');
  const gets = jobGets(jobId);
  await waitFor(() => jobGets(jobId) >= gets + 2, { message: `two polls of ${jobId} after it runs` });
  await waitFor(async () => (await h.request(req.id))?.lastJobState === 'running', { message: `${req.id} recorded as running` });
}

function cardBlocks(id: string): string {
  return JSON.stringify(h.rootCard(id)?.blocks ?? []);
}

function count(id: string, pattern: RegExp): number {
  return h.threadTexts(id).filter((t) => pattern.test(t)).length;
}

/** The poll job ran to its end: nothing more will be posted for this request. */
async function pollFinished(id: string): Promise<void> {
  await waitFor(async () => (await (await queue.getJob(pollJobId(id)))?.getState()) === 'completed', { timeoutMs: 8000, message: `poll job of ${id} completed` });
}

function jobGets(jobId: string): number {
  return h.atlas.requests.filter((r) => r.method === 'GET' && r.authorized && r.path.endsWith(`/restoreJobs/${jobId}`)).length;
}

function deletesOf(jobId: string): number {
  return h.atlas.requests.filter((r) => r.method === 'DELETE' && r.authorized && r.path.endsWith(`/restoreJobs/${jobId}`)).length;
}

describe('/atlas-restore status and list', () => {
  let running: RestoreRequest;
  let done: RestoreRequest;
  beforeAll(async () => {
    done = await startRunning('orders');
    h.atlas.advanceJob(done.atlasJobId!, 'running');
    h.atlas.advanceJob(done.atlasJobId!, 'completed');
    await h.waitForThread(done.id, /Restore completed/);
    done = await waitForState(h, done.id, 'completed');
    running = await startRunning('ledger');
    await seenRunning(running);
  });

  it('status <request id> shows state, timings and a link to the thread', async () => {
    const text = await commandAnswer(REQUESTER, `status ${running.id}`);
    expect(text).toContain(`Restore request ${running.id}`);
    expect(text).toMatch(/Restore running/);
    expect(text).toContain(running.atlasJobId!);
    // Timings: when it was submitted and for how long it has been running.
    expect(text).toMatch(/[Ss]ubmitted <!date\^\d+\^/);
    expect(text).toMatch(/running for \d+ s/);
    // The thread link is the card's permalink from chat.getPermalink.
    const permalink = `${h.slack.url}/archives/${CHANNEL}/p${running.cardTs!.replace('.', '')}`;
    expect(text).toContain(`<${permalink}|open thread>`);
    expect(h.slack.calls.some((c) => c.method === 'chat.getPermalink' && c.args.message_ts === running.cardTs)).toBe(true);
  });

  it('status of a finished restore shows how long it took', async () => {
    const text = await commandAnswer(REQUESTER, `status ${done.id.toLowerCase()}`);
    expect(text).toContain(`Restore request ${done.id}`);
    expect(text).toMatch(/Restore completed/);
    expect(text).toMatch(/[Ee]nded <!date\^\d+\^/);
    expect(text).toMatch(/took \d+ s/);
  });

  it('status <Atlas job id> finds the same request', async () => {
    const text = await commandAnswer(REQUESTER, `status ${running.atlasJobId}`);
    expect(text).toContain(`Restore request ${running.id}`);
    expect(text).toContain(`/archives/${CHANNEL}/p`);
  });

  it("status with no id lists the caller's recent restores, with links", async () => {
    const text = await commandAnswer(REQUESTER, 'status');
    expect(text).toContain(running.id);
    expect(text).toContain(done.id);
    expect(text).toMatch(new RegExp(`<[^|>]+/archives/${CHANNEL}/p\\d+\\|${running.id}>`));
    const other = await commandAnswer(OUTSIDER, 'status');
    expect(other).toMatch(/haven't requested any restore/);
    expect(other).not.toContain(running.id);
  });

  it('status of an unknown id says so', async () => {
    const text = await commandAnswer(REQUESTER, 'status RR-NOPE99');
    expect(text).toMatch(/No restore request or Atlas restore job `RR-NOPE99` is known/);
    const jobLike = await commandAnswer(REQUESTER, 'status 0123456789abcdef01234567');
    expect(jobLike).toMatch(/is known here/);
  });

  it('list shows restores in flight and recent finished ones, with links to their threads', async () => {
    const text = await commandAnswer(APPROVER, 'list');
    const [inFlight, recent] = text.split('*Recent*');
    expect(inFlight).toContain('*In flight*');
    expect(inFlight).toMatch(new RegExp(`<[^|>]+/archives/${CHANNEL}/p\\d+\\|${running.id}>`));
    expect(inFlight).not.toContain(done.id);
    expect(recent).toMatch(new RegExp(`<[^|>]+/archives/${CHANNEL}/p\\d+\\|${done.id}>`));
    expect(recent).toContain('restore completed');
  });

  afterAll(async () => {
    h.atlas.advanceJob(running.atlasJobId!, 'completed');
    await waitForState(h, running.id, 'completed');
  });
});

describe('the Cancel button of a running restore', () => {
  it('is offered on a running dedicated restore, with a confirm dialog', async () => {
    const req = await startRunning('ledger');
    const blocks = await waitFor(() => (cardBlocks(req.id).includes('restore_cancel_job') ? cardBlocks(req.id) : undefined), { message: 'cancel button on the card' });
    const actions = (h.rootCard(req.id)!.blocks as { type: string; elements?: { action_id: string; confirm?: unknown }[] }[]).find((b) => b.type === 'actions');
    const cancel = actions?.elements?.find((e) => e.action_id === 'restore_cancel_job');
    expect(cancel?.confirm).toMatchObject({ title: { text: 'Cancel the restore?' } });
    expect(blocks).not.toContain('restore_approve');
    h.atlas.advanceJob(req.atlasJobId!, 'completed');
    await waitForState(h, req.id, 'completed');
    // Once the restore has ended there is nothing left to cancel.
    await waitFor(() => !cardBlocks(req.id).includes('restore_cancel_job'), { message: 'cancel button gone' });
  });

  // Atlas cannot cancel an automated restore (400 CANNOT_CANCEL_AUTOMATED_RESTORE, DESIGN.md §1), and the fake answers
  // so: clicking the button sends the DELETE, the thread says Atlas refused, and the restore goes on.
  it.each([
    ['the requester', REQUESTER],
    ['an approver', APPROVER_2],
  ])('%s clicks it: Atlas gets the DELETE, refuses it, the thread says so and the restore goes on', async (_who, user) => {
    const req = await startRunning('ledger');
    await seenRunning(req);
    await h.click(user, 'restore_cancel_job', req.id);
    await waitFor(() => deletesOf(req.atlasJobId!) === 1, { message: 'DELETE of the restore job' });
    const refusal = await h.waitForThread(req.id, /Atlas did not cancel the restore/);
    expect(refusal).toMatch(/cannot cancel an automated/);
    const still = await h.request(req.id);
    expect(still?.state).toBe('running');
    expect(still?.cancelledBy).toBeUndefined();
    h.atlas.advanceJob(req.atlasJobId!, 'completed');
    const final = await h.waitForThread(req.id, /Restore completed/);
    expect(final).not.toContain('Cancelled by');
    await pollFinished(req.id);
  });

  it('an outsider is refused and Atlas gets no DELETE', async () => {
    const req = await startRunning('ledger');
    const before = h.slack.ephemerals(OUTSIDER).length;
    await h.click(OUTSIDER, 'restore_cancel_job', req.id);
    const refusal = await waitFor(() => h.slack.ephemerals(OUTSIDER).slice(before).find((e) => e.text.includes(req.id)), { message: 'refusal for the outsider' });
    expect(refusal.text).toMatch(/Only the requester or an approver/);
    expect(deletesOf(req.atlasJobId!)).toBe(0);
    expect((await h.request(req.id))?.state).toBe('running');
    expect((await h.request(req.id))?.cancelledBy).toBeUndefined();
    h.atlas.advanceJob(req.atlasJobId!, 'completed');
    await waitForState(h, req.id, 'completed');
  });

  it('a Flex restore has no cancel button', async () => {
    const req = await startRunning('orders');
    await seenRunning(req);
    await h.waitForThread(req.id, /is running/);
    await waitFor(() => cardBlocks(req.id).includes('Restore running'), { message: 'card shows the running restore' });
    expect(cardBlocks(req.id)).not.toContain('restore_cancel_job');
    expect(cardBlocks(req.id)).not.toContain('"type":"actions"');
    h.atlas.advanceJob(req.atlasJobId!, 'completed');
    await waitForState(h, req.id, 'completed');
  });
});

describe('each state change is posted once', () => {
  // Flex jobs go PENDING → RUNNING: one "running" message. Dedicated and serverless jobs have no queued phase
  // (running from the start, announced by "Restore submitted"): no state change, no message.
  it.each([
    ['orders', 1],
    ['ledger', 0],
    ['legacy', 0],
  ])('pending → running → completed on %s: %i "running" message and one final message', async (cluster, runningMessages) => {
    const req = await startRunning(cluster);
    const jobId = req.atlasJobId!;
    await seenRunning(req);
    if (runningMessages > 0) await h.waitForThread(req.id, /is running/);
    // Several more polls see the same state: none of them posts again.
    const gets = jobGets(jobId);
    await waitFor(() => jobGets(jobId) >= gets + 3, { message: 'three more polls' });
    await waitFor(() => cardBlocks(req.id).includes('Restore running'), { message: 'card shows running' });
    h.atlas.advanceJob(jobId, 'completed');
    const final = await h.waitForThread(req.id, /Restore completed/);
    expect(final).toContain(jobId);
    expect(final).toContain(`<@${REQUESTER}>`);
    expect(final).toMatch(/Restore completed\* after \d+ s/);
    await pollFinished(req.id);
    expect(count(req.id, /is running/)).toBe(runningMessages);
    expect(count(req.id, /Restore submitted to Atlas/)).toBe(1);
    expect(count(req.id, /is queued/)).toBeLessThanOrEqual(1);
    expect(count(req.id, /Restore (completed|failed|cancelled|expired)/)).toBe(1);
    expect(cardBlocks(req.id)).toContain('Restore completed');
    const restores = h.atlas.restoreJobs(GROUP_ID, cluster).filter((j) => j.id === jobId);
    expect(restores).toHaveLength(1);
  });

  it('a failed restore says "Restore failed" once, with Atlas\'s reason', async () => {
    const req = await startRunning('ledger');
    h.atlas.advanceJob(req.atlasJobId!, 'failed', 'disk full on target');
    const final = await h.waitForThread(req.id, /Restore failed/);
    expect(final).toContain(req.atlasJobId!);
    expect(final).toMatch(/Atlas says: /);
    await pollFinished(req.id);
    expect(count(req.id, /Restore (completed|failed|cancelled|expired)/)).toBe(1);
  });
});
