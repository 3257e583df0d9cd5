// Which threads hear of a Redis that lost the bot's data, across replicas: each request once per thing a replica saw
// of it (the claim is in the Redis that came back). A replica that last saw a request waiting for approval must not
// silence one that saw it running, whose message names the Atlas job to check.
import type { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRestoreStore, type RestoreStore } from '../../src/restore/store.js';
import type { InFlightSeen, StateLoss } from '../../src/restore/store-state-marker.js';
import { tellStateLoss } from '../../src/slack/tell-state-loss.js';
import { connect, deleteKeys, randomPrefix } from './store-fixtures.js';

const prefix = randomPrefix('tell-state-loss');
let redis: Redis;
let store: RestoreStore;

beforeAll(() => {
  redis = connect();
  store = createRestoreStore({ redis, prefix });
});
afterAll(async () => {
  await deleteKeys(redis, prefix);
  await redis.quit();
});

const seen = (over: Partial<InFlightSeen>): InFlightSeen => ({ id: 'RR-SEEN01', state: 'running', target: `${'a'.repeat(24)}/orders`, targetName: 'shop/orders', channel: 'C1', cardTs: '1.1', ...over });
const lossOf = (...requests: InFlightSeen[]): StateLoss => ({ detectedAt: '2026-12-08T10:05:00.000Z', markedAt: '2026-12-08T09:00:00.000Z', lastSeen: { at: '2026-12-08T10:00:00.000Z', requests } });

async function replicaTells(loss: StateLoss): Promise<string[]> {
  const posted: string[] = [];
  const messenger = { postToChannel: async (channel: string, message: { text: string }, threadTs?: string) => void posted.push(`${channel}/${threadTs}: ${message.text}`) };
  await tellStateLoss({ messenger, claimAs: (k, v, t) => store.claimAs(k, v, t), logger: pino({ level: 'silent' }) }, loss);
  return posted;
}

describe('tellStateLoss across replicas', () => {
  it('two replicas that saw the same: one message per request', async () => {
    const loss = lossOf(seen({ id: 'RR-SAME01', atlasJobId: 'job-1' }), seen({ id: 'RR-SAME02', state: 'pending_approval' }));
    const [a, b] = await Promise.all([replicaTells(loss), replicaTells(loss)]);
    expect([...a, ...b].filter((t) => t.includes('RR-SAME01'))).toHaveLength(1);
    expect([...a, ...b].filter((t) => t.includes('RR-SAME02'))).toHaveLength(1);
  });

  it('one saw it waiting, the other running: the running one still names the job', async () => {
    const first = await replicaTells(lossOf(seen({ id: 'RR-MOVED1', state: 'pending_approval' })));
    const second = await replicaTells(lossOf(seen({ id: 'RR-MOVED1', atlasJobId: 'job-9' })));
    expect(first).toHaveLength(1);
    expect(second).toEqual([expect.stringContaining('restore job `job-9` of RR-MOVED1')]);
    expect(second[0]).toMatch(/^C1\/1\.1: /);
  });
});
