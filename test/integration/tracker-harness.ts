// Shared setup of the tracker tests: real Redis (random prefixes), the fake Atlas, the real store and
// Atlas client, and a notifier that records what it was told.
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import type { Redis } from 'ioredis';
import { Queue } from 'bullmq';
import { createAtlasClient } from '../../src/atlas/client.js';
import type { AtlasClient, ClusterType, RestoreJob } from '../../src/atlas/types.js';
import { createRestoreStore, type RestoreStore } from '../../src/restore/store.js';
import { createRestoreTracker, TRACKER_QUEUE, type RestoreNotifier, type TrackerOptions } from '../../src/restore/tracker.js';
import type { RestoreRequest } from '../../src/restore/types.js';
import { afterAll, beforeAll } from 'vitest';
import { startFakeAtlas, type FakeAtlas } from '../fakes/fake-atlas.js';
import { connect, deleteKeys, makeRequest, randomPrefix } from './store-fixtures.js';

export const quietLogger = pino({ level: process.env.TRACKER_TEST_LOG ?? 'silent' });

export interface NotifierCall {
  method: keyof RestoreNotifier;
  requestId: string;
  requestState: string;
  lastJobState?: string | undefined;
  jobState?: string | undefined;
  error?: string | undefined;
  runningForMs?: number | undefined;
  how?: string | undefined;
  category?: string | undefined;
  by: string;
}

/** Records each call when it returns (a call that never returns is not a delivered notification). */
export function recordingNotifier(calls: NotifierCall[], by: string, hooks: Partial<Record<keyof RestoreNotifier, (req: RestoreRequest) => Promise<void>>> = {}): RestoreNotifier {
  const record = async (method: keyof RestoreNotifier, req: RestoreRequest, extra: Partial<NotifierCall> = {}) => {
    await hooks[method]?.(req);
    calls.push({ method, requestId: req.id, requestState: req.state, lastJobState: req.lastJobState, by, ...extra });
  };
  return {
    // Card refreshes are best effort and may repeat: not a notification the tests count.
    requestChanged: async () => undefined,
    submitted: (req, how) => record('submitted', req, { how }),
    submitWaiting: (req, wait) => record('submitWaiting', req, { error: wait.message, category: wait.category }),
    notSubmitted: (req) => record('notSubmitted', req, { error: req.failureReason }),
    submitRefused: (req, error) => record('submitRefused', req, { error: error.message }),
    submitUnconfirmed: (req) => record('submitUnconfirmed', req),
    approvalsDropped: (req, dropped) => record('approvalsDropped', req, { error: dropped.map((d) => d.user).join(',') }),
    accessProblem: (req, error) => record('accessProblem', req, { error: `${error.message} ${error.code ?? ''}` }),
    jobStateChanged: (req, job: RestoreJob) => record('jobStateChanged', req, { jobState: job.state }),
    restoreFinished: (req, job: RestoreJob) => record('restoreFinished', req, { jobState: job.state }),
    statusUnknown: (req, error) => record('statusUnknown', req, { error: error.message }),
    longRunning: (req, runningForMs) => record('longRunning', req, { runningForMs }),
    trackingLost: (req, error) => record('trackingLost', req, { error: error.message }),
    approvalExpired: (req) => record('approvalExpired', req),
    endedByPerson: (req) => record('endedByPerson', req),
    publishRequest: async (req) => {
      await record('publishRequest', req);
      return undefined;
    },
    safetySnapshotStarted: (req) => record('safetySnapshotStarted', req),
    safetySnapshotCompleted: (req) => record('safetySnapshotCompleted', req),
    progress: (req) => record('progress', req, { runningForMs: req.progress?.announcedStep }),
    drillNotStarted: async (drill, reason) => void calls.push({ method: 'drillNotStarted', requestId: drill.name, requestState: '', error: reason, by }),
  };
}

export function atlasClientFor(fake: FakeAtlas, timeoutMs = 3000): AtlasClient {
  // One attempt per call: the tracker itself must cope with Atlas trouble.
  return createAtlasClient({ baseUrl: fake.url, auth: { kind: 'digest', publicKey: fake.publicKey, privateKey: fake.privateKey }, retryPolicy: { maxAttempts: 1 }, timeoutMs });
}

export const hex24 = (): string => randomBytes(12).toString('hex');

/** A store prefix + a BullMQ prefix, a Redis connection per "replica", and cleanup. */
export class TrackerHarness {
  readonly storePrefix = randomPrefix('tracker');
  readonly bullPrefix = `${this.storePrefix}bull`;
  readonly redis: Redis = connect();
  readonly store: RestoreStore = createRestoreStore({ redis: this.redis, prefix: this.storePrefix });
  readonly calls: NotifierCall[] = [];
  private readonly cleanups: (() => Promise<unknown>)[] = [];
  private seq = 0;

  constructor(readonly fake: FakeAtlas) {}

