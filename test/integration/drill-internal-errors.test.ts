// A drill run that keeps hitting errors of its own before it made its request (here Redis refusing every key but the
// queue's: the store, the drill history and the once-markers) is not left to BullMQ's attempts, which end in a log line
// nobody reads: once its time to start is up it says in its channel that it did not run, although Redis refuses the
// audit and the history then, and it is recorded as its drill's last result once Redis answers again. The fault is
// real: the bot connects as a Redis ACL user of its own whose keys are taken away and given back.
import { describe, expect, it } from 'vitest';
import { createDrillHistory } from '../../src/restore/drill-history.js';
import { FAST_TRACKER } from '../fakes/config-for-fakes.js';
import { waitFor } from '../helpers/wait-for.js';
import { useHarnessAsAclUser } from './acl-harness.js';
import { APPROVER, commandAnswer, logLines, REQUESTER } from './conversation-harness.js';
import { drillRequestsOf, DRILL_POLICY, DRILLS } from './drill-policy.js';

const START_WINDOW_MS = 3000;
const { h, acl } = useHarnessAsAclUser('test-drill-errors', { policyYaml: DRILL_POLICY, overrides: { tracker: { ...FAST_TRACKER, drillStartWindowMs: START_WINDOW_MS } } });

describe('a drill run whose own steps keep failing before its request', () => {
  it('says in its channel that it did not run once its time is up, even with Redis refusing its history', async () => {
    const messages = h.slack.messages(DRILLS).length;
    const logged = logLines.length;
    // Atlas down first: the run waits (as steps), so the Redis fault meets a run under way.
    h.atlas.inject({ kind: 'status', status: 503, count: 1000, method: 'GET', pathIncludes: '/clusters/ledger/backup/snapshots' });
    expect(await commandAnswer(h, APPROVER, 'drill ledger-weekly')).toMatch(/is starting/);
    await waitFor(() => logLines.slice(logged).some((l) => l.includes('drill waits for Atlas')), { message: 'the run waiting for Atlas' });
    // Only the queue's keys stay: BullMQ goes on, everything the run itself reads and writes is refused (NOPERM).
    await acl.setRules('resetkeys', `~${h.prefix}bull:restore-tracker:*`);
    let restored = false;
    try {
      h.atlas.reset();
      const loud = await waitFor(() => h.slack.messages(DRILLS).slice(messages).find((m) => m.text.includes('did not run')), { timeoutMs: 15_000, message: 'the "did not run"' });
      expect(loud.text).toContain('<!here>');
      expect(loud.text).toMatch(/Redis refused/);
      expect(loud.text).toMatch(/`\/atlas-restore drill ledger-weekly` runs it now/);
      await acl.setRules('resetkeys', '~*');
      restored = true;
      // Its result is recorded once Redis answers again: `drills` shows it, not the run before.
      const history = createDrillHistory(h.redis, `${h.prefix}bull:drills:`);
      const last = await waitFor(async () => ((await history.recent('ledger-weekly', 1))[0]?.state === 'not_started' ? (await history.recent('ledger-weekly', 1))[0] : undefined), {
        timeoutMs: 15_000,
        message: 'the run recorded as not started',
      });
      expect(last.reason).toMatch(/Redis refused/);
      expect(await commandAnswer(h, REQUESTER, 'drills')).toMatch(/last: \*did not run\* .*Redis refused/);
      const audit = await h.app.services.store.readAudit(200);
      expect(audit.filter((e) => e.type === 'drill_not_started' && /Redis refused/.test(e.detail ?? ''))).toHaveLength(1);
      // Said once, and nothing was restored.
      expect(h.slack.messages(DRILLS).slice(messages).filter((m) => m.text.includes('did not run'))).toHaveLength(1);
      expect(await drillRequestsOf(h)).toEqual([]);
    } finally {
      if (!restored) await acl.setRules('resetkeys', '~*');
      h.atlas.reset();
    }
  });
});
