// The thread reads in the order things happened: the last approval comes before the restore it let through, however
// slowly Slack takes the card's update or the approval's own message.
import { describe, expect, it } from 'vitest';
import { APPROVER, requestRestore, useHarness, waitForState, type Harness } from './conversation-harness.js';

const firstLines = (h: Harness, id: string) => h.threadTexts(id).map((t) => t.split('\n')[0]!);

describe('the thread after the last approval', () => {
  const h = useHarness();

  it.each([
    // One source each: Atlas runs one restore at a time per cluster, and the first is still running.
    ['the card update', 'chat.update', 'orders'],
    ['the approval message', 'chat.postMessage', 'legacy'],
  ])('Slack slow to take %s: "approved" is still said before "Restore submitted"', async (_what, method, source) => {
    const req = await requestRestore(h, { source });
    h.slack.slowNext(method, 1500);
    await h.click(APPROVER, 'restore_approve', req.id);
    await waitForState(h, req.id, 'running');
    await h.waitForThread(req.id, /Restore submitted to Atlas/);
    await h.waitForThread(req.id, /approved \(1 of 1\)/);
    const lines = firstLines(h, req.id);
    const approved = lines.findIndex((l) => /approved \(1 of 1\)/.test(l));
    const submitted = lines.findIndex((l) => /Restore submitted to Atlas/.test(l));
    expect(approved, lines.join('\n')).toBeLessThan(submitted);
  });
});
