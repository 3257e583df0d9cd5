// A drill run that has made its request (its card is being retried: Slack refused it) and then meets Redis refusing
// its commands past its time to start must not say it "did not run, nothing was restored": its request exists, holds
// the target and is restored once it is tracked. The run looks at it again as its own steps (BullMQ's attempts would
// end in a log line only, after half an hour), finds it once Redis answers again, posts its card and hands it on. The
// fault is real: the bot connects as a Redis ACL user of its own whose keys are taken away and given back (as in
// drill-internal-errors.test.ts).
import { describe, expect, it } from 'vitest';
import { FAST_TRACKER } from '../fakes/config-for-fakes.js';
import { waitFor } from '../helpers/wait-for.js';
import { useHarnessAsAclUser } from './acl-harness.js';
import { APPROVER, commandAnswer, logLines, waitForState } from './conversation-harness.js';
import { drillRequestsOf, DRILL_POLICY, DRILLS } from './drill-policy.js';

// Over at once: every step after the first runs past the run's time to start.
const START_WINDOW_MS = 1;
const { h, acl } = useHarnessAsAclUser('test-drill-made', { policyYaml: DRILL_POLICY, overrides: { tracker: { ...FAST_TRACKER, drillStartWindowMs: START_WINDOW_MS } } });

describe('a drill run whose request exists when Redis refuses its next step', () => {
  it('is not said to have not run: its request is found again and restored', async () => {
    const messages = h.slack.messages(DRILLS).length;
    const logged = logLines.length;
    // The card is refused (the first tries): the run retries it as steps, its request already made.
    h.slack.failNext('chat.postMessage', 'not_in_channel', 3, (args) => args.channel === DRILLS);
    expect(await commandAnswer(h, APPROVER, 'drill ledger-weekly')).toMatch(/is starting/);
    await waitFor(() => logLines.slice(logged).some((l) => l.includes('the drill card could not be posted; trying again')), { message: 'the card refused once' });
    // Only the queue's keys stay: the next step can't read the request it made (NOPERM).
    await acl.setRules('resetkeys', `~${h.prefix}bull:restore-tracker:*`);
    let restored = false;
    try {
      const saidNotRun = () => h.slack.messages(DRILLS).slice(messages).some((m) => m.text.includes('did not run'));
      // Looked at again as the run's own steps, not BullMQ's attempts (whose last one ends in a log line only).
      const lookedAgain = () => logLines.slice(logged).filter((l) => l.includes('drill run could not look at its request')).length >= 3;
      await waitFor(() => saidNotRun() || lookedAgain(), { timeoutMs: 15_000, message: 'the steps meeting Redis refusing' });
      expect(logLines.slice(logged).some((l) => l.includes('tracker job failed') && l.includes('drill-now-ledger-weekly'))).toBe(false);
      await acl.setRules('resetkeys', '~*');
      restored = true;
      expect(saidNotRun()).toBe(false);
      // Redis answers again: the run finds its request, posts its card and the drill restores, once.
      const [made] = await waitFor(async () => {
        const found = await drillRequestsOf(h);
        return found.length > 0 ? found : undefined;
      }, { message: 'the drill request' });
      const running = await waitForState(h, made!.id, 'running', 20_000);
      h.atlas.advanceJob(running.atlasJobId!, 'completed');
      const done = await waitForState(h, made!.id, 'completed');
      expect(done.cardTs).toBeDefined();
      expect(await drillRequestsOf(h)).toHaveLength(1);
      expect(h.postsToAtlas()).toBe(1);
      expect(h.slack.messages(DRILLS).slice(messages).filter((m) => m.text.includes('did not run'))).toHaveLength(0);
    } finally {
      if (!restored) await acl.setRules('resetkeys', '~*');
      h.slack.clearFailures('chat.postMessage');
    }
  });
});
