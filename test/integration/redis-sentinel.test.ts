// Redis Sentinel for real: a master, a replica and three sentinels started here (passwords on both the data nodes
// and the sentinels). The master is killed with SIGKILL while a restore is being polled; Sentinel promotes the
// replica; the app follows it there, the restore reaches exactly one final message, and no request is lost.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FAST_TRACKER } from '../fakes/config-for-fakes.js';
import { RedisGroup, skipUnless, type RedisProcess } from '../helpers/redis-servers.js';
import { sendSlashCommand } from '../helpers/slack-requests.js';
import { waitFor } from '../helpers/wait-for.js';
import { APPROVER, CHANNEL, logLines, REQUESTER, requestRestore, SIGNING_SECRET, startHarness, waitForState, type Harness } from './conversation-harness.js';

const canRun = skipUnless('redis-sentinel', ['redis-server'], 'it starts a master, a replica and three sentinels');

const DATA_PW = 'data-password';
const SENTINEL_PW = 'sentinel-password';
const MASTER = 'atlas-restore-test';

/** The value after `field` in a flat [field, value, …] reply (SENTINEL MASTER). */
const fieldOf = (reply: unknown, field: string): string | undefined => {
  const list = reply as string[];
  const at = list.indexOf(field);
  return at >= 0 ? list[at + 1] : undefined;
};

const replicationOffset = async (port: number, field: 'master_repl_offset' | 'slave_repl_offset'): Promise<number> => {
  const node = new Redis({ port, host: '127.0.0.1', password: DATA_PW, maxRetriesPerRequest: 0, retryStrategy: () => null });
  node.on('error', () => undefined);
  try {
    return Number(new RegExp(`${field}:(\\d+)`).exec(await node.info('replication'))?.[1] ?? -1);
  } finally {
    node.disconnect();
  }
};

