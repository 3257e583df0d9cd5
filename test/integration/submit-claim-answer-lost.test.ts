// The claim of the POST (postStartedAt, set by the one run that sends it) lands in Redis, but its answer never reaches
// the bot: the connection drops right after the write (a failover, a cut). The run sent nothing to Atlas; read later,
// the claim alone would say a POST was made, and the request would be searched for and end "not confirmed", an
// approved restore thrown away by a passing fault. The fault is real: a forwarder in front of Redis drops the
// connection instead of passing the claim's answer on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReplyDroppingProxy, type ReplyDroppingProxy } from '../helpers/reply-dropping-proxy.js';
import { APPROVER, GROUP_ID, logLines, requestRestore, startHarness, waitForState, type Harness } from './conversation-harness.js';

let proxy: ReplyDroppingProxy;
let h: Harness;

beforeAll(async () => {
  const url = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  proxy = await startReplyDroppingProxy(Number(url.port || 6379));
  url.hostname = '127.0.0.1';
  url.port = String(proxy.port);
  h = await startHarness({ redisUrl: url.toString() });
});
afterAll(async () => {
  await h?.close();
  await proxy?.close();
});

describe('the claim of the POST applied by Redis, its answer lost', () => {
  it('is given back and the restore is sent once, not searched for and ended unconfirmed', async () => {
    const req = await requestRestore(h, { source: 'ledger', snapshotIndex: 0 });
    const posts = h.postsToAtlas();
    const jobs = h.atlas.restoreJobs(GROUP_ID, 'ledger').length;
    const logged = logLines.length;
    // The claim is the first script given `postStartedAt`; its answer is an array that starts with 1 (claimed).
    const dropped = proxy.dropAnswerTo('postStartedAt', '*2\r\n:1\r\n');
    await h.click(APPROVER, 'restore_approve', req.id);
    await dropped;

    const running = await waitForState(h, req.id, 'running', 20_000);
    expect(logLines.slice(logged).some((l) => l.includes('the claim of the POST was not answered'))).toBe(true);
    expect(h.postsToAtlas() - posts).toBe(1);
    expect(h.atlas.restoreJobs(GROUP_ID, 'ledger').length - jobs).toBe(1);
    h.atlas.advanceJob(running.atlasJobId!, 'completed');
    await waitForState(h, req.id, 'completed');
    expect(h.threadTexts(req.id).some((t) => /did not confirm|not confirmed/i.test(t))).toBe(false);
  }, 40_000);
});
