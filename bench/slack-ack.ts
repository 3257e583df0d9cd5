// Benchmark: slash command → views.open latency of our app against a bare Bolt app that only acks and
// opens a static modal. Both run in this process against the same fake Slack, and are measured the
// same way: from sending the signed command to the fake Slack recording views.open for its trigger.
// Samples alternate between the two apps (ABBA order) so that drift (GC, JIT, Redis) hits both alike.
// Run: npx tsx bench/slack-ack.ts   (SLACK_ACK_COMMANDS=N to change the sample count)
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { App, HTTPReceiver, LogLevel } from '@slack/bolt';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { buildApp, type RunningApp } from '../src/app.js';
import { configForFakes } from '../test/fakes/config-for-fakes.js';
import { parsePolicy } from '../src/policy/load-policy.js';
import { startFakeAtlas, type FakeAtlas } from '../test/fakes/fake-atlas.js';
import { startFakeSlack, type FakeSlack } from '../test/fakes/fake-slack.js';
import { newTriggerId, sendSlashCommand } from '../test/helpers/slack-requests.js';
import { CHANNEL, DEFAULT_POLICY, GROUP_ID, REQUESTER, SIGNING_SECRET } from '../test/integration/conversation-harness.js';
import { deleteKeys } from './delete-keys.js';
import { describeMs, ms, summarize } from './stats.js';

const COMMANDS = Number(process.env.SLACK_ACK_COMMANDS ?? 500);
const WARMUP = 30;
const CALL_TIMEOUT_MS = 5000;
const COMMAND_TEXT = 'shop/orders';

interface Target {
  name: string;
  url: string;
  /** Waits for whatever the app still does after views.open, so it does not overlap the next sample. */
  settle(openSeq: number): Promise<void>;
  ackMs: number[];
  openMs: number[];
}

interface Sample {
  ackMs: number;
  openMs: number;
  openSeq: number;
}

async function sampleOnce(slack: FakeSlack, target: Target, n: number): Promise<Sample> {
  const triggerId = newTriggerId();
  const responseUrl = slack.responseUrl(`bench-${target.name}-${n}`, { channelId: CHANNEL, userId: REQUESTER });
  const started = performance.now();
  // Subscribed before sending: the fake emits the call synchronously when it records it.
  const opened = slack.waitForCall('views.open', (c) => c.args.trigger_id === triggerId, CALL_TIMEOUT_MS).then((call) => ({ call, at: performance.now() }));
  const acked = sendSlashCommand(target.url, SIGNING_SECRET, { text: COMMAND_TEXT, userId: REQUESTER, channelId: CHANNEL, triggerId, responseUrl }).then((res) => {
    if (res.status !== 200) throw new Error(`BENCH_ACK_FAILED: ${target.name} answered ${res.status} ${res.body}`);
    return performance.now();
  });
  const [ackAt, open] = await Promise.all([acked, opened]);
  if (!open.call.ok) throw new Error(`BENCH_VIEWS_OPEN_FAILED: ${target.name}: views.open answered ${open.call.error}`);
  return { ackMs: ackAt - started, openMs: open.at - started, openSeq: open.call.seq };
}

async function startOurApp(slack: FakeSlack, atlas: FakeAtlas, prefix: string): Promise<RunningApp> {
  const config = configForFakes({ slack, atlas, signingSecret: SIGNING_SECRET, prefix, pollIntervalSeconds: 10 });
  const app = buildApp(config, parsePolicy(DEFAULT_POLICY, 'bench-policy.yaml'), pino({ level: 'silent' }));
  await app.start();
  return app;
}

/** What a minimal Bolt app does: ack, then open a static modal. */
async function startBareBolt(slack: FakeSlack): Promise<{ url: string; stop(): Promise<void> }> {
  const receiver = new HTTPReceiver({ signingSecret: SIGNING_SECRET, endpoints: '/slack/events', logLevel: LogLevel.ERROR });
  const app = new App({ token: slack.botToken, receiver, logLevel: LogLevel.ERROR, clientOptions: { slackApiUrl: slack.apiUrl }, deferInitialization: true });
  app.command('/atlas-restore', async ({ ack, client, command }) => {
    await ack();
    await client.views.open({
      trigger_id: command.trigger_id,
      view: { type: 'modal', callback_id: 'bare', title: { type: 'plain_text', text: 'Restore' }, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'Loading…' } }] },
    });
  });
  await app.init();
  const server = await receiver.start(0);
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('bare Bolt is not listening on a TCP port');
  return { url: `http://127.0.0.1:${address.port}`, stop: () => receiver.stop() };
}

