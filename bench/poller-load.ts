// Benchmark: 1,000 restores in flight on one process. One tracker (as the app builds it: BullMQ worker,
// concurrency 50, base interval 10 s, so 5 s ±20 % in the first 3 minutes) follows 1,000 'running'
// requests whose Atlas jobs never finish. The fake Atlas runs in a child process (fake-atlas-process.ts)
// so the CPU figure is the bot's own. Reports poll lateness, CPU share of one core, Redis commands per poll, and memory:
// the Redis server's per restore in flight, and the bot's heap (its size, and its growth while the polls go on).
// Run: npx tsx bench/poller-load.ts   (POLLER_RESTORES=N, POLLER_RUN_SECONDS=S to change the load)
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { createAtlasClient } from '../src/atlas/client.js';
import type { ClusterType, RestoreJob, RestoreJobState } from '../src/atlas/types.js';
import { createRestoreStore } from '../src/restore/store.js';
import { createRestoreTracker, type RestoreNotifier } from '../src/restore/tracker.js';
import type { RestoreRequest } from '../src/restore/types.js';
import type { ChildMessage, ParentMessage, SeededJob } from './fake-atlas-process.js';
import { countRedisCommands, diffStats } from './count-redis-commands.js';
import { deleteKeys } from './delete-keys.js';
import { kilobytes, measureMemory, megabytes, type MemoryReading } from './measure-memory.js';
import { serverCommandStats } from './server-command-stats.js';
import { describeMs, ms, percentile, summarize } from './stats.js';

const RESTORES = Number(process.env.POLLER_RESTORES ?? 1000);
const RUN_SECONDS = Number(process.env.POLLER_RUN_SECONDS ?? 75);
/** The first polls come all at once (1,000 jobs added together); "steady" figures start after this. */
const STEADY_AFTER_SECONDS = 15;
const BASE_INTERVAL_SECONDS = 10;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

// ---- the fake Atlas child ---------------------------------------------------------------------------

interface AtlasChild {
  ready: Extract<ChildMessage, { type: 'ready' }>;
  stats(): Promise<Extract<ChildMessage, { type: 'stats' }>>;
  close(): Promise<void>;
}

