// Project issue: "A replica killed with SIGKILL in the middle of a poll: another replica (or the restarted
// one) continues; no duplicate thread posts for the same state change." Replica B runs in its own process
// (test/fixtures/run-replica.ts) and is the only one following the restore when it is killed; replica C
// (in-process) must get the poll job through BullMQ's stalled-job recovery and finish the thread.
import { spawn, type ChildProcess } from 'node:child_process';
import { Queue } from 'bullmq';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { AppOverrides } from '../../src/app.js';
import { createRestoreStore } from '../../src/restore/store.js';
import { restoreJobId, TRACKER_QUEUE } from '../../src/restore/tracker.js';
import type { RestoreRequest } from '../../src/restore/types.js';
import { FAST_TRACKER } from '../fakes/config-for-fakes.js';
import type { RecordedRequest } from '../fakes/fake-atlas.js';
import { REPLICA_ENV, type ReplicaDescription } from '../fixtures/run-replica.js';
import { waitFor } from '../helpers/wait-for.js';
import { APPROVER, clearLocks, DEFAULT_POLICY, requestRestore, SIGNING_SECRET, startHarness, waitForState, type Harness } from './conversation-harness.js';

/** Short BullMQ locks: a dead replica's job is seen as stalled within ~2 s instead of 30 s. */
const SHORT_WORKER = { lockDuration: 1500, stalledInterval: 500, drainDelay: 1 };
// A notification lease held by a killed replica runs out quickly, so the next one can finish what it started.
const TRACKER: NonNullable<AppOverrides['tracker']> = { ...FAST_TRACKER, worker: SHORT_WORKER, notifyLeaseSeconds: 1 };
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

interface ChildReplica {
  child: ChildProcess;
  url: string;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

let h: Harness | undefined;
const children: ChildReplica[] = [];

async function killChildren(): Promise<void> {
  for (const c of children.splice(0)) {
    if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
    await c.exited;
  }
}
afterEach(async () => {
  await killChildren();
  await h?.close();
  h = undefined;
});
// Belt and braces: a child must not outlive the file, whatever failed before.
afterAll(killChildren);

function spawnReplicaProcess(env: Record<string, string>): Omit<ChildReplica, 'url'> {
  let out = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/run-replica.ts'], {
    env: { PATH: process.env.PATH ?? '', ...env },
    // stdin stays open: the replica exits by itself only when it closes (this process is gone).
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { child, output: () => out, exited };
}

/** Replica B: the real app in a child process on the harness' Redis prefix, fakes and policy. */
async function startChildReplica(harness: Harness): Promise<ChildReplica> {
  const description: ReplicaDescription = {
    slack: { apiUrl: harness.slack.apiUrl, botToken: harness.slack.botToken },
    atlas: { url: harness.atlas.url, publicKey: harness.atlas.publicKey, privateKey: harness.atlas.privateKey },
    signingSecret: SIGNING_SECRET,
    redisUrl: REDIS_URL,
    prefix: harness.prefix,
    policyYaml: DEFAULT_POLICY,
    tracker: TRACKER,
    // A long client timeout: a hung GET keeps B mid-poll until it is killed, not until it gives up.
    atlasClient: { timeoutMs: 60_000, retryPolicy: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 20 } },
  };
  const started = spawnReplicaProcess({ [REPLICA_ENV]: JSON.stringify(description) });
  const replica: ChildReplica = { ...started, url: '' };
  children.push(replica);
  const ready = await waitFor(() => /READY (\S+)/.exec(started.output())?.[1] ?? (started.child.exitCode !== null ? 'EXITED' : undefined), {
    timeoutMs: 15_000,
    message: 'READY from the child replica',
  });
  if (ready === 'EXITED') throw new Error(`child replica exited before READY:\n${started.output()}`);
  replica.url = ready;
  return replica;
}

async function sigkill(replica: ChildReplica): Promise<number> {
  replica.child.kill('SIGKILL');
  const exit = await replica.exited;
  expect(exit.signal).toBe('SIGKILL');
  return Date.now();
}

async function startRunning(harness: Harness, source: string): Promise<RestoreRequest> {
  await clearLocks(harness);
  const req = await requestRestore(harness, { source });
  await harness.click(APPROVER, 'restore_approve', req.id);
  return waitForState(harness, req.id, 'running');
}

/** The records while no in-process app runs (the stopped app's own connection is closed). */
const offlineStore = (harness: Harness) => createRestoreStore({ redis: harness.redis, prefix: harness.prefix });

