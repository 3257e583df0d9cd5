// Atlas requests one submission costs on a cluster with a long restore history (a real Flex cluster had 2,160
// restore jobs). The real app, the fake Atlas and the fake Slack, real Redis: Alice requests, Bob approves, and
// the Atlas requests between Bob's click and the request running are counted by the fake Atlas.
import { pathToFileURL } from 'node:url';
import { ALICE, BOB, CHANNEL, GROUP_ID, SIGNING_SECRET, startDemoWorld, type DemoWorld } from '../scripts/demo-world.js';
import { actor, findButton, waitForFilledModal } from '../scripts/demo-actors.js';
import { waitFor } from '../test/helpers/wait-for.js';

const PAST_JOBS = Number(process.env.SUBMISSION_PAST_JOBS ?? 2000);

/** Past restore jobs of `source`, all finished (and into another cluster, so none is ever taken for ours). */
function seedHistory(w: DemoWorld, source: string): void {
  const snapshotId = String(w.atlas.snapshots(GROUP_ID, source).at(-1)!.id);
  for (let i = 0; i < PAST_JOBS; i++) {
    const { id } = w.atlas.seedRestoreJob({ groupId: GROUP_ID, name: source }, { snapshotId, targetGroupId: GROUP_ID, targetClusterName: `${source}-elsewhere` });
    w.atlas.advanceJob(id, 'completed');
  }
}

async function submitOnce(w: DemoWorld, source: string): Promise<{ restoreJobRequests: number; snapshotRequests: number }> {
  const ctx = { slack: w.slack, appUrl: w.appUrl, signingSecret: SIGNING_SECRET, channel: CHANNEL };
  const alice = actor(ctx, ALICE);
  const bob = actor(ctx, BOB);
  const views = w.slack.views().length;
  await alice.command(`shop/${source}`);
  const modal = await waitForFilledModal(w.slack, views);
  await alice.submitModal(modal, { reason: 'bench', confirmation: source });
  const card = await waitFor(() => w.slack.messages(CHANNEL).find((m) => !m.thread_ts && findButton(m, 'restore_approve') && m.text.includes(`shop/${source}`)), { timeoutMs: 8000, message: 'the card' });
  const requestId = findButton(card, 'restore_approve')!.value;
  const from = w.atlas.requests.length;
  await bob.click(card, 'restore_approve');
  await waitFor(async () => (await w.app.services.store.get(requestId))?.state === 'running', { timeoutMs: 15_000, message: 'the restore running' });
  const made = w.atlas.requests.slice(from).filter((r) => r.authorized);
  return {
    restoreJobRequests: made.filter((r) => r.path.endsWith('/restoreJobs')).length,
    snapshotRequests: made.filter((r) => r.path.includes('/snapshots/')).length,
  };
}

export async function benchSubmissionRequests(): Promise<void> {
  const w = await startDemoWorld(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  try {
    for (const source of ['ledger', 'orders']) {
      seedHistory(w, source);
      const type = source === 'ledger' ? 'dedicated' : 'flex';
      const { restoreJobRequests, snapshotRequests } = await submitOnce(w, source);
      console.log(`atlas requests per submission (${PAST_JOBS.toLocaleString('en-US')} past jobs): ${restoreJobRequests}   [${type}: one restore-job list + the POST; goal ≤ 2]`);
      console.log(`  plus the snapshot re-check before it (DESIGN §5): ${snapshotRequests}`);
    }
  } finally {
    await w.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await benchSubmissionRequests();
