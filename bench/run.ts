// `npm run bench`: the benchmarks in sequence, each under its own header. Prints figures, asserts nothing.
// Each benchmark also runs alone: npx tsx bench/<name>.ts
import { benchAtlasDigest } from './atlas-digest.js';
import { benchBatchedPollFloor } from './batched-poll-floor.js';
import { benchPollerLoad } from './poller-load.js';
import { benchSlackAck } from './slack-ack.js';
import { benchStepJobFloor } from './step-job-floor.js';
import { benchSubmissionRequests } from './submission-requests.js';
import { section } from './stats.js';

const BENCHMARKS: { title: string; run: () => Promise<void> }[] = [
  { title: 'Atlas Digest: round trips and client overhead per call', run: benchAtlasDigest },
  { title: 'Slack: slash command → views.open, our app vs bare Bolt', run: benchSlackAck },
  { title: 'Poller: 1,000 restores in flight on one process', run: benchPollerLoad },
  { title: "Poller's floor: BullMQ's own cost of one step of a step job", run: benchStepJobFloor },
  { title: "The floor of another design: one scheduler tick polls every restore that is due", run: benchBatchedPollFloor },
  { title: 'Submission: Atlas requests on a cluster with a long restore history', run: benchSubmissionRequests },
];

async function main(): Promise<void> {
  const started = performance.now();
  console.log(`atlas-restore benchmarks — node ${process.version}, ${(await import('node:os')).cpus().length} CPUs, Redis ${process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'}`);
  let failed = 0;
  for (const bench of BENCHMARKS) {
    section(bench.title);
    const t = performance.now();
    try {
      await bench.run();
    } catch (error) {
      // One broken benchmark must not hide the others' figures.
      failed += 1;
      console.error(`benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
    console.log(`(${((performance.now() - t) / 1000).toFixed(1)} s)`);
  }
  console.log(`\nall benchmarks done in ${((performance.now() - started) / 1000).toFixed(1)} s${failed ? `; ${failed} failed` : ''}`);
  if (failed) process.exitCode = 1;
}

await main();
