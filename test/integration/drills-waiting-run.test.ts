// `/atlas-restore drill <name>` while a run of that drill is still waiting out Atlas trouble: a second run would wait
// for the same thing and, the outage outlasting both, post a second "did not run" for one outage. The command is
// refused instead, saying what the run waits for, when it tries again and until when; the waiting run goes on and,
// once Atlas answers, is the one restore. Real app, real BullMQ on Redis, the fake Atlas answering 503.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAST_TRACKER } from '../fakes/config-for-fakes.js';
import { waitFor } from '../helpers/wait-for.js';
import { APPROVER, commandAnswer, logLines, REQUESTER, startHarness, type Harness } from './conversation-harness.js';
import { drillRequestsOf, DRILL_POLICY, DRILLS } from './drill-policy.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ policyYaml: DRILL_POLICY });
});
afterAll(async () => {
  await h?.close();
});

describe('a drill run on command while its scheduled run waits for Atlas', () => {
  it('is refused, saying when the waiting run tries again; that run is the one restore once Atlas answers', async () => {
    h.atlas.inject({ kind: 'status', status: 503, count: 1000, method: 'GET', pathIncludes: '/clusters/ledger/backup/snapshots' });
    const messages = h.slack.messages(DRILLS).length;
    const logged = logLines.length;
    try {
      // Its scheduler fires once, in a second; Atlas can't list the snapshots, so the run waits (its window: 1 min).
      await h.restart({ tracker: { ...FAST_TRACKER, drillRepeat: () => ({ every: 1000, limit: 1 }), drillStartWindowMs: 60_000 } });
      await waitFor(() => logLines.slice(logged).some((l) => l.includes('drill waits for Atlas')), { message: 'the scheduled run waiting for Atlas' });

      const answer = await commandAnswer(h, APPROVER, 'drill ledger-weekly');
      expect(answer).toMatch(/^Drill `ledger-weekly` is already waiting to run: its scheduled run can't start yet \(Atlas could not list the snapshots of `shop\/ledger`\)\./);
      expect(answer).toMatch(/It tries again at <!date\^\d+\^/);
      expect(answer).toMatch(/if it still can't start by <!date\^\d+\^.*, it says so in <#C0DRILLS01>/);
      expect(answer).not.toMatch(/is starting/);
      expect(await commandAnswer(h, REQUESTER, 'drills')).toMatch(/a run is waiting: Atlas could not list the snapshots of `shop\/ledger`; it tries again at <!date/);
    } finally {
      h.atlas.reset();
    }
    // The scheduled run goes on: one restore, and no "did not run" at all.
    const req = await waitFor(async () => (await drillRequestsOf(h))[0], { timeoutMs: 20_000, message: 'the scheduled run, started after all' });
    expect(req.drill?.trigger).toBe('schedule');
    await waitFor(() => h.slack.messages(DRILLS).slice(messages).some((m) => !m.thread_ts && m.text.includes(req.id)), { message: 'its card' });
    expect(await drillRequestsOf(h)).toHaveLength(1);
    expect(h.slack.messages(DRILLS).slice(messages).filter((m) => m.text.includes('did not run'))).toEqual([]);
  });
});
