// A drill's "did not run" to a channel Slack says is gone (archived: `is_archived`) can never be delivered: the run
// gives up at once, loudly (the abandoned-notification log line and metric), as a request's undeliverable last word
// does, instead of posting into the archived channel again and again for a day. Its result is still recorded and
// audited. The fault is real: the fake Slack's channel is archived, and chat.postMessage answers is_archived.
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRACKER_QUEUE } from '../../src/restore/tracker.js';
import { waitFor } from '../helpers/wait-for.js';
import { APPROVER, commandAnswer, logLines, REQUESTER, requestRestore, startHarness, type Harness } from './conversation-harness.js';
import { drillRequestsOf, DRILL_POLICY, DRILLS } from './drill-policy.js';

let h: Harness;
let queue: Queue;
beforeAll(async () => {
  h = await startHarness({ policyYaml: DRILL_POLICY });
  queue = new Queue(TRACKER_QUEUE, { connection: h.redis.duplicate(), prefix: `${h.prefix}bull` });
});
afterAll(async () => {
  await queue?.close();
  await h?.close();
});

describe('a drill that did not run, whose channel is archived', () => {
  it('gives up saying so at once, records and audits the run, and does not post again', async () => {
    // The target is held (a request waiting for approval): the run does not start, and says so.
    const pending = await requestRestore(h, { user: REQUESTER, source: 'ledger', target: 'staging' });
    expect(pending.state).toBe('pending_approval');
    const logged = logLines.length;
    const callsBefore = h.slack.calls.length;
    h.slack.setChannel(DRILLS, { is_archived: true });
    expect(await commandAnswer(h, APPROVER, 'drill ledger-weekly')).toMatch(/is starting/);
    const refusedPosts = () => h.slack.calls.slice(callsBefore).filter((c) => c.method === 'chat.postMessage' && c.args.channel === DRILLS);
    await waitFor(() => refusedPosts().some((c) => c.error === 'is_archived'), { message: 'the "did not run" refused: is_archived' });
    // The run's job ends (it does not wait to post again), and says why in the log.
    await waitFor(async () => (await (await queue.getJob('drill-now-ledger-weekly'))?.getState()) === 'completed', { timeoutMs: 5000, message: 'the drill run ended' });
    expect(logLines.slice(logged).some((l) => l.includes('giving up on the final notification') && l.includes('drill:ledger-weekly'))).toBe(true);
    expect(refusedPosts()).toHaveLength(1);
    // Its result is recorded (`drills` shows it) and audited once; nothing was restored.
    expect(await commandAnswer(h, REQUESTER, 'drills')).toMatch(/last: \*did not run\* .*waiting for approval/);
    const audit = await h.app.services.store.readAudit(200);
    expect(audit.filter((e) => e.type === 'drill_not_started')).toHaveLength(1);
    expect(await drillRequestsOf(h)).toEqual([]);
  });
});
