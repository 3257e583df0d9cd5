// `npm run demo`: the whole restore conversation on this machine, without Slack or Atlas.
// The REAL app (buildApp, Bolt's HTTP receiver, Redis, BullMQ) runs against a fake Atlas and a fake Slack;
// Alice asks for a restore, Bob approves it, the fake Atlas moves the job along, and the transcript shows
// what the channel would show, as it happens. Needs only Redis (REDIS_URL, default redis://127.0.0.1:6379).
import { actor, findButton, waitForFilledModal, type ActorContext } from './demo-actors.js';
import { describeFieldErrors, describeModal } from './demo-modal.js';
import { renderMrkdwn, say, watchSlack, WIDTH, type TranscriptWatcher } from './demo-transcript.js';
import { ALICE, BOB, CHANNEL, GROUP_ID, RedisUnreachableError, SIGNING_SECRET, checkRedis, startDemoWorld, type DemoWorld } from './demo-world.js';
import { waitFor } from '../test/helpers/wait-for.js';
import { runCollectionRestore } from './demo-collections.js';
import { runDrill } from './demo-drill.js';

/** The whole demo must end well within a minute; past this something is stuck and we say so. */
const DEADLINE_MS = 50_000;
/** How long the fake Atlas keeps the job in each state: slow enough to watch, fast enough to not bore. */
const ATLAS_STEP_MS = 1500;

const write = (line: string) => process.stdout.write(`${line}\n`);
const narrate = (text: string) => say(write, 'demo', text);

let world: DemoWorld | undefined;
let watcher: TranscriptWatcher | undefined;
let finishing: Promise<void> | undefined;
/** Set by Ctrl-C: whatever the interrupted conversation throws next is no news. */
let interrupted = false;

/** Stops the app, closes the fakes, removes the temp dir and the Redis keys; once, whoever asks first. */
function cleanUp(): Promise<void> {
  finishing ??= (async () => {
    watcher?.stop();
    await world?.close();
  })();
  return finishing;
}

async function runConversation(w: DemoWorld): Promise<void> {
  const ctx: ActorContext = { slack: w.slack, appUrl: w.appUrl, signingSecret: SIGNING_SECRET, channel: CHANNEL };
  const alice = actor(ctx, ALICE);
  const bob = actor(ctx, BOB);
  const render = (t: string) => renderMrkdwn(t, (id) => w.slack.workspace.users.get(id)?.name ?? id, (id) => w.slack.workspace.channels.get(id)?.name ?? id);
  watcher = watchSlack(w.slack, CHANNEL, write);

  // 1. The command and the modal.
  const viewsBefore = w.slack.views().length;
  say(write, '@alice', '/atlas-restore shop/orders');
  const ack = (await alice.command('shop/orders')) as { text?: string } | undefined;
  if (ack?.text) say(write, 'atlas-restore', `(only @alice sees this) ${render(ack.text)}`);
  const modal = await waitForFilledModal(w.slack, viewsBefore);
  say(write, 'slack', describeModal(modal, render));
  const snapshotId = findNewestSnapshot(w);

  // 2. Guardrail: the confirmation must be the target's name, typed in full.
  say(write, '@alice', `picks the newest snapshot, reason "orders.status index dropped by a bad migration", types "order" to confirm, presses [Request restore]`);
  const refused = describeFieldErrors(modal, await alice.submitModal(modal, { snapshotId, reason: 'orders.status index dropped by a bad migration', confirmation: 'order' }));
  if (!refused) throw new Error('DEMO_GUARDRAIL_MISSING: a wrong confirmation was accepted');
  say(write, 'slack', `guardrail: the modal stays open, with an inline error ${render(refused)}`);

  say(write, '@alice', 'corrects it to "orders", presses [Request restore]');
  const answer = await alice.submitModal(modal, { snapshotId, reason: 'orders.status index dropped by a bad migration', confirmation: 'orders' });
  const stillWrong = describeFieldErrors(modal, answer);
  if (stillWrong) throw new Error(`DEMO_SUBMIT_REFUSED: ${stillWrong}`);
  say(write, 'slack', 'the modal closes');

  // 3. The request card, then a second guardrail: the requester cannot approve her own restore.
  const card = await waitFor(() => w.slack.messages(CHANNEL).find((m) => !m.thread_ts && findButton(m, 'restore_approve')), { timeoutMs: 8000, message: 'the request card' });
  watcher.flush();
  const ephemeralsBefore = w.slack.ephemerals(ALICE).length;
  say(write, '@alice', 'clicks [Approve] on her own request and confirms');
  await alice.click(card, 'restore_approve');
  await waitFor(() => w.slack.ephemerals(ALICE).length > ephemeralsBefore, { timeoutMs: 5000, message: "the app's answer to Alice's approval" });
  watcher.flush();

  // 4. Bob approves; the fake Atlas runs the job; the thread follows it to its end.
  say(write, '@bob', 'clicks [Approve] and confirms "Restore now?"');
  await bob.click(card, 'restore_approve');
  const jobId = await waitFor(() => w.atlas.restoreJobs(GROUP_ID, 'orders')[0]?.id as string | undefined, { timeoutMs: 8000, message: 'the restore job in Atlas' });
  say(write, 'fake Atlas', `restore job ${jobId} created: PENDING`);
  await pause(ATLAS_STEP_MS);
  w.atlas.advanceJob(jobId, 'running');
  say(write, 'fake Atlas', `restore job ${jobId} → RUNNING`);
  await pause(ATLAS_STEP_MS);
  w.atlas.advanceJob(jobId, 'completed');
  say(write, 'fake Atlas', `restore job ${jobId} → COMPLETED`);
  await waitFor(() => w.slack.thread(CHANNEL, card.ts).some((m) => /Restore completed/.test(m.text)), { timeoutMs: 15000, message: '"Restore completed" in the thread' });
  // The card's last update follows the final message; give it the chance to land before the curtain.
  await waitFor(() => /completed/i.test(w.slack.messages(CHANNEL).find((m) => m.ts === card.ts)?.text ?? ''), { timeoutMs: 3000 }).catch(() => undefined);
  watcher.flush();

  // 5. A restore drill: the policy pre-approves restoring ledger into its scratch copy; Bob runs it now.
  narrate('a restore drill of the policy: shop/ledger into the scratch cluster shop/ledger-drill, pre-approved');
  await runDrill(w, write, ATLAS_STEP_MS);
  watcher.flush();

  // 6. A collection-level restore: one collection back, beside the live data, with its progress in the thread.
  narrate('a collection-level restore: sales.orders of shop/ledger, written beside the live data');
  await runCollectionRestore(w, write, ATLAS_STEP_MS);
  watcher.flush();
}

