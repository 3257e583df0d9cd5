// The thread's first message calls the target's approvers to the card: not the requester, who can't approve their own
// request (unless the policy allows it), though the policy lists them among the approvers.
import { describe, expect, it } from 'vitest';
import { APPROVER, REQUESTER, policyWith, requestRestore, startHarness } from './conversation-harness.js';

async function firstMessage(allowSelfApproval: boolean): Promise<string> {
  const policy = policyWith({ approvers: [REQUESTER, APPROVER] }).replace('allowSelfApproval: false', `allowSelfApproval: ${allowSelfApproval}`);
  const h = await startHarness({ policyYaml: policy });
  try {
    const req = await requestRestore(h, { source: 'orders' });
    return (await h.waitForThread(req.id, /asks to restore/)).split('\n')[0]!;
  } finally {
    await h.close();
  }
}

describe('the first thread message of a request', () => {
  it('calls the approvers but not the requester, who may not approve it', async () => {
    const text = await firstMessage(false);
    expect(text.startsWith(`<@${APPROVER}>: <@${REQUESTER}> asks to restore`), text).toBe(true);
  });

  it('calls the requester too where the policy lets them approve their own request', async () => {
    const text = await firstMessage(true);
    expect(text.startsWith(`<@${REQUESTER}>, <@${APPROVER}>: <@${REQUESTER}> asks to restore`), text).toBe(true);
  });
});