  /** A tracker on its own Redis connection and store instance, as another replica would have. */
  async startTracker(name: string, overrides: Partial<TrackerOptions> = {}): Promise<ReturnType<typeof createRestoreTracker> & { redis: Redis }> {
    const redis = connect();
    const store = createRestoreStore({ redis, prefix: this.storePrefix });
    const tracker = createRestoreTracker({
      connection: redis,
      prefix: this.bullPrefix,
      store,
      atlas: atlasClientFor(this.fake),
      notifier: recordingNotifier(this.calls, name),
      logger: quietLogger.child({ tracker: name }),
      pollIntervalSeconds: 0.1,
      minDelayMs: 20,
      notifyLeaseSeconds: 2,
      targetLockTtlSeconds: 600,
      worker: { lockDuration: 2000, stalledInterval: 1000, drainDelay: 1 },
      // These tests call reconcile() themselves and count what it did; no scheduled runs in between.
      reconcileEveryMs: 0,
      ...overrides,
    });
    await tracker.start();
    this.cleanups.push(async () => {
      await tracker.close({ force: true }).catch(() => undefined);
      redis.disconnect();
    });
    return Object.assign(tracker, { redis });
  }

  queue(): Queue {
    const connection = this.redis.duplicate();
    const queue = new Queue(TRACKER_QUEUE, { connection, prefix: this.bullPrefix });
    this.cleanups.push(async () => {
      await queue.close();
      connection.disconnect();
    });
    return queue;
  }

  /** A source and a target cluster of `type` in the fake, and a restore job between them in Atlas. */
  seedAtlas(type: ClusterType): { groupId: string; source: string; target: string; snapshotId: string; jobId: string } {
    this.seq += 1;
    const groupId = hex24();
    const source = `src-${type}-${this.seq}`;
    const target = `dst-${type}-${this.seq}`;
    this.fake.addCluster({ groupId, name: source, type, snapshots: 1 });
    this.fake.addCluster({ groupId, name: target, type, snapshots: 0 });
    const snapshotId = String(this.fake.snapshots(groupId, source)[0]?.id);
    const { id: jobId } = this.fake.seedRestoreJob({ groupId, name: source }, { snapshotId, targetGroupId: groupId, targetClusterName: target });
    return { groupId, source, target, snapshotId, jobId };
  }

  /** A 'running' request whose Atlas job is `jobId` (or a fresh one), holding its target lock. */
  async seedRunning(type: ClusterType, overrides: Partial<RestoreRequest> = {}): Promise<{ req: RestoreRequest; jobId: string }> {
    const a = this.seedAtlas(type);
    const req = makeRequest({
      id: `RR-${randomBytes(4).toString('hex').toUpperCase()}`,
      source: { project: 'shop', groupId: a.groupId, cluster: a.source, type },
      target: { project: 'shop', groupId: a.groupId, cluster: a.target, type },
      snapshot: { id: a.snapshotId, createdAt: new Date().toISOString() },
      state: 'running',
      atlasJobId: a.jobId,
      lastJobState: type === 'flex' ? 'pending' : 'running',
      submittedAt: new Date().toISOString(),
      ...overrides,
    });
    await this.store.create(req);
    const lock = await this.store.acquireTargetLock(req.target, req.id, 600);
    if (!lock.ok) throw new Error(`test setup: target lock of ${req.target.cluster} is held by ${lock.holder}`);
    return { req, jobId: req.atlasJobId ?? a.jobId };
  }

  async seedPending(expiresInMs: number): Promise<RestoreRequest> {
    const a = this.seedAtlas('dedicated');
    const req = makeRequest({
      id: `RR-${randomBytes(4).toString('hex').toUpperCase()}`,
      source: { project: 'shop', groupId: a.groupId, cluster: a.source, type: 'dedicated' },
      target: { project: 'shop', groupId: a.groupId, cluster: a.target, type: 'dedicated' },
      createdAt: new Date().toISOString(),
      approvalExpiresAt: new Date(Date.now() + expiresInMs).toISOString(),
    });
    await this.store.create(req);
    const lock = await this.store.acquireTargetLock(req.target, req.id, 600);
    if (!lock.ok) throw new Error('test setup: target lock taken');
    return req;
  }

  /** True when another request could take the target lock now (i.e. it was released). */
  async lockIsFree(req: RestoreRequest): Promise<boolean> {
    const probe = await this.store.acquireTargetLock(req.target, `PROBE-${req.id}`, 5);
    if (probe.ok) await this.store.releaseTargetLock(req.target, `PROBE-${req.id}`);
    return probe.ok;
  }

  callsFor(requestId: string, method?: keyof RestoreNotifier): NotifierCall[] {
    return this.calls.filter((c) => c.requestId === requestId && (method === undefined || c.method === method));
  }

  async cleanup(): Promise<void> {
    for (const fn of this.cleanups.reverse()) await fn().catch(() => undefined);
    await deleteKeys(this.redis, this.storePrefix);
    this.redis.disconnect();
  }
}

/** One fake Atlas and one harness for a whole test file: started before its tests, cleaned up after them. */
export function useTrackerHarness(): { readonly fake: FakeAtlas; readonly h: TrackerHarness } {
  const world = {} as { fake: FakeAtlas; h: TrackerHarness };
  beforeAll(async () => {
    world.fake = await startFakeAtlas({ stepsPerState: 0 });
    world.h = new TrackerHarness(world.fake);
  });
  afterAll(async () => {
    await world.h?.cleanup();
    await world.fake?.close();
  });
  return world;
}
