// Following restores from Slack (project issue 4): `/atlas-restore status` and `list`, the Cancel button of a
// running dedicated restore, and each state change posted in the thread exactly once. The whole app runs
// (real Bolt receiver, real Redis, real BullMQ) against the fake Atlas and the fake Slack.
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restoreJobId, TRACKER_QUEUE } from '../../src/restore/tracker.js';
import type { RestoreRequest } from '../../src/restore/types.js';
import type { RecordedCall } from '../fakes/fake-slack.js';
import { waitFor } from '../helpers/wait-for.js';
import {
  APPROVER,
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
  const call: RecordedCall = await h.slack.waitForCall('response_url', (c) => c.args.id === responseUrlId);
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
  await waitFor(async () => (await (await queue.getJob(restoreJobId(id)))?.getState()) === 'completed', { timeoutMs: 8000, message: `poll job of ${id} completed` });
}

function jobGets(jobId: string): number {
  return h.atlas.requests.filter((r) => r.method === 'GET' && r.authorized && r.path.endsWith(`/restoreJobs/${jobId}`)).length;
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
    // Atlas writes its ids in lower case; one typed or pasted in capitals is the same job.
    expect(running.atlasJobId).toMatch(/^[0-9a-f]{24}$/);
    expect(await commandAnswer(REQUESTER, `status ${running.atlasJobId!.toUpperCase()}`)).toContain(`Restore request ${running.id}`);
  });

  it("status with no id lists the caller's recent restores, with links", async () => {
    const text = await commandAnswer(REQUESTER, 'status');
    expect(text).toContain(running.id);
    expect(text).toContain(done.id);
    expect(text).toMatch(new RegExp(`<[^|>]+/archives/${CHANNEL}/p\\d+\\|${running.id}>`));
    const other = await commandAnswer(APPROVER, 'status');
    expect(other).toMatch(/haven't requested any restore/);
    expect(other).not.toContain(running.id);
    const outsider = await commandAnswer(OUTSIDER, 'status');
    expect(outsider).toMatch(/not named in the restore policy/);
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

describe('a running restore has no cancel button', () => {
  it.each(['ledger', 'orders'])('%s: the card says Atlas cannot stop it, and offers no button', async (source) => {
    const req = await startRunning(source);
    await seenRunning(req);
    await waitFor(() => cardBlocks(req.id).includes("Atlas can't stop a restore once it has started"), { message: 'the card says Atlas cannot stop it' });
    expect(cardBlocks(req.id)).not.toContain('"type":"actions"');
    h.atlas.advanceJob(req.atlasJobId!, 'completed');
    await waitForState(h, req.id, 'completed');
    await waitFor(() => !cardBlocks(req.id).includes("can't stop"), { message: 'the note is gone once the restore ended' });
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
