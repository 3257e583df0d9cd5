// The demo's third act: a collection-level restore. Alice brings back one collection beside the live data
// (CREATE_NEW: nothing existing is replaced, so no typed confirmation), Bob approves, and the thread follows the
// documents restored and says where the collection was written.
import { actor, findButton, waitForFilledModal, type ActorContext } from './demo-actors.js';
import { say } from './demo-transcript.js';
import { ALICE, BOB, CHANNEL, GROUP_ID, SIGNING_SECRET, type DemoWorld } from './demo-world.js';
import { waitFor } from '../test/helpers/wait-for.js';

export async function runCollectionRestore(w: DemoWorld, write: (line: string) => void, stepMs: number): Promise<void> {
  const ctx: ActorContext = { slack: w.slack, appUrl: w.appUrl, signingSecret: SIGNING_SECRET, channel: CHANNEL };
  const alice = actor(ctx, ALICE);
  const bob = actor(ctx, BOB);
  const views = w.slack.views().length;
  say(write, '@alice', '/atlas-restore shop/ledger only sales.orders');
  await alice.command('shop/ledger only sales.orders');
  const modal = await waitForFilledModal(w.slack, views);
  say(write, '@alice', 'keeps "beside the live data" (CREATE_NEW), reason "orders collection dropped", presses [Request restore]');
  await alice.submitModal(modal, { reason: 'orders collection dropped' });
  const card = await waitFor(() => w.slack.messages(CHANNEL).find((m) => !m.thread_ts && findButton(m, 'restore_approve')), { timeoutMs: 8000, message: 'the collection restore card' });
  say(write, '@bob', 'clicks [Approve] and confirms');
  await bob.click(card, 'restore_approve');
  const jobId = await waitFor(() => w.atlas.collectionRestoreJobs(GROUP_ID, 'ledger')[0]?.['id'] as string | undefined, { timeoutMs: 8000, message: 'the collection restore job' });
  for (const to of ['IN_PROGRESS', 'SUCCESSFUL'] as const) {
    await new Promise((resolve) => setTimeout(resolve, stepMs));
    w.atlas.advanceCollectionJob(jobId, to);
    say(write, 'fake Atlas', `collection restore job ${jobId} → ${to}`);
  }
  await waitFor(() => w.slack.thread(CHANNEL, card.ts).some((m) => /Restore completed/.test(m.text)), { timeoutMs: 15000, message: "the collection restore's final message" });
}