const count = (harness: Harness, id: string, pattern: RegExp) => harness.threadTexts(id).filter((t) => pattern.test(t)).length;
const FINAL = /Restore (completed|failed|cancelled|expired)/;

/** Authorized GETs of one Atlas restore job, in arrival order. */
const jobGets = (harness: Harness, jobId: string): RecordedRequest[] => harness.atlas.requests.filter((r) => r.method === 'GET' && r.authorized && r.path.includes(jobId));

async function pollJobState(harness: Harness, id: string): Promise<string> {
  const queue = new Queue(TRACKER_QUEUE, { connection: harness.redis.duplicate(), prefix: `${harness.prefix}bull` });
  try {
    return (await (await queue.getJob(restoreJobId(id)))?.getState()) ?? 'missing';
  } finally {
    await queue.close();
  }
}

/** Stops the in-process replica A and lets child replica B follow the restore alone, until B has polled twice. */
async function handOverToChild(harness: Harness, jobId: string): Promise<ChildReplica> {
  await harness.app.stop();
  const before = jobGets(harness, jobId).length;
  const b = await startChildReplica(harness);
  await waitFor(() => jobGets(harness, jobId).length >= before + 2, { timeoutMs: 10_000, message: 'B polling the restore job' });
  return b;
}

/** Makes B's next GET of the job hang (B is inside a poll, holding the BullMQ job), then SIGKILLs B. */
async function killMidPoll(harness: Harness, b: ChildReplica, req: RestoreRequest): Promise<number> {
  const jobId = req.atlasJobId!;
  const injectedAt = harness.atlas.requests.length;
  harness.atlas.inject({ kind: 'hang', method: 'GET', pathIncludes: jobId, count: 1 });
  const hung = await waitFor(() => harness.atlas.requests.slice(injectedAt).find((r) => r.method === 'GET' && r.authorized && r.path.includes(jobId)), {
    timeoutMs: 5000,
    message: 'B inside the hung poll',
  });
  expect(await pollJobState(harness, req.id)).toBe('active');
  const killedAt = await sigkill(b);
  expect(hung.status).toBe(0); // B never saw an answer
  return killedAt;
}

/** Starts replica C in-process and measures how long after `killedAt` it asks Atlas about the job. */
async function takeOver(harness: Harness, jobId: string, killedAt: number): Promise<number> {
  const before = jobGets(harness, jobId).length;
  await harness.restart({ tracker: TRACKER });
  await waitFor(() => jobGets(harness, jobId).slice(before).some((r) => r.status === 200), { timeoutMs: 15_000, intervalMs: 10, message: 'C polling the restore job' });
  const takeoverMs = Date.now() - killedAt;
  if (process.env.REPORT_TIMING) process.stderr.write(`[replica-sigkill] C polled ${takeoverMs} ms after the SIGKILL\n`);
  return takeoverMs;
}

/** The rest of the restore under C: running → completed, each announced and audited once, lock freed. */
async function finishUnderC(harness: Harness, req: RestoreRequest): Promise<void> {
  const jobId = req.atlasJobId!;
  await harness.waitForThread(req.id, /is running/, 10_000);
  await waitFor(async () => (await harness.request(req.id))?.lastJobState === 'running', { message: 'running recorded' });
  harness.atlas.advanceJob(jobId, 'completed');
  const final = await harness.waitForThread(req.id, /Restore completed/, 10_000);
  expect(final).toContain(jobId);
  await waitForState(harness, req.id, 'completed');
  await waitFor(async () => (await pollJobState(harness, req.id)) === 'completed', { timeoutMs: 8000, message: 'poll job completed' });

  expect(count(harness, req.id, /is running/)).toBe(1);
  expect(count(harness, req.id, FINAL)).toBe(1);
  const texts = harness.threadTexts(req.id);
  expect(new Set(texts).size, texts.join('\n---\n')).toBe(texts.length);
  expect(harness.postsToAtlas()).toBe(1);
  const audit = (await harness.app.services.store.readAudit(500)).filter((e) => e.requestId === req.id);
  expect(audit.filter((e) => e.type === 'finished')).toHaveLength(1);
  expect(audit.filter((e) => e.type === 'state_changed' && e.state === 'running')).toHaveLength(1);
  // The target lock is released: another request could take it now.
  const store = harness.app.services.store;
  const probe = await store.acquireTargetLock(req.target, `PROBE-${req.id}`, 5);
  expect(probe.ok).toBe(true);
  await store.releaseTargetLock(req.target, `PROBE-${req.id}`);
}

