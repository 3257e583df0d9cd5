// A double fault at a drill's worst moment: the create of its request lands in Redis but its answer is lost (the
// connection drops right after the write), and Redis then refuses the bot's keys past the run's time to start. The run
// can't tell whether its request exists, so it must not say "did not run, nothing was restored": the request holds the
// target and is restored once Redis answers. It looks again until Redis answers, then posts the card the lost answer
// kept it from posting and hands the request on: restored once, in its thread. Both faults are real: a forwarder in
// front of Redis drops the connection instead of passing the create's answer on, and the bot's Redis ACL user has its
// keys taken away meanwhile (as in drill-request-made-redis-errors.test.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAST_TRACKER } from '../fakes/config-for-fakes.js';
import { createRedisAclUser, type RedisAclUser } from '../helpers/redis-acl-user.js';
import { startReplyDroppingProxy, type ReplyDroppingProxy } from '../helpers/reply-dropping-proxy.js';
import { waitFor } from '../helpers/wait-for.js';
import { APPROVER, commandAnswer, logLines, startHarness, waitForState, waitForTargetFree, type Harness } from './conversation-harness.js';
import { drillRequestsOf, DRILL_POLICY, DRILLS } from './drill-policy.js';

let acl: RedisAclUser;
let proxy: ReplyDroppingProxy;
// Over at once: every step after the first runs past the run's time to start.
const START_WINDOW_MS = 1;
let h: Harness;

beforeAll(async () => {
  acl = await createRedisAclUser('test-drill-lost');
  const url = new URL(acl.url);
  proxy = await startReplyDroppingProxy(Number(url.port || 6379));
  url.hostname = '127.0.0.1';
  url.port = String(proxy.port);
  h = await startHarness({ policyYaml: DRILL_POLICY, redisUrl: url.toString(), overrides: { tracker: { ...FAST_TRACKER, drillStartWindowMs: START_WINDOW_MS } } });
});
afterAll(async () => {
  await acl?.giveBack();
  await h?.close();
  await proxy?.close();
  await acl?.remove();
});

describe("a drill whose request's create lands but whose answer is lost, with Redis refusing afterwards", () => {
  it('is not said to have not run: once Redis answers, its request gets its card and is restored once', async () => {
    const messages = h.slack.messages(DRILLS).length;
    const logged = logLines.length;
    let restored = false;
    // The create (its index key names the drill as requester) is answered 1; that answer is dropped, and while it is held
    // back only the queue's keys stay the bot's: every later read of the request is refused (NOPERM).
    const dropped = proxy.dropAnswerTo('recent:by:drill:ledger-weekly', ':1\r\n', { beforeDrop: () => acl.setRules('resetkeys', `~${h.prefix}bull:restore-tracker:*`) });
    try {
      expect(await commandAnswer(h, APPROVER, 'drill ledger-weekly')).toMatch(/is starting/);
      await dropped;
      const saidNotRun = () => h.slack.messages(DRILLS).slice(messages).some((m) => m.text.includes('did not run'));
      const lookedAgain = () => logLines.slice(logged).filter((l) => l.includes('drill run could not look at its request')).length >= 2;
      await waitFor(() => saidNotRun() || lookedAgain(), { timeoutMs: 15_000, message: 'the run meeting Redis refusing after the lost answer' });
      expect(saidNotRun()).toBe(false);
      await acl.setRules('resetkeys', '~*');
      restored = true;
      // Redis answers again: the run finds its request, posts its card and the drill restores, once.
      const [made] = await waitFor(async () => {
        const found = await drillRequestsOf(h);
        return found.length > 0 ? found : undefined;
      }, { message: 'the drill request' });
      const running = await waitForState(h, made!.id, 'running', 20_000);
      h.atlas.advanceJob(running.atlasJobId!, 'completed');
      const done = await waitForState(h, made!.id, 'completed');
      expect(done.cardTs).toBeDefined();
      expect(h.slack.messages(DRILLS).filter((m) => !m.thread_ts && m.text.includes(made!.id))).toHaveLength(1);
      expect(await drillRequestsOf(h)).toHaveLength(1);
      expect(h.postsToAtlas()).toBe(1);
      expect(h.slack.messages(DRILLS).slice(messages).filter((m) => m.text.includes('did not run'))).toHaveLength(0);
      // Its start is audited once, although the step that made the request never got to it.
      const audit = await h.app.services.store.readAudit(200);
      expect(audit.filter((e) => e.type === 'drill_started' && e.requestId === made!.id)).toHaveLength(1);
    } finally {
      if (!restored) await acl.setRules('resetkeys', '~*');
    }
  });

  it('whose create never landed, says it did not run once Redis answers, and gives the target back', async () => {
    const before = (await drillRequestsOf(h)).length;
    const messages = h.slack.messages(DRILLS).length;
    const logged = logLines.length;
    let restored = false;
    // The create is cut before it reaches Redis, and Redis refuses the bot's keys before anything could send it again.
    const cut = proxy.cutBefore('recent:by:drill:ledger-weekly', { beforeCut: () => acl.setRules('resetkeys', `~${h.prefix}bull:restore-tracker:*`) });
    try {
      expect(await commandAnswer(h, APPROVER, 'drill ledger-weekly')).toMatch(/is starting/);
      await cut;
      const saidNotRun = () => h.slack.messages(DRILLS).slice(messages).find((m) => m.text.includes('did not run'));
      const lookedAgain = () => logLines.slice(logged).filter((l) => l.includes('drill run could not look at its request')).length >= 2;
      await waitFor(() => saidNotRun() ?? lookedAgain(), { timeoutMs: 15_000, message: 'the run meeting Redis refusing after its create' });
      expect(saidNotRun()).toBeUndefined();
      await acl.setRules('resetkeys', '~*');
      restored = true;
      // Redis answers: no request was made, and now that is known, the run says it did not run.
      const loud = await waitFor(saidNotRun, { timeoutMs: 15_000, message: 'the "did not run"' });
      expect(loud.text).toMatch(/could not make the run's request in time/);
      expect(loud.text).toContain('Nothing was restored.');
    } finally {
      if (!restored) await acl.setRules('resetkeys', '~*');
    }
    // The lock taken for the create that never landed is given back: the scratch target isn't held for hours.
    await waitForTargetFree(h, 'staging', 5000);
    expect(await drillRequestsOf(h)).toHaveLength(before);
    expect(h.slack.messages(DRILLS).slice(messages).filter((m) => m.text.includes('did not run'))).toHaveLength(1);
  });
});