function findNewestSnapshot(w: DemoWorld): string {
  const newest = w.atlas.snapshots(GROUP_ID, 'orders')[0];
  if (!newest) throw new Error('DEMO_NO_SNAPSHOT: the fake Atlas has no snapshot of shop/orders');
  return String(newest.id);
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function main(): Promise<number> {
  const started = Date.now();
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  try {
    await checkRedis(redisUrl);
  } catch (err) {
    if (err instanceof RedisUnreachableError) {
      process.stderr.write(`${err.message}\n`);
      return 1;
    }
    throw err;
  }
  world = await startDemoWorld(redisUrl);
  write('═'.repeat(WIDTH));
  narrate(`fake Atlas ${world.atlas.url} (Digest auth) · fake Slack ${world.slack.url} · app ${world.appUrl}`);
  narrate(`Redis ${redisUrl}, keys under "${world.prefix}*" (removed at the end) · policy in ${world.tempDir}`);
  narrate('shop/orders is a Flex cluster, shop/ledger a dedicated one (shop/ledger-drill its scratch copy); @alice may request, @bob may approve.');
  write('═'.repeat(WIDTH));
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`DEMO_TIMEOUT: the conversation did not finish within ${DEADLINE_MS / 1000} s`)), DEADLINE_MS);
  });
  try {
    await Promise.race([runConversation(world), deadline]);
  } finally {
    clearTimeout(timer);
  }
  write('═'.repeat(WIDTH));
  narrate(`the whole conversation took ${((Date.now() - started) / 1000).toFixed(1)} s; stopping the app and the fakes`);
  return 0;
}

function onSignal(signal: NodeJS.Signals): void {
  interrupted = true;
  process.stderr.write(`\n${signal}: stopping the app, closing the fakes, removing the demo's Redis keys…\n`);
  void cleanUp().finally(() => process.exit(130));
}
process.once('SIGINT', onSignal);
process.once('SIGTERM', onSignal);

main()
  .then(async (code) => {
    if (interrupted) return;
    await cleanUp();
    process.exit(code);
  })
  .catch(async (err: unknown) => {
    if (interrupted) return; // the signal handler exits once cleaned up
    process.stderr.write(`demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
    await cleanUp();
    process.exit(1);
  });
