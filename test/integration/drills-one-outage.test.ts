// Two runs of one drill meeting one Atlas outage (a run on command waiting, then its scheduled time comes): the second
// does not wait beside the first to post a second "did not run" for the same outage. It is skipped quietly (audited,
// naming the run that waits), and the waiting run's word is the only one. Real app, real BullMQ on Redis, the fake
// Atlas answering 503.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAST_TRACKER } from '../fakes/config-for-fakes.js';
import { waitFor } from '../helpers/wait-for.js';
import { APPROVER, commandAnswer, logLines, startHarness, type Harness } from './conversation-harness.js';
import { DRILL_POLICY, DRILLS } from './drill-policy.js';

const WINDOW = { ...FAST_TRACKER, drillStartWindowMs: 5000 };
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ policyYaml: DRILL_POLICY, overrides: { tracker: WINDOW } });
});
afterAll(async () => {
  await h?.close();
});

describe('a scheduled run of a drill whose run on command waits for Atlas', () => {
  it('is skipped quietly: one outage, one "did not run"', async () => {
    h.atlas.inject({ kind: 'status', status: 503, count: 10_000, method: 'GET', pathIncludes: '/clusters/ledger/backup/snapshots' });
    const messages = h.slack.messages(DRILLS).length;
    const logged = logLines.length;
    const auditBefore = (await h.app.services.store.readAudit(500)).length;
    try {
      expect(await commandAnswer(h, APPROVER, 'drill ledger-weekly')).toMatch(/is starting/);
      await waitFor(() => logLines.slice(logged).some((l) => l.includes('drill waits for Atlas')), { message: 'the run on command waiting for Atlas' });
      // Its scheduler fires once, in a second, while that run waits.
      await h.restart({ tracker: { ...WINDOW, drillRepeat: () => ({ every: 1000, limit: 1 }) } });
      // Both runs have ended once each has audited why it did not start.
      const ended = await waitFor(
        async () => {
          const entries = (await h.app.services.store.readAudit(500)).slice(auditBefore).filter((e) => e.type === 'drill_not_started');
          return entries.length >= 2 ? entries : undefined;
        },
        { timeoutMs: 20_000, message: 'both runs ended' },
      );
      expect(ended.some((e) => /already waits for Atlas/.test(e.detail ?? '') && /scheduled run was skipped/.test(e.detail ?? ''))).toBe(true);
      const loud = await waitFor(() => h.slack.messages(DRILLS).slice(messages).filter((m) => m.text.includes('did not run')).at(0), { message: 'the "did not run"' });
      expect(loud.text).toMatch(/Atlas could not list the snapshots of `shop\/ledger`/);
      expect(h.slack.messages(DRILLS).slice(messages).filter((m) => m.text.includes('did not run'))).toHaveLength(1);
    } finally {
      h.atlas.reset();
    }
  });
});
