// Child process of bench/poller-load.ts: runs the fake Atlas with N restore jobs that stay where they are,
// so the CPU the benchmark measures in the parent is the bot's own. Talks to the parent over IPC:
//   parent → child: { type: 'stats' } | { type: 'close' }
//   child → parent: { type: 'ready', ... } | { type: 'stats', ... }
import { startFakeAtlas } from '../test/fakes/fake-atlas.js';
import type { ClusterType } from '../src/atlas/types.js';

export interface SeededJob {
  type: ClusterType;
  groupId: string;
  source: string;
  target: string;
  snapshotId: string;
  jobId: string;
}

export type ChildMessage =
  | { type: 'ready'; url: string; publicKey: string; privateKey: string; jobs: SeededJob[] }
  | { type: 'stats'; jobGets: number; requests: number; challenges: number; rejected: number; cpuMicros: number };

export type ParentMessage = { type: 'stats' } | { type: 'close' };

const TYPES: readonly ClusterType[] = ['dedicated', 'flex', 'serverless'];
const JOBS_PER_GROUP = 100;
const JOB_GET = /\/backup\/restoreJobs\/[^/]+$/;

async function main(): Promise<void> {
  if (!process.send) throw new Error('BENCH_NOT_A_CHILD: run through bench/poller-load.ts (needs an IPC channel)');
  const count = Number(process.env.BENCH_FAKE_JOBS ?? 1000);
  // stepsPerState 0: jobs never move on by themselves, so every restore keeps being polled.
  const fake = await startFakeAtlas({ stepsPerState: 0 });
  const jobs: SeededJob[] = [];
  for (let i = 0; i < count; i++) {
    const type = TYPES[i % TYPES.length]!;
    const groupId = `5e2211c17a3e5a48f5${String(Math.floor(i / JOBS_PER_GROUP)).padStart(6, '0')}`; // 24 hex
    const source = `src-${i}`;
    const target = `dst-${i}`;
    fake.addCluster({ groupId, name: source, type, snapshots: 1 });
    fake.addCluster({ groupId, name: target, type, snapshots: 0 });
    const snapshotId = String(fake.snapshots(groupId, source)[0]!.id);
    const { id: jobId } = fake.seedRestoreJob({ groupId, name: source }, { snapshotId, targetGroupId: groupId, targetClusterName: target });
    jobs.push({ type, groupId, source, target, snapshotId, jobId });
  }
  const cpuStart = process.cpuUsage();
  process.on('message', (msg: ParentMessage) => {
    if (msg.type === 'stats') {
      const cpu = process.cpuUsage(cpuStart);
      const jobGets = fake.requests.filter((r) => r.method === 'GET' && r.authorized && JOB_GET.test(r.path)).length;
      const s = fake.stats();
      const reply: ChildMessage = { type: 'stats', jobGets, requests: fake.requests.length, challenges: s.challenges, rejected: s.rejected, cpuMicros: cpu.user + cpu.system };
      process.send!(reply);
    } else if (msg.type === 'close') {
      void fake.close().finally(() => process.disconnect());
    }
  });
  // The parent going away (crash, Ctrl-C) must not leave this process behind.
  process.on('disconnect', () => void fake.close().finally(() => process.exit(0)));
  const ready: ChildMessage = { type: 'ready', url: fake.url, publicKey: fake.publicKey, privateKey: fake.privateKey, jobs };
  process.send(ready);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