export async function benchSlackAck(): Promise<void> {
  const atlas = await startFakeAtlas({ stepsPerState: 0 });
  atlas.addCluster({ groupId: GROUP_ID, name: 'orders', type: 'flex', snapshots: 3 });
  const slack = await startFakeSlack({ users: { [REQUESTER]: { tz: 'Europe/Paris' } } });
  const prefix = `bench-ack-${randomBytes(4).toString('hex')}:`;
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  let ours: RunningApp | undefined;
  let bare: Awaited<ReturnType<typeof startBareBolt>> | undefined;
  let unsettled = 0;
  try {
    ours = await startOurApp(slack, atlas, prefix);
    bare = await startBareBolt(slack);
    const targets: Target[] = [
      {
        name: 'atlas-restore',
        url: ours.address()!.url,
        // Our handler goes on after views.open (users.info, Atlas snapshots, views.update): let it finish so
        // the next sample of either app does not share the event loop with it. Time spent here is not measured.
        async settle(openSeq) {
          await slack.waitForCall('views.update', (c) => c.seq > openSeq, CALL_TIMEOUT_MS).catch(() => {
            unsettled += 1;
          });
        },
        ackMs: [],
        openMs: [],
      },
      { name: 'bare bolt', url: bare.url, settle: async () => undefined, ackMs: [], openMs: [] },
    ];

    for (let i = 0; i < WARMUP + COMMANDS; i++) {
      // ABBA: ours first on even rounds, bare first on odd ones.
      const order = i % 2 === 0 ? targets : [...targets].reverse();
      for (const target of order) {
        const sample = await sampleOnce(slack, target, i);
        await target.settle(sample.openSeq);
        if (i >= WARMUP) {
          target.ackMs.push(sample.ackMs);
          target.openMs.push(sample.openMs);
        }
      }
    }

    console.log(`${COMMANDS} sequential \`/atlas-restore ${COMMAND_TEXT}\` per app after ${WARMUP} warm-up each, alternated ABBA; same process, same fake Slack`);
    const summaries = targets.map((t) => ({ t, open: summarize(t.openMs), ack: summarize(t.ackMs) }));
    for (const { t, open, ack } of summaries) {
      console.log(`[${t.name}] slash command → views.open p50: ${ms(open.p50)} ms, p99: ${ms(open.p99)} ms`);
      console.log(`[${t.name}]   views.open: ${describeMs(open)}`);
      console.log(`[${t.name}]   HTTP ack p50: ${ms(ack.p50)} ms, p99: ${ms(ack.p99)} ms  (${describeMs(ack)})`);
    }
    const [o, b] = summaries;
    console.log(`ack p99 ratio vs bare bolt: ${(o!.open.p99 / b!.open.p99).toFixed(2)}  (slash command → views.open p99; goal ≤ 1.2)`);
    console.log(`  HTTP ack p99 ratio vs bare bolt: ${(o!.ack.p99 / b!.ack.p99).toFixed(2)}; p50 ratios: views.open ${(o!.open.p50 / b!.open.p50).toFixed(2)}, HTTP ack ${(o!.ack.p50 / b!.ack.p50).toFixed(2)}`);
    if (unsettled > 0) console.log(`  warning: ${unsettled} of our modals were not filled (views.update) within ${CALL_TIMEOUT_MS} ms`);
    console.log('  (latencies include the signed HTTP POST from this process and the fake Slack\'s handling; both apps pay them alike)');
  } finally {
    await ours?.stop();
    await bare?.stop();
    const deleted = await deleteKeys(redis, prefix);
    console.log(`  cleaned up ${deleted} Redis keys under ${prefix}`);
    redis.disconnect();
    await slack.close();
    await atlas.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  benchSlackAck().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
