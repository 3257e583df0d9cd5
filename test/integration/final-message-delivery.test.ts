// A request's final message must reach its thread (DESIGN.md §1: the final message says how it ended): a Slack
// failure at that moment is tried again by the settle step, and the message arrives once.
import { describe, expect, it } from 'vitest';
import { APPROVER, requestRestore, useHarness, waitForState } from './conversation-harness.js';

describe('the final message', () => {
  const h = useHarness();

  it('Slack refuses it twice when the restore ends: it is posted again, once, and the card says completed', async () => {
    const req = await requestRestore(h, { source: 'ledger', snapshotIndex: 0 });
    await h.click(APPROVER, 'restore_approve', req.id);
    const running = await waitForState(h, req.id, 'running');
    await h.waitForThread(req.id, /Restore submitted to Atlas/);
    const posted = h.threadTexts(req.id).length;
    h.slack.failNext('chat.postMessage', 'internal_error', 2);
    h.atlas.advanceJob(running.atlasJobId!, 'completed');
    await waitForState(h, req.id, 'completed');
    await h.waitForThread(req.id, /Restore completed/, 15_000);
    expect(h.threadTexts(req.id).filter((t) => /Restore completed/.test(t))).toHaveLength(1);
    expect(h.threadTexts(req.id).length - posted).toBe(1); // nothing else was posted (or lost) meanwhile
    expect(JSON.stringify(h.rootCard(req.id)?.blocks)).toMatch(/completed/i);
  });
});
