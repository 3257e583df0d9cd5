// Shared setup for the store tests: real Redis, a random prefix per file, cleanup afterwards.
import { randomBytes } from 'node:crypto';
import { Cluster, Redis } from 'ioredis';
import { masterNodes, type RedisClient } from '../../src/redis/redis-client.js';
import type { RestoreRequest } from '../../src/restore/types.js';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export function randomPrefix(name: string): string {
  return `test:${name}:${randomBytes(4).toString('hex')}:`;
}

export function connect(): Redis {
  return new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
}

/** Deletes the keys `${prefix}${pattern}` on every master (a Cluster scans per node). */
export async function deleteKeys(redis: RedisClient, prefix: string, pattern = '*'): Promise<void> {
  for (const node of masterNodes(redis)) {
    let cursor = '0';
    do {
      const [next, found] = await node.scan(cursor, 'MATCH', `${prefix}${pattern}`, 'COUNT', 500);
      cursor = next;
      // A Cluster refuses a DEL across slots: one key at a time there.
      if (redis instanceof Cluster) for (const key of found) await node.del(key);
      else if (found.length > 0) await node.del(...found);
    } while (cursor !== '0');
  }
}

// Recent times: the store trims index entries older than the retention window.
const base = Date.now() - 3_600_000;
let counter = 0;

export function makeRequest(overrides: Partial<RestoreRequest> = {}): RestoreRequest {
  counter += 1;
  const now = new Date(base + counter * 1000).toISOString();
  return {
    id: `RR-T${String(counter).padStart(5, '0')}`,
    requester: 'U0REQUESTER',
    source: { project: 'shop', groupId: '5e2211c17a3e5a48f5497de3', cluster: 'orders', type: 'flex' },
    target: { project: 'shop', groupId: '5e2211c17a3e5a48f5497de3', cluster: 'orders-staging' },
    snapshot: { id: '6500000000000000000000aa', createdAt: '2026-01-01T00:00:00.000Z' },
    reason: 'restore after a bad migration / "quoted" é',
    state: 'pending_approval',
    approvalsRequired: 1,
    approvals: [],
    dryRun: false,
    channel: 'C0ABCDEF1',
    createdAt: now,
    // Open for approvals now (the store refuses an approval at or after the expiry), whatever the fixed times above.
    approvalExpiresAt: new Date(Math.max(Date.parse(now), Date.now()) + 30 * 60_000).toISOString(),
    updatedAt: now,
    ...overrides,
  };
}
