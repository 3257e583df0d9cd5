// The demo's second act: a restore drill of the policy, run now by an approver, followed to its end in the channel,
// with its restore time and the age of the snapshot it restored.
import { actor, type ActorContext } from './demo-actors.js';
import { say } from './demo-transcript.js';
import { BOB, CHANNEL, GROUP_ID, SIGNING_SECRET, type DemoWorld } from './demo-world.js';
import { waitFor } from '../test/helpers/wait-for.js';

export async function runDrill(w: DemoWorld, write: (line: string) => void, stepMs: number): Promise<void> {
  const ctx: ActorContext = { slack: w.slack, appUrl: w.appUrl, signingSecret: SIGNING_SECRET, channel: CHANNEL };
  const bob = actor(ctx, BOB);
  say(write, '@bob', '/atlas-restore drill ledger-nightly');
  const responses = w.slack.calls.filter((c) => c.method === 'response_url').length;
  await bob.command('drill ledger-nightly');
  // The private answer is printed by the transcript's watcher, with every other one.
  await waitFor(() => w.slack.calls.filter((c) => c.method === 'response_url')[responses], { timeoutMs: 5000, message: "the app's answer to the drill command" });
  const card = await waitFor(() => w.slack.messages(CHANNEL).find((m) => !m.thread_ts && m.text.includes('drill')), { timeoutMs: 8000, message: 'the drill card' });
  const jobId = await waitFor(() => w.atlas.restoreJobs(GROUP_ID, 'ledger')[0]?.id as string | undefined, { timeoutMs: 8000, message: "the drill's restore job" });
  say(write, 'fake Atlas', `restore job ${jobId} into shop/ledger-drill: running`);
  await new Promise((resolve) => setTimeout(resolve, stepMs));
  w.atlas.advanceJob(jobId, 'completed');
  say(write, 'fake Atlas', `restore job ${jobId} → completed`);
  await waitFor(() => w.slack.thread(CHANNEL, card.ts).some((m) => /Drill [^:]*: restore completed/.test(m.text)), { timeoutMs: 15000, message: "the drill's final message" });
}
