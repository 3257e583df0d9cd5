// One restore at a time per target (DESIGN.md §4), also when a request's lock lapsed before its restore was sent (a
// worker down longer than the lock's TTL after a late approval) and another request took the target meanwhile: only
// the holder posts; the other waits (the thread says why, once) and is sent when the target is free, or ends at its
// horizon with nothing sent. The lapse is a real expiry of the lock key in Redis; the requests go through the real app.
import { describe, expect, it } from 'vitest';
import type { RestoreRequest } from '../../src/restore/types.js';
import { waitFor } from '../helpers/wait-for.js';
import { APPROVER, APPROVER_2, GROUP_ID, requestRestore, snapshotIdOf, useHarness, waitForState, type Harness } from './conversation-harness.js';

const h = useHarness();
const lockKey = (harness: Harness) => `${harness.prefix}lock:${GROUP_ID}:ledger`;
const postsOf = (snapshotId: string, from = 0, upTo = h.atlas.requests.length) =>
  h.atlas.requests.slice(from, upTo).filter((r) => r.method === 'POST' && r.authorized && r.path.endsWith('/clusters/ledger/backup/restoreJobs') && (r.body as { snapshotId?: string }).snapshotId === snapshotId);

/** A is pending into ledger; its lock lapses for real; B is requested into ledger and takes the target. */
async function twoRequestsOneTarget(): Promise<{ a: RestoreRequest; b: RestoreRequest; seen: number }> {
  const a = await requestRestore(h, { source: 'ledger', snapshotIndex: 1 });
  expect(await h.redis.hget(lockKey(h), 'holder')).toBe(a.id);
  await h.redis.pexpire(lockKey(h), 1);
  await waitFor(async () => (await h.redis.exists(lockKey(h))) === 0, { message: "A's lock expired" });
  const b = await requestRestore(h, { source: 'ledger', snapshotIndex: 0 });
  expect(await h.redis.hget(lockKey(h), 'holder')).toBe(b.id);
  return { a, b, seen: h.atlas.requests.length };
}

describe('the target lock before the POST', () => {
  it('two approvals at once into one target: the lock holder is restored; the other waits, says why, and goes after it', async () => {
    const { a, b, seen } = await twoRequestsOneTarget();
    const aSnapshot = snapshotIdOf(h, 'ledger', 1);
    await Promise.all([h.click(APPROVER, 'restore_approve', a.id), h.click(APPROVER_2, 'restore_approve', b.id)]);

    const runningB = await waitForState(h, b.id, 'running');
    await h.waitForThread(a.id, new RegExp(`approved but not submitted yet: another restore into \`shop/ledger\` \\(${b.id}\\) holds the target`));
    expect(postsOf(aSnapshot, seen)).toHaveLength(0);
    expect((await h.request(a.id))?.state).toBe('approved');

    h.atlas.advanceJob(runningB.atlasJobId!, 'completed');
    await waitForState(h, b.id, 'completed');
    const whenBEnded = h.atlas.requests.length;
    const runningA = await waitForState(h, a.id, 'running', 20_000);
    expect(postsOf(aSnapshot, seen, whenBEnded)).toHaveLength(0); // nothing of A's reached Atlas while B held the target
    expect(postsOf(aSnapshot, seen)).toHaveLength(1);
    expect(await h.redis.hget(lockKey(h), 'holder')).toBe(a.id);
    expect(h.threadTexts(a.id).filter((t) => t.includes('holds the target'))).toHaveLength(1); // said once
    h.atlas.advanceJob(runningA.atlasJobId!, 'completed');
    await waitForState(h, a.id, 'completed');
  });

  it('the target stays taken past the horizon: the request ends saying why, nothing is sent, the holder keeps its lock', async () => {
    const { a, b, seen } = await twoRequestsOneTarget();
    const aSnapshot = snapshotIdOf(h, 'ledger', 1);
    await h.click(APPROVER, 'restore_approve', a.id);
    await h.waitForThread(a.id, /holds the target/);
    // As if B had held the target all along the approval's window: A's horizon has passed.
    const aged = await h.app.services.store.update(a.id, ['approved', 'submitting'], { submitBy: new Date(Date.now() - 1000).toISOString() });
    expect(aged.ok).toBe(true);
    const failed = await waitForState(h, a.id, 'failed');
    expect(failed.failureReason).toMatch(new RegExp(`when the approval ran out\\. another restore into \`shop/ledger\` \\(${b.id}\\) holds the target.*Nothing was sent to Atlas`));
    await h.waitForThread(a.id, /was not submitted: .*holds the target/);
    expect(postsOf(aSnapshot, seen)).toHaveLength(0);
    expect(await h.redis.hget(lockKey(h), 'holder')).toBe(b.id);
  });
});