describe.skipIf(!canRun)('on Redis Sentinel', () => {
  const group = new RedisGroup();
  let master: RedisProcess;
  let replica: RedisProcess;
  let sentinels: RedisProcess[] = [];
  let admin: Redis;
  let h: Harness;

  beforeAll(async () => {
    const data = ['--requirepass', DATA_PW, '--masterauth', DATA_PW, '--appendonly', 'yes'];
    master = await group.start('sentinel-master', { args: data, probe: { password: DATA_PW } });
    replica = await group.start('sentinel-replica', { args: [...data, '--replicaof', '127.0.0.1', String(master.port)], probe: { password: DATA_PW } });
    sentinels = await Promise.all(
      [0, 1, 2].map((i) =>
        group.start(`sentinel-${i}`, {
          // Sentinel rewrites its config file: each one gets its own, in its own dir.
          configFile: (_port, dir) => {
            const file = join(dir, 'sentinel.conf');
            writeFileSync(
              file,
              [
                `sentinel monitor ${MASTER} 127.0.0.1 ${master.port} 2`,
                `sentinel auth-pass ${MASTER} ${DATA_PW}`,
                `sentinel down-after-milliseconds ${MASTER} 1000`,
                `sentinel failover-timeout ${MASTER} 3000`,
                `sentinel parallel-syncs ${MASTER} 1`,
                `requirepass ${SENTINEL_PW}`,
                '',
              ].join('\n'),
            );
            return file;
          },
          args: ['--sentinel'],
          probe: { password: SENTINEL_PW },
        }),
      ),
    );
    admin = new Redis({ port: sentinels[0]!.port, host: '127.0.0.1', password: SENTINEL_PW });
    // Ready for a failover: the sentinels see each other and the replica, and the replica is in sync.
    await waitFor(async () => {
      const info = await admin.call('SENTINEL', 'MASTER', MASTER);
      return fieldOf(info, 'num-other-sentinels') === '2' && fieldOf(info, 'num-slaves') === '1';
    }, { timeoutMs: 20_000, message: 'sentinels to discover each other and the replica' });
    h = await startHarness({
      redisUrl: `redis://:${DATA_PW}@host-is-ignored:1`,
      redisEnv: { REDIS_SENTINELS: sentinels.map((s) => `127.0.0.1:${s.port}`).join(','), REDIS_SENTINEL_MASTER: MASTER, REDIS_SENTINEL_PASSWORD: SENTINEL_PW },
      // A poll cut off by the failover leaves its job locked; short locks hand it back quickly (30 s in production).
      overrides: { tracker: { ...FAST_TRACKER, worker: { drainDelay: 1, lockDuration: 2000, stalledInterval: 1000 } } },
    });
  }, 60_000);
  afterEach(async (ctx) => {
    // A failover test that fails under load is hard to read without the app's side of the story.
    if (ctx.task.result?.state !== 'fail') return;
    const ready = await fetch(`${h.url}/readyz`).then((r) => r.text(), (err: unknown) => String(err));
    console.error(`/readyz: ${ready}\napp log (last 80 lines):\n${logLines.slice(-80).join('')}`);
  });
  afterAll(async () => {
    admin?.disconnect();
    await h?.close();
    await group.cleanup();
  });

  it('follows a SIGKILLed master to the promoted replica: one final message, no request lost', async () => {
    let req = await requestRestore(h, { source: 'ledger' });
    await h.click(APPROVER, 'restore_approve', req.id);
    req = await waitForState(h, req.id, 'running');
    // Another request waits for its approval meanwhile: it must survive the failover too.
    const waiting = await requestRestore(h, { source: 'orders' });

    // Sentinel replication is asynchronous: what the master acknowledged but did not ship yet is lost in any failover
    // (README). Wait until the replica has it all, so this test is about the app, not about that window.
    const offset = await replicationOffset(master.port, 'master_repl_offset');
    await waitFor(async () => (await replicationOffset(replica.port, 'slave_repl_offset')) >= offset, { message: 'the replica in sync' });

    // A poll is in progress (its Atlas call hangs) when the master dies.
    const jobGets = () => h.atlas.requests.filter((r) => r.method === 'GET' && r.path.includes(`/restoreJobs/${req.atlasJobId}`)).length;
    const before = jobGets();
    h.atlas.inject({ kind: 'hang', method: 'GET', pathIncludes: `/restoreJobs/${req.atlasJobId}`, count: 1 });
    await waitFor(() => jobGets() > before, { message: 'a poll in progress' });
    await master.kill('SIGKILL');

    // While Sentinel elects: a slash command still gets an answer within Slack's 3 s (the form, or "try again"). Bolt's
    // receiver holds Slack's deadline itself: a handler that hasn't acked after 3 s gets its 404 instead of this 200.
    const open = await sendSlashCommand(h.url, SIGNING_SECRET, { text: 'shop/ledger', userId: REQUESTER, channelId: CHANNEL, responseUrl: h.slack.responseUrl('failover-open', { channelId: CHANNEL, userId: REQUESTER }) });
    expect(open.status).toBe(200);

    await waitFor(async () => fieldOf(await admin.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', MASTER), '127.0.0.1') === String(replica.port), {
      timeoutMs: 30_000,
      message: 'Sentinel to promote the replica',
    });
    h.atlas.advanceJob(req.atlasJobId!, 'completed');
    const final = await h.waitForThread(req.id, /Restore completed/, 30_000);
    expect(final).toContain(req.atlasJobId!);
    expect((await waitForState(h, req.id, 'completed', 15_000)).finishedAt).toBeDefined();
    expect(h.threadTexts(req.id).filter((t) => /Restore (completed|failed|cancelled|expired)/.test(t))).toHaveLength(1);
    expect(h.postsToAtlas()).toBe(1);
    // Ready again: Redis answers and the worker's blocking connection is up, on the new master.
    await waitFor(async () => (await fetch(`${h.url}/readyz`)).status === 200, { timeoutMs: 15_000, message: '/readyz 200 after the failover' });

    // Nothing lost on the new master: the waiting request is there, and goes through to its end.
    expect((await h.request(waiting.id))?.state).toBe('pending_approval');
    await h.click(APPROVER, 'restore_approve', waiting.id);
    const second = await waitForState(h, waiting.id, 'running', 15_000);
    h.atlas.advanceJob(second.atlasJobId!, 'completed');
    await h.waitForThread(waiting.id, /Restore completed/, 15_000);
    expect(h.threadTexts(waiting.id).filter((t) => /Restore (completed|failed|cancelled|expired)/.test(t))).toHaveLength(1);
    expect(h.postsToAtlas()).toBe(2);
  }, 120_000);
});
