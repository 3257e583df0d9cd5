// The whole conversation on a real 3-master Redis Cluster started here: command → modal → card → approve →
// restore → "Restore completed". Every key the app wrote starts with the prefix and lives in one slot, which is
// what lets the Lua scripts and BullMQ's multi-key scripts run there at all.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { inspectRedis } from '../../src/redis/inspect-redis.js';
import { startCluster } from '../helpers/redis-cluster.js';
import { RedisGroup, skipUnless, type RedisProcess } from '../helpers/redis-servers.js';
import { waitFor } from '../helpers/wait-for.js';
import { APPROVER, requestRestore, startHarness, waitForState, type Harness } from './conversation-harness.js';

const canRun = skipUnless('redis-cluster', ['redis-server', 'redis-cli'], 'it starts three cluster nodes and joins them with redis-cli --cluster create');

describe.skipIf(!canRun)('on Redis Cluster', () => {
  const group = new RedisGroup();
  let nodes: RedisProcess[] = [];
  let seeds: string;
  let h: Harness;

  beforeAll(async () => {
    nodes = await startCluster(group);
    seeds = nodes.map((n) => `127.0.0.1:${n.port}`).join(',');
    h = await startHarness({ redisEnv: { REDIS_CLUSTER_NODES: seeds } });
  }, 60_000);
  afterAll(async () => {
    await h?.close();
    await group.cleanup();
  });

  it('passes the start-up checks on every master', async () => {
    const config = loadConfig({
      SLACK_BOT_TOKEN: 'xoxb-1',
      SLACK_SIGNING_SECRET: 's',
      ATLAS_PUBLIC_KEY: 'a',
      ATLAS_PRIVATE_KEY: 'b',
      RESTORE_POLICY_FILE: '/p.yaml',
      REDIS_CLUSTER_NODES: seeds,
    });
    const inspection = await inspectRedis(config);
    expect(inspection.ok).toBe(true);
    for (const node of nodes) expect(inspection.checks).toContainEqual({ level: 'ok', text: expect.stringMatching(new RegExp(`^maxmemory-policy noeviction \\(127\\.0\\.0\\.1:${node.port}\\)`)) });
    expect(inspection.prefix).toBe('{atlas-restore}:');
  });

  it('runs the conversation to "Restore completed", with every key under the prefix in one slot', async () => {
    const req = await requestRestore(h, { source: 'ledger' });
    expect(h.rootCard(req.id)).toBeDefined();
    await h.click(APPROVER, 'restore_approve', req.id);
    const running = await waitForState(h, req.id, 'running');
    h.atlas.advanceJob(running.atlasJobId!, 'completed');
    const final = await h.waitForThread(req.id, /Restore completed/, 15_000);
    expect(final).toContain(running.atlasJobId!);
    expect((await waitForState(h, req.id, 'completed')).finishedAt).toBeDefined();
    expect(h.postsToAtlas()).toBe(1);

    const keys: string[] = [];
    const owners: number[] = [];
    for (const node of nodes) {
      const admin = new Redis(node.port, '127.0.0.1');
      try {
        // The cluster is this file's alone: every key on it was written by the app (or the harness, same prefix).
        const mine = await admin.keys('*');
        if (mine.length > 0) owners.push(node.port);
        keys.push(...mine);
        const slots = new Set(await Promise.all(mine.map((k) => admin.cluster('KEYSLOT', k))));
        expect(slots.size).toBeLessThanOrEqual(1);
      } finally {
        admin.disconnect();
      }
    }
    // The store's, the tracker's (BullMQ and once-markers) and the modal cache's keys were all written.
    for (const part of ['req:', 'audit', 'bull:restore-tracker:', 'bull:tracker:', 'modal:']) expect(keys.some((k) => k.startsWith(`${h.prefix}${part}`))).toBe(true);
    expect(keys.filter((k) => !k.startsWith(h.prefix))).toEqual([]);
    expect(owners).toHaveLength(1);
  }, 40_000);

  it('readiness asks the master that holds the app\'s slot: a hung one makes the pod unready, though the others answer', async () => {
    let owner: RedisProcess | undefined;
    for (const node of nodes) {
      const admin = new Redis(node.port, '127.0.0.1');
      try {
        if ((await admin.keys(`${h.prefix}*`)).length > 0) owner = node;
      } finally {
        admin.disconnect();
      }
    }
    expect(owner).toBeDefined();
    expect((await h.app.readiness.isReady()).ready).toBe(true);
    // A hung host: the process stops answering, its socket stays open, the other masters answer PING as before.
    process.kill(owner!.proc.pid!, 'SIGSTOP');
    try {
      for (let probe = 0; probe < 5; probe++) expect((await h.app.readiness.isReady()).ready).toBe(false);
    } finally {
      process.kill(owner!.proc.pid!, 'SIGCONT');
    }
    await waitFor(async () => (await h.app.readiness.isReady()).ready || undefined, { timeoutMs: 10_000, message: 'ready again once the master answers' });
  }, 40_000);
});