function nextMessage<T extends ChildMessage['type']>(child: ChildProcess, type: T, timeoutMs: number): Promise<Extract<ChildMessage, { type: T }>> {
  return new Promise((resolve, reject) => {
    const onMessage = (msg: ChildMessage) => {
      if (msg.type !== type) return;
      cleanup();
      resolve(msg as Extract<ChildMessage, { type: T }>);
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`BENCH_CHILD_EXITED: the fake Atlas process exited (code ${code}) before sending '${type}'`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`BENCH_CHILD_TIMEOUT: no '${type}' from the fake Atlas process within ${timeoutMs} ms`));
    }, timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

async function startAtlasChild(jobs: number): Promise<AtlasChild> {
  // fork() reuses this process's execArgv, which carries tsx's loader: the child can be TypeScript too.
  const child = fork(fileURLToPath(new URL('./fake-atlas-process.ts', import.meta.url)), [], { env: { ...process.env, BENCH_FAKE_JOBS: String(jobs) } });
  const send = (msg: ParentMessage) => child.send(msg);
  try {
    const ready = await nextMessage(child, 'ready', 60_000);
    return {
      ready,
      async stats() {
        const reply = nextMessage(child, 'stats', 10_000);
        send({ type: 'stats' });
        return reply;
      },
      async close() {
        if (child.exitCode !== null || !child.connected) return;
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        send({ type: 'close' });
        const timer = setTimeout(() => child.kill(), 5000);
        await exited;
        clearTimeout(timer);
      },
    };
  } catch (err) {
    child.kill();
    throw err;
  }
}

const sum = (m: Map<string, number>): number => [...m.values()].reduce((a, b) => a + b, 0);

// ---- the benchmark ----------------------------------------------------------------------------------

interface Snapshot {
  wallMs: number;
  cpuMicros: number;
  /** Of cpuMicros, the time in the kernel (socket writes and reads, mostly). */
  systemMicros: number;
  commands: number;
  roundTrips: number;
  server: Map<string, number>;
  atlasJobGets: number;
  atlasRequests: number;
  childCpuMicros: number;
  memory: MemoryReading;
}

function noOpNotifier(counts: Record<string, number>): RestoreNotifier {
  const note = (what: string) => async () => {
    counts[what] = (counts[what] ?? 0) + 1;
  };
  const names: (keyof RestoreNotifier)[] = [
    'requestChanged', 'submitted', 'submitWaiting', 'notSubmitted', 'submitRefused', 'submitUnconfirmed', 'approvalsDropped', 'accessProblem',
    'jobStateChanged', 'restoreFinished', 'statusUnknown', 'longRunning', 'trackingLost', 'approvalExpired', 'publishRequest', 'drillNotStarted', 'safetySnapshotStarted', 'safetySnapshotCompleted', 'progress',
  ];
  return Object.fromEntries(names.map((name) => [name, note(name)])) as unknown as RestoreNotifier;
}

function requestFor(id: string, job: SeededJob, lastJobState: RestoreJobState, now: Date): RestoreRequest {
  const iso = now.toISOString();
  return {
    id,
    requester: 'U0BENCH001',
    source: { project: 'bench', groupId: job.groupId, cluster: job.source, type: job.type },
    target: { project: 'bench', groupId: job.groupId, cluster: job.target, type: job.type },
    snapshot: { id: job.snapshotId, createdAt: iso },
    reason: 'poller load benchmark',
    state: 'running',
    approvalsRequired: 1,
    approvals: [{ user: 'U0BENCH002', at: iso }],
    dryRun: false,
    channel: 'C0BENCH001',
    cardTs: '1700000000.000100',
    atlasJobId: job.jobId,
    lastJobState,
    createdAt: iso,
    approvalExpiresAt: new Date(now.getTime() + 30 * 60_000).toISOString(),
    submittedAt: iso,
    updatedAt: iso,
  };
}

/** Each measured poll's lateness and when it was seen, in two typed arrays allocated once. */
function recordLags(capacity: number) {
  const at = new Float64Array(capacity);
  const late = new Float64Array(capacity);
  let length = 0;
  return {
    get length() {
      return length;
    },
    add(when: number, ms: number) {
      if (length === capacity) return; // more polls than a 1 s base interval would make: not possible here
      at[length] = when;
      late[length] = ms;
      length += 1;
    },
    between(from: number, to: number): number[] {
      const out: number[] = [];
      for (let i = 0; i < length; i += 1) if (at[i]! >= from && at[i]! <= to) out.push(late[i]!);
      return out;
    },
  };
}

const pct = (cpuMicros: number, wallMs: number): string => `${((cpuMicros / 1000 / wallMs) * 100).toFixed(1)} %`;

export async function benchPollerLoad(): Promise<void> {
  const prefix = `bench-poll-${randomBytes(4).toString('hex')}:`;
  const redis = new Redis(REDIS_URL);
  const counter = countRedisCommands();
  const warnings: string[] = [];
  // Warnings (failed polls, lost locks) are counted, not printed: a clean run has none.
  const logger = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(line) });
  const notified: Record<string, number> = {};
  // Preallocated: the bench's own record of each poll must not grow the heap it measures.
  const lags = recordLags(RESTORES * RUN_SECONDS);
  let child: AtlasChild | undefined;
  let tracker: ReturnType<typeof createRestoreTracker> | undefined;
  try {
    const seedStarted = performance.now();
    const empty = await measureMemory(redis);
    child = await startAtlasChild(RESTORES);
    const { url, publicKey, privateKey, jobs } = child.ready;
    const atlas = createAtlasClient({ baseUrl: url, auth: { kind: 'digest', publicKey, privateKey }, logger });
    const store = createRestoreStore({ redis, prefix });

    // What each cluster type's seeded job reads as, so the first poll sees no change (no notification path).
    const stateOf = new Map<ClusterType, RestoreJobState>();
    for (const job of jobs) {
      if (stateOf.has(job.type)) continue;
      const seen: RestoreJob = await atlas.getRestoreJob({ groupId: job.groupId, clusterName: job.source, type: job.type }, job.jobId);
      stateOf.set(job.type, seen.state);
    }
    const now = new Date();
    const ids: string[] = [];
    for (let i = 0; i < jobs.length; i += 100) {
      await Promise.all(
        jobs.slice(i, i + 100).map(async (job) => {
          const id = store.newRequestId();
          ids.push(id);
          const req = requestFor(id, job, stateOf.get(job.type)!, now);
          await store.create(req);
          const lock = await store.acquireTargetLock(req.target, id, 6 * 3600);
          if (!lock.ok) throw new Error(`BENCH_SEED_LOCK: target ${job.target} is already locked`);
        }),
      );
    }

    tracker = createRestoreTracker({
      connection: redis,
      prefix: `${prefix}bull`,
      store,
      atlas,
      notifier: noOpNotifier(notified),
      logger,
      pollIntervalSeconds: BASE_INTERVAL_SECONDS,
      longRunningAfterMinutes: 240,
      targetLockTtlSeconds: 6 * 3600, // as app.ts: each poll refreshes the target lock
      onPollLag: (seconds) => lags.add(performance.now(), seconds * 1000),
    });
    const seeded = await measureMemory(redis);
    await tracker.start();
    console.log(`seeded ${jobs.length} running restores (${[...stateOf].map(([t, s]) => `${t}: ${s}`).join(', ')}) in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`);

    const snapshot = async (): Promise<Snapshot> => {
      // Memory first: its garbage collection is CPU of this process, and must fall outside the measured window.
      const memory = await measureMemory(redis);
      const [server, atlasStats] = await Promise.all([serverCommandStats(redis), child!.stats()]);
      const cpu = process.cpuUsage();
      return {
        wallMs: performance.now(),
        cpuMicros: cpu.user + cpu.system,
        systemMicros: cpu.system,
        commands: counter.commands,
        roundTrips: counter.roundTrips,
        server,
        atlasJobGets: atlasStats.jobGets,
        atlasRequests: atlasStats.requests,
        childCpuMicros: atlasStats.cpuMicros,
        memory,
      };
    };

    const start = await snapshot();
    await Promise.all(ids.map((id) => tracker!.track(id)));
    const progress = setInterval(() => {
      const s = ((performance.now() - start.wallMs) / 1000).toFixed(0);
      console.log(`  … ${s} s: ${lags.length} late-measured polls so far, lateness p99 ${ms(percentile(lags.between(0, Infinity), 99))} ms`);
    }, 15_000);
    await new Promise((resolve) => setTimeout(resolve, STEADY_AFTER_SECONDS * 1000));
    const steady = await snapshot();
    await new Promise((resolve) => setTimeout(resolve, (RUN_SECONDS - STEADY_AFTER_SECONDS) * 1000));
    clearInterval(progress);
    const end = await snapshot();

    const report = (label: string, from: Snapshot, to: Snapshot) => {
      const wall = to.wallMs - from.wallMs;
      const polls = to.atlasJobGets - from.atlasJobGets;
      const server = diffStats(from.server, to.server);
      const per = (n: number) => (polls > 0 ? (n / polls).toFixed(1) : 'n/a');
      const window = lags.between(from.wallMs, to.wallMs);
      console.log(`[${label}] ${(wall / 1000).toFixed(1)} s, ${polls} polls (${(polls / (wall / 1000)).toFixed(0)}/s, ${(polls / RESTORES).toFixed(1)} per restore)`);
      console.log(`[${label}]   lateness ${describeMs(summarize(window))}`);
      console.log(`[${label}]   CPU share of one core: ${pct(to.cpuMicros - from.cpuMicros, wall)} (bot process; ${pct(to.systemMicros - from.systemMicros, wall)} of it in the kernel); fake Atlas child: ${pct(to.childCpuMicros - from.childCpuMicros, wall)}`);
      console.log(`[${label}]   Redis per poll: ${per(to.commands - from.commands)} commands sent by the bot in ${per(to.roundTrips - from.roundTrips)} round trips; server executed ${per(sum(server))} incl. inside Lua`);
      const top = [...server].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.BENCH_TOP_COMMANDS ?? 8)).map(([name, n]) => `${name} ${per(n)}`);
      console.log(`[${label}]   server commands per poll, top: ${top.join(', ')}`);
      console.log(`[${label}]   Atlas HTTP requests per poll: ${per(to.atlasRequests - from.atlasRequests)} (Digest challenges included)`);
      return { wall, polls, server, window };
    };

    console.log(`${RESTORES} restores, one tracker (BullMQ concurrency 50), base interval ${BASE_INTERVAL_SECONDS} s (5 s ±20 % in the first 3 min), ${RUN_SECONDS} s run; fake Atlas in a child process`);
    const all = report('whole run', start, end);
    report(`steady, after ${STEADY_AFTER_SECONDS} s`, steady, end);
    const lateness = all.window;
    console.log(`poll lateness p99: ${ms(percentile(lateness, 99))} ms  (goal < 1000 ms; first polls carry no due time and are not measured)`);
    console.log(`CPU share of one core: ${pct(end.cpuMicros - start.cpuMicros, all.wall)}  (goal < 25 %; the bot's process only: the fake Atlas runs in a child, ${pct(end.childCpuMicros - start.childCpuMicros, all.wall)})`);
    console.log(`Redis commands per poll: ${((end.commands - start.commands) / all.polls).toFixed(1)} sent by the bot; ${(sum(all.server) / all.polls).toFixed(1)} executed by the server (INFO commandstats, server-wide: includes commands inside Lua and any other client of this Redis)`);
    const perRestore = (bytes: number) => kilobytes(bytes / RESTORES);
    console.log(`Redis memory per restore in flight: ${perRestore(steady.memory.redisUsedBytes - empty.redisUsedBytes)} (the request, its indexes and target lock: ${perRestore(seeded.redisUsedBytes - empty.redisUsedBytes)}; the rest is its BullMQ job, and the queue's event stream, capped); ${megabytes(steady.memory.redisUsedBytes - empty.redisUsedBytes)} for ${RESTORES}`);
    const steadyPolls = end.atlasJobGets - steady.atlasJobGets;
    const growth = end.memory.heapUsedBytes - steady.memory.heapUsedBytes;
    console.log(`bot heap after GC: ${megabytes(empty.heapUsedBytes)} before the restores, ${megabytes(steady.memory.heapUsedBytes)} with ${RESTORES} in flight, ${megabytes(end.memory.heapUsedBytes)} at the end: ${growth >= 0 ? '+' : ''}${megabytes(growth)} over the steady window's ${steadyPolls} polls (${steadyPolls > 0 ? (growth / steadyPolls).toFixed(0) : 'n/a'} bytes per poll); RSS ${megabytes(end.memory.rssBytes)}`);
    const notes = Object.entries(notified).map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
    console.log(`  notifier calls: ${notes}; warnings logged: ${warnings.length}${warnings[0] ? ` (first: ${warnings[0].slice(0, 200).trim()})` : ''}`);
  } finally {
    await tracker?.close();
    counter.restore();
    const deleted = await deleteKeys(redis, prefix);
    console.log(`  cleaned up ${deleted} Redis keys under ${prefix}`);
    redis.disconnect();
    await child?.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  benchPollerLoad().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
