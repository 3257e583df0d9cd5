// `drills` (and the App Home, through the same summaries) asks whether a run of each drill waits before making its
// request. It must read only that drill's runs: reading the ids of every delayed and active job of the queue (each
// restore in flight, each approval's expiry) on each render, once per drill, costs more with every restore in flight.
// What Redis is asked is watched for real, with MONITOR on its own connection.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandAnswer, REQUESTER, requestRestore, startHarness, type Harness } from './conversation-harness.js';
import { DRILL_POLICY } from './drill-policy.js';

let h: Harness;
let admin: Redis;
beforeAll(async () => {
  h = await startHarness({ policyYaml: DRILL_POLICY });
  admin = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
});
afterAll(async () => {
  admin?.disconnect();
  await h?.close();
});

describe('drills, with restores and approvals in flight', () => {
  it("reads no whole list of the queue's delayed or active jobs", async () => {
    // Requests waiting for approval: each has a delayed expiry job.
    for (const source of ['ledger', 'orders']) await requestRestore(h, { user: REQUESTER, source, target: 'staging' }).catch(() => undefined);
    const monitor = await admin.monitor();
    const seen: string[] = [];
    monitor.on('monitor', (_time: string, args: string[]) => seen.push(args.join(' ')));
    try {
      expect(await commandAnswer(h, REQUESTER, 'drills')).toMatch(/ledger-weekly/);
    } finally {
      monitor.disconnect();
    }
    const queueKey = `${h.prefix}bull:restore-tracker:`;
    // Taken only once MONITOR saw the command that answered (our own prefix): nothing of other test files.
    const wholeRanges = seen.filter((c) => /^(ZREVRANGE|ZRANGE|LRANGE) /i.test(c) && (c.includes(`${queueKey}delayed 0 -1`) || c.includes(`${queueKey}active 0 -1`)));
    expect(seen.some((c) => c.includes(h.prefix))).toBe(true);
    expect(wholeRanges).toEqual([]);
  });
});
