// The start-up checks when the topology is configured wrong, against real servers: one node of a Redis Cluster given
// as REDIS_URL (the bot would start and every write to another node's slot would answer MOVED), REDIS_CLUSTER_NODES
// pointing at a server without cluster support, a Cluster whose user may read neither CONFIG nor INFO on any
// master (one warning, not one per master), and a password the cluster's nodes refuse.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configWith } from '../helpers/minimal-env.js';
import { inspectRedis } from '../../src/redis/inspect-redis.js';
import { startCluster } from '../helpers/redis-cluster.js';
import { RedisGroup, skipUnless, type RedisProcess } from '../helpers/redis-servers.js';

const canRun = skipUnless('redis-cluster-checks', ['redis-server', 'redis-cli'], 'it starts three cluster nodes and joins them with redis-cli --cluster create');

const configFor = configWith;

describe.skipIf(!canRun)('Redis checks of the topology', () => {
  const group = new RedisGroup();
  let nodes: RedisProcess[] = [];
  let plain: RedisProcess;

  beforeAll(async () => {
    [nodes, plain] = await Promise.all([startCluster(group), group.start('not-a-cluster', { args: ['--appendonly', 'yes'] })]);
    for (const node of nodes) {
      const admin = new Redis(node.url);
      // A managed-Redis-like user on every node (ACLs are per node): everything but reading the server's settings.
      await admin.call('ACL', 'SETUSER', 'bot', 'on', '>bot-password', '~*', '&*', '+@all', '-config', '-info');
      admin.disconnect();
    }
  }, 60_000);
  afterAll(async () => {
    await group.cleanup();
  });

  it('refuses one node of a Cluster given as REDIS_URL, saying to set REDIS_CLUSTER_NODES, whichever node and prefix', async () => {
    for (const node of nodes) {
      for (const prefix of [{ REDIS_KEY_PREFIX: '{x}:' }, {}] as Record<string, string>[]) {
        const inspection = await inspectRedis(configFor({ REDIS_URL: node.url, ...prefix }));
        expect(inspection.ok).toBe(false);
        expect(inspection.checks).toEqual([
          { level: 'ok', text: `connected to 127.0.0.1:${node.port}` },
          { level: 'FAIL', text: expect.stringMatching(/^this server runs Redis Cluster .*: set REDIS_CLUSTER_NODES/) },
        ]);
      }
    }
  });

  it('says "cluster support disabled: use REDIS_URL" when REDIS_CLUSTER_NODES names a server without it', async () => {
    const started = Date.now();
    const inspection = await inspectRedis(configFor({ REDIS_CLUSTER_NODES: `127.0.0.1:${plain.port}` }));
    expect(inspection.ok).toBe(false);
    expect(inspection.checks).toEqual([
      { level: 'FAIL', text: expect.stringMatching(/^cannot connect to Cluster via 127\.0\.0\.1:\d+: REDIS_CLUSTER_NODES points at a server with cluster support disabled .*: use REDIS_URL/) },
    ]);
    expect(Date.now() - started).toBeLessThan(8000);
  });

  it('warns once, naming every master, when no master lets the bot read CONFIG or INFO', async () => {
    const seeds = nodes.map((n) => `127.0.0.1:${n.port}`).join(',');
    const inspection = await inspectRedis(configFor({ REDIS_CLUSTER_NODES: seeds, REDIS_URL: 'redis://bot:bot-password@ignored' }));
    expect(inspection.ok).toBe(true);
    const warnings = inspection.checks.filter((c) => c.level === 'warn');
    expect(warnings).toEqual([{ level: 'warn', text: expect.stringMatching(/^CONFIG GET is not allowed and INFO does not say \(127\.0\.0\.1:\d+, 127\.0\.0\.1:\d+, 127\.0\.0\.1:\d+\) .*maxmemory-policy is noeviction/) }]);
    for (const node of nodes) expect(warnings[0]!.text).toContain(`127.0.0.1:${node.port}`);
  });

  it('says the password was refused on the cluster nodes, at once', async () => {
    const started = Date.now();
    const seeds = nodes.map((n) => `127.0.0.1:${n.port}`).join(',');
    const inspection = await inspectRedis(configFor({ REDIS_CLUSTER_NODES: seeds, REDIS_URL: 'redis://bot:wrong-password@ignored' }));
    expect(inspection.checks).toEqual([{ level: 'FAIL', text: expect.stringMatching(/^cannot connect to Cluster via .*: authentication refused \(WRONGPASS.*\): check the password in REDIS_URL$/) }]);
    expect(Date.now() - started).toBeLessThan(8000);
  });
});
