// A real 3-master Redis Cluster for tests.
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { waitFor } from './wait-for.js';
import { run, type RedisGroup, type RedisProcess } from './redis-servers.js';

/** Starts three masters (no replicas), joins them, and resolves once every node reports cluster_state:ok. */
export async function startCluster(group: RedisGroup): Promise<RedisProcess[]> {
  const nodes = await Promise.all(
    [0, 1, 2].map(async (i) => {
      const dir = group.tempDir(`cluster-${i}`);
      return group.start(`cluster-${i}`, { dir, args: ['--cluster-enabled', 'yes', '--cluster-config-file', join(dir, 'nodes.conf'), '--cluster-node-timeout', '2000', '--appendonly', 'yes'] });
    }),
  );
  run('redis-cli', ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', '0', '--cluster-yes']);
  for (const node of nodes) {
    const admin = new Redis(node.port, '127.0.0.1');
    try {
      await waitFor(async () => /cluster_state:ok/.test(String(await admin.cluster('INFO'))), { timeoutMs: 15_000, message: `cluster_state:ok on port ${node.port}` });
    } finally {
      admin.disconnect();
    }
  }
  return nodes;
}
