// The request is in the store (and on App Home, with its Approve button) a moment before its card is posted. An
// approval in that moment must not cost the card its ts: without it no card update and no thread would follow.
import { describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait-for.js';
import { rulesFor } from '../../src/policy/policy.js';
import { createRestoreRequest } from '../../src/slack/create-restore-request.js';
import { APPROVER, CHANNEL, GROUP_ID, REQUESTER, snapshotIdOf, useHarness, waitForState } from './conversation-harness.js';

describe('an approval before the card is posted', () => {
  const h = useHarness();

  it('keeps the card ts: the card follows the request and the final message is in its thread', async () => {
    const services = h.app.services;
    const target = { project: 'shop', groupId: GROUP_ID, cluster: 'ledger', type: 'dedicated' as const };
    const snapshot = h.atlas.snapshots(GROUP_ID, 'ledger')[0]!;
    const created = await createRestoreRequest(services, {
      requester: REQUESTER,
      source: target,
      target,
      snapshot: { id: snapshotIdOf(h, 'ledger'), createdAt: String(snapshot['createdAt']) },
      reason: 'an approval races the card',
      channel: CHANNEL,
      rules: rulesFor(services.policy, target),
    });
    if (!created.ok) throw new Error('the target was busy');
    // The approver acts on the stored request (as from App Home) before the card exists.
    await h.click(APPROVER, 'restore_approve', created.request.id);
    await waitFor(async () => ((await h.request(created.request.id))?.state !== 'pending_approval' ? true : undefined), { message: 'the approval' });
    await created.publish();
    const stored = await h.request(created.request.id);
    expect(stored?.cardTs).toBeDefined();
    expect(h.slack.messages(CHANNEL).find((m) => m.ts === stored?.cardTs)?.text).toContain(created.request.id);
    const running = await waitForState(h, created.request.id, 'running');
    h.atlas.advanceJob(running.atlasJobId!, 'completed');
    await waitForState(h, created.request.id, 'completed');
    await h.waitForThread(created.request.id, /Restore completed/);
  });
});