describe('a replica killed with SIGKILL', () => {
  it('in the middle of a poll: the next replica takes the stalled job over and posts each state change once', async () => {
    h = await startHarness({ overrides: { tracker: TRACKER } });
    const req = await startRunning(h, 'orders'); // flex: queued → running → completed
    const jobId = req.atlasJobId!;
    const b = await handOverToChild(h, jobId);

    const textsBeforeKill = h.threadTexts(req.id);
    const killedAt = await killMidPoll(h, b, req);
    expect(h.threadTexts(req.id)).toEqual(textsBeforeKill);
    expect((await offlineStore(h).get(req.id))?.state).toBe('running');

    h.atlas.advanceJob(jobId, 'running');
    const takeoverMs = await takeOver(h, jobId, killedAt);
    // Lock expiry (1.5 s) + up to two stalled checks (0.5 s each) + start-up; far below BullMQ's 30 s default.
    expect(takeoverMs).toBeLessThan(10_000);
    await finishUnderC(h, req);
  }, 60_000);

  it('right after it posted a state change: the next replica records it without posting it again', async () => {
    h = await startHarness({ overrides: { tracker: TRACKER } });
    const req = await startRunning(h, 'orders');
    const jobId = req.atlasJobId!;
    const b = await handOverToChild(h, jobId);

    h.atlas.advanceJob(jobId, 'running');
    // B's done marker for "running" is written right after Slack answered: kill B the moment it appears.
    const doneMarker = `${h.prefix}bull:tracker:done:${req.id}:state:running`;
    await waitFor(async () => (await h!.redis.exists(doneMarker)) === 1, { timeoutMs: 8000, intervalMs: 2, message: 'B announced running' });
    const killedAt = await sigkill(b);
    expect(count(h, req.id, /is running/)).toBe(1);
    const recordedByB = (await offlineStore(h).get(req.id))?.lastJobState === 'running';
    const jobStateAtKill = await pollJobState(h, req.id);
    if (process.env.REPORT_TIMING) process.stderr.write(`[replica-sigkill] at the kill: lastJobState recorded=${recordedByB}, poll job ${jobStateAtKill}\n`);

    const takeoverMs = await takeOver(h, jobId, killedAt);
    expect(takeoverMs).toBeLessThan(10_000);
    // The audit entry has its own once-marker and is written before the state is recorded: it is never lost.
    await finishUnderC(h, req);
    if (process.env.REPORT_TIMING) {
      const audited = (await h.app.services.store.readAudit(500)).filter((e) => e.requestId === req.id && e.type === 'state_changed').length;
      process.stderr.write(`[replica-sigkill] state_changed audit entries for running: ${audited}\n`);
    }
  }, 60_000);

  it('mid-poll after it recorded a state change: the next replica does not post that change again', async () => {
    h = await startHarness({ overrides: { tracker: TRACKER } });
    const req = await startRunning(h, 'orders');
    const jobId = req.atlasJobId!;
    const b = await handOverToChild(h, jobId);
    h.atlas.advanceJob(jobId, 'running');
    await h.waitForThread(req.id, /is running/);
    await waitFor(async () => (await offlineStore(h!).get(req.id))?.lastJobState === 'running', { message: 'B recorded running' });

    const killedAt = await killMidPoll(h, b, req);
    const takeoverMs = await takeOver(h, jobId, killedAt);
    expect(takeoverMs).toBeLessThan(10_000);
    await finishUnderC(h, req);
  }, 60_000);
});

describe('test/fixtures/run-replica.ts', () => {
  it('refuses a missing or malformed description with a clear message and exit code 2', async () => {
    const missing = spawnReplicaProcess({});
    const bad = spawnReplicaProcess({ [REPLICA_ENV]: JSON.stringify({ slack: { apiUrl: 'not a url', botToken: 'x' }, prefix: '', tracker: { worker: { lockDuration: -1 } } }) });
    children.push({ ...missing, url: '' }, { ...bad, url: '' });
    expect((await missing.exited).code).toBe(2);
    expect(missing.output()).toContain(`REPLICA_BAD_DESCRIPTION: ${REPLICA_ENV} is not set`);
    expect((await bad.exited).code).toBe(2);
    for (const field of ['slack.apiUrl', 'atlas', 'prefix', 'tracker.worker.lockDuration', 'policyYaml']) expect(bad.output()).toContain(field);
  });
});
